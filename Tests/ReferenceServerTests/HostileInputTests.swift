import HTTP
import ReferenceServer
import SCIM
import Testing

/// Inputs built to exhaust the parser: deep nesting and long operator chains get 400, and the
/// server keeps serving.
@Suite struct HostileInput {
    @Test(arguments: [40, 5_000])
    func deeplyNestedFilterIsInvalidFilter(depth: Int) throws {
        let harness = try Harness()
        let filter = String(repeating: "(", count: depth) + #"userName eq "a""# + String(repeating: ")", count: depth)

        let reply = try harness.filter(filter)
        let after = try harness.filter(#"userName eq "a""#)

        expectSCIMError(reply, status: 400, scimType: "invalidFilter")
        #expect(after.status == 200)
    }

    @Test func longOperatorChainInSearchIsInvalidFilter() throws {
        let harness = try Harness()
        let filter = Array(repeating: #"userName eq "a""#, count: 40_000).joined(separator: " and ")

        let reply = try harness.send(
            .post, "/Users/.search", json: ["schemas": [.string(SCIMURN.searchRequest)], "filter": .string(filter)])

        expectSCIMError(reply, status: 400, scimType: "invalidFilter")
    }

    @Test func deeplyNestedPatchPathFilterIsInvalidPath() throws {
        let harness = try Harness()
        let id = try harness.createUser()
        let path =
            "emails[" + String(repeating: "(", count: 3_000) + #"type eq "work""# + String(repeating: ")", count: 3_000)
            + "].value"

        let reply = try harness.patch(id, [patchOperation("replace", path: path, value: "x@example.com")])

        expectSCIMError(reply, status: 400, scimType: "invalidPath")
    }

    @Test func filterWithinLimitsStillWorks() throws {
        let harness = try Harness()
        _ = try harness.createUser()
        let nested =
            String(repeating: "(", count: 30) + #"userName eq "alice@example.com""# + String(repeating: ")", count: 30)
        let chain = Array(repeating: #"userName eq "alice@example.com""#, count: 200).joined(separator: " or ")

        let nestedReply = try harness.filter(nested)
        let chainReply = try harness.filter(chain)

        #expect(nestedReply.object["totalResults"] == 1)
        #expect(chainReply.object["totalResults"] == 1)
    }
}

/// Error details travel in responses, logs and recorded transcripts, so a value of an attribute
/// that is never returned, such as `password`, stays out of them.
@Suite struct PasswordInErrors {
    @Test(arguments: [
        JSONValue.object(JSONObject([("v", .string("object-password-1"))])),
        .array([.string("array-password-1")]),
    ])
    func createDetailHidesValue(password: JSONValue) throws {
        let harness = try Harness()

        let reply = try harness.send(
            .post, "/Users",
            json: ["schemas": [.string(SCIMURN.user)], "userName": "hidden@example.com", "password": password])

        #expect(reply.status == 400)
        #expect(!reply.text.contains("password-1"), "\(reply.text)")
        #expect(reply.text.contains("never returned"))
    }

    @Test func patchDetailHidesValue() throws {
        let harness = try Harness()
        let created = try harness.send(
            .post, "/Users", json: ["schemas": [.string(SCIMURN.user)], "userName": "patched@example.com"])
        let id = created.object["id"]?.stringValue ?? ""

        let reply = try harness.send(
            .patch, "/Users/\(id)",
            json: [
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [["op": "replace", "path": "password", "value": ["patch-password-1"]]],
            ])

        #expect(reply.status == 400)
        #expect(!reply.text.contains("patch-password-1"), "\(reply.text)")
    }
}
