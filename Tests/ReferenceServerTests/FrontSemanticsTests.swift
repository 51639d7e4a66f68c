import HTTP
import ReferenceServer
import SCIM
import Testing

/// Blocking, deletion per profile, the create-only template and the deleted-teammate registry.
@Suite struct FrontSemantics {
    @Test(arguments: ["False", "false", false] as [JSONValue])
    func disableKeepsUserRetrievableAndFilterable(value: JSONValue) throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let disable = try harness.patch(id, [patchOperation("Replace", path: "active", value: value)])
        let read = try harness.send(.get, "/Users/\(id)")
        let found = try harness.filter(#"userName eq "alice@example.com""#)
        let enable = try harness.patch(id, [patchOperation("Replace", path: "active", value: "True")])

        #expect(disable.status == 200)
        #expect(read.status == 200)
        #expect(read.object["active"] == false)
        #expect(found.object["totalResults"] == 1)
        #expect(found.object["Resources"]?.arrayValue?.first?["active"] == false)
        #expect(enable.object["active"] == true)
        #expect(enable.object["id"] == .string(id))
    }

    @Test func duplicateCreateConflictsAndFilterAgrees() throws {
        let harness = try Harness()
        let id = try harness.createUser()
        try harness.patch(id, [patchOperation("replace", path: "active", value: false)])

        let again = try harness.send(
            .post, "/Users", json: ["schemas": [.string(SCIMURN.user)], "userName": "ALICE@example.com"])
        let found = try harness.filter(#"userName eq "ALICE@example.com""#)

        expectSCIMError(again, status: 409, scimType: "uniqueness")
        #expect(found.object["totalResults"] == 1, "a 409 is only right when the filter finds the user")
    }

    @Test func deleteBlocksInFrontProfile() throws {
        let harness = try Harness(profile: .front)
        let id = try harness.createUser()

        let delete = try harness.send(.delete, "/Users/\(id)")
        let read = try harness.send(.get, "/Users/\(id)")
        let found = try harness.filter(#"userName eq "alice@example.com""#)

        #expect(delete.status == 204)
        #expect(read.status == 200)
        #expect(read.object["active"] == false)
        #expect(found.object["totalResults"] == 1)
    }

    @Test func deleteRemovesInRFCProfile() throws {
        let harness = try Harness(profile: .rfc)
        let id = try harness.createUser()

        let delete = try harness.send(.delete, "/Users/\(id)")
        let read = try harness.send(.get, "/Users/\(id)")
        let again = try harness.send(.delete, "/Users/\(id)")

        #expect(delete.status == 204)
        expectSCIMError(read, status: 404)
        expectSCIMError(again, status: 404)
    }

    @Test func templateIsCreateOnly() throws {
        let harness = try Harness()
        let id = try harness.createUser(extra: [(SCIMURN.frontTeammate, ["template": "tmpl-support"])])
        let path = "\(SCIMURN.frontTeammate):template"

        let created = try harness.send(.get, "/Users/\(id)")
        let byPath = try harness.patch(id, [patchOperation("Replace", path: path, value: "tmpl-sales")])
        let pathless = try harness.patch(
            id, [patchOperation("replace", value: .object(JSONObject([(path, "tmpl-sales"), ("displayName", "New")])))])
        let put = try harness.send(
            .put, "/Users/\(id)",
            json: [
                "schemas": [.string(SCIMURN.user), .string(SCIMURN.frontTeammate)], "userName": "alice@example.com",
                .init(stringLiteral: SCIMURN.frontTeammate): ["template": "tmpl-sales"],
            ])
        let after = try harness.send(.get, "/Users/\(id)")

        #expect(created.object[SCIMURN.frontTeammate]?["template"] == "tmpl-support")
        #expect(byPath.status == 200)
        #expect(pathless.status == 200)
        #expect(pathless.object["displayName"] == "New", "other changes in the same request still apply")
        #expect(put.status == 200)
        #expect(after.object[SCIMURN.frontTeammate]?["template"] == "tmpl-support")
    }

    @Test func templateCannotBeAddedLater() throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let reply = try harness.patch(
            id, [patchOperation("Add", path: "\(SCIMURN.frontTeammate):template", value: "tmpl-x")])

        #expect(reply.status == 200)
        #expect(reply.object[SCIMURN.frontTeammate] == nil)
    }

    @Test(arguments: ["bob@example.com", "BOB@Example.com"])
    func deletedTeammateEmailConflicts(userName: String) throws {
        let harness = try Harness()
        let setup = try harness.send(
            .post, "/_scimtape/state",
            json: ["preconditions": [["kind": "deletedTeammate", "email": "bob@example.com"]]])

        let reply = try harness.send(
            .post, "/Users",
            json: [
                "schemas": [.string(SCIMURN.user)], "userName": .string(userName),
                "emails": [["value": .string(userName), "type": "work", "primary": true]],
            ])
        let found = try harness.filter(#"userName eq "bob@example.com""#)

        #expect(setup.status == 200)
        let body = expectSCIMError(reply, status: 409, scimType: "uniqueness")
        #expect(body["detail"]?.stringValue?.contains("deleted in Front") == true)
        #expect(found.object["totalResults"] == 0, "no duplicate was created")
    }

    @Test func deletedTeammateMatchedByWorkEmailToo() throws {
        let harness = try Harness()
        try harness.send(
            .post, "/_scimtape/state",
            json: ["preconditions": [["kind": "deletedTeammate", "email": "bob@example.com"]]])

        let reply = try harness.send(
            .post, "/Users",
            json: [
                "schemas": [.string(SCIMURN.user)], "userName": "robert@example.com",
                "emails": [["value": "bob@example.com", "type": "work"]],
            ])

        expectSCIMError(reply, status: 409, scimType: "uniqueness")
    }

    @Test func existingTeammatePreconditionIsFindable() throws {
        let harness = try Harness()

        let setup = try harness.send(
            .post, "/_scimtape/state",
            json: [
                "preconditions": [
                    ["kind": "existingTeammate", "user": ["userName": "carol@example.com"], "blocked": true]
                ]
            ])
        let found = try harness.filter(#"userName eq "Carol@Example.com""#)

        #expect(setup.status == 200)
        #expect(found.object["Resources"]?.arrayValue?.first?["active"] == false)
    }

    @Test func invalidPreconditionNamesTheMember() throws {
        let harness = try Harness()

        let reply = try harness.send(.post, "/_scimtape/state", json: ["preconditions": [["kind": "deletedTeammate"]]])

        let body = expectSCIMError(reply, status: 400, scimType: "invalidValue")
        #expect(body["detail"]?.stringValue?.contains("preconditions[0].email") == true)
    }
}
