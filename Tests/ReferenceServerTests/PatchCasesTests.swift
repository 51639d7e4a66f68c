import HTTP
import ReferenceServer
import SCIM
import Testing

/// PATCH requests in both Entra dialects: op spelling, boolean strings, path-less values with
/// dotted and URN keys, value-filter paths and manager references.
@Suite struct PatchCases {
    @Test(arguments: ["replace", "Replace", "REPLACE", "rEpLaCe"])
    func replaceAcceptsAnyOpCase(op: String) throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let reply = try harness.patch(id, [patchOperation(op, path: "displayName", value: "Alice Renamed")])

        #expect(reply.status == 200)
        #expect(reply.object["displayName"] == "Alice Renamed")
        #expect(try harness.send(.get, "/Users/\(id)").object["displayName"] == "Alice Renamed")
    }

    @Test(arguments: ["add", "Add", "ADD"])
    func addAcceptsAnyOpCase(op: String) throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let reply = try harness.patch(id, [patchOperation(op, path: "nickName", value: "Babs")])

        #expect(reply.status == 200)
        #expect(reply.object["nickName"] == "Babs")
    }

    @Test(arguments: ["remove", "Remove", "REMOVE"])
    func removeAcceptsAnyOpCase(op: String) throws {
        let harness = try Harness()
        let id = try harness.createUser(extra: [("title", "Engineer")])

        let reply = try harness.patch(id, [patchOperation(op, path: "title")])

        #expect(reply.status == 200)
        #expect(reply.object["title"] == nil)
        #expect(reply.object["displayName"] == "Alice Example")
    }

    @Test func unknownOpIsInvalidSyntax() throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let reply = try harness.patch(id, [patchOperation("Merge", path: "displayName", value: "x")])

        expectSCIMError(reply, status: 400, scimType: "invalidSyntax")
    }

    static let booleanSpellings: [(JSONValue, Bool)] = [
        ("False", false), ("false", false), ("FALSE", false), (false, false),
        ("True", true), ("true", true), ("TRUE", true), (true, true),
    ]

    @Test(arguments: booleanSpellings)
    func activeAcceptsEveryBooleanSpelling(value: JSONValue, expected: Bool) throws {
        let harness = try Harness()
        let id = try harness.createUser()
        if expected {
            try harness.patch(id, [patchOperation("replace", path: "active", value: false)])
        }

        let reply = try harness.patch(id, [patchOperation("Replace", path: "active", value: value)])

        #expect(reply.status == 200)
        #expect(reply.object["active"] == .bool(expected))
        #expect(try harness.send(.get, "/Users/\(id)").object["active"] == .bool(expected))
    }

    @Test(arguments: ["True", "true", "TRUE", "False"] as [JSONValue])
    func postAcceptsActiveAsString(value: JSONValue) throws {
        let harness = try Harness()

        let id = try harness.createUser(extra: [("active", value)])

        let expected = value.stringValue!.lowercased() == "true"
        #expect(try harness.send(.get, "/Users/\(id)").object["active"] == .bool(expected))
    }

    @Test(arguments: ["maybe", "yes", "1", ""] as [JSONValue] + [1, 0, .null, ["a"]])
    func invalidBooleanIsInvalidValue(value: JSONValue) throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let reply = try harness.patch(id, [patchOperation("Replace", path: "active", value: value)])

        if value.isNull {
            // Replacing with null unassigns the attribute (RFC 7643 section 2.5).
            #expect(reply.status == 200)
        } else {
            expectSCIMError(reply, status: 400, scimType: "invalidValue")
            #expect(try harness.send(.get, "/Users/\(id)").object["active"] == true)
        }
    }

    @Test func strictModeRejectsCapitalisedBooleanStrings() throws {
        let harness = try Harness(booleanStrings: .lowercaseOnly)
        let id = try harness.createUser()

        let rejected = try harness.patch(id, [patchOperation("Replace", path: "active", value: "False")])
        let accepted = try harness.patch(id, [patchOperation("Replace", path: "active", value: "false")])

        let body = expectSCIMError(rejected, status: 400, scimType: "invalidValue")
        #expect(body["detail"]?.stringValue?.contains("ToLower") == true)
        #expect(accepted.status == 200)
        #expect(accepted.object["active"] == false)
    }

    @Test func pathlessReplaceAppliesDottedKeys() throws {
        let harness = try Harness()
        let id = try harness.createUser(extra: [("name", ["givenName": "A", "familyName": "E", "middleName": "M"])])

        let reply = try harness.patch(
            id,
            [
                patchOperation(
                    "replace",
                    value: [
                        "displayName": "Alice Example", "name.givenName": "Alice", "name.familyName": "Example",
                        "active": true,
                    ])
            ])

        #expect(reply.status == 200)
        let name = reply.object["name"]?.objectValue
        #expect(name?["givenName"] == "Alice")
        #expect(name?["familyName"] == "Example")
        #expect(name?["middleName"] == "M", "other name sub-attributes stay")
        #expect(reply.object["displayName"] == "Alice Example")
        #expect(reply.object["name.givenName"] == nil, "a dotted key is a path, not an attribute name")
    }

    @Test(arguments: [
        "nosuchAttribute", "name.nosuchSub", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:nosuch",
    ])
    func pathlessUnknownKeyIsInvalidPath(key: String) throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let reply = try harness.patch(
            id, [patchOperation("replace", value: .object(JSONObject([(key, "x"), ("displayName", "Changed")])))])

        expectSCIMError(reply, status: 400, scimType: "invalidPath")
        #expect(try harness.send(.get, "/Users/\(id)").object["displayName"] == "Alice Example", "no partial change")
    }

    @Test(arguments: ["replace", "Replace", "add", "Add"])
    func urnKeyGoesIntoExtension(op: String) throws {
        let harness = try Harness()
        let id = try harness.createUser()
        let key = "\(SCIMURN.enterpriseUser):employeeNumber"

        let reply = try harness.patch(id, [patchOperation(op, value: .object(JSONObject([(key, "E-0001")])))])

        #expect(reply.status == 200)
        #expect(reply.object[SCIMURN.enterpriseUser]?["employeeNumber"] == "E-0001")
        #expect(reply.object[key] == nil, "no URN-named key at the root")
        #expect(reply.object["schemas"]?.arrayValue?.contains(.string(SCIMURN.enterpriseUser)) == true)
    }

    @Test func urnPathAndExtensionObjectBothWork() throws {
        let harness = try Harness()
        let id = try harness.createUser()

        try harness.patch(id, [patchOperation("Add", path: "\(SCIMURN.enterpriseUser):department", value: "Sales")])
        let reply = try harness.patch(
            id, [patchOperation("replace", path: SCIMURN.enterpriseUser, value: ["costCenter": "42"])])

        let enterprise = reply.object[SCIMURN.enterpriseUser]?.objectValue
        #expect(enterprise?["department"] == "Sales")
        #expect(enterprise?["costCenter"] == "42")
    }

    @Test(arguments: ["Replace", "replace", "Add", "add"])
    func workEmailFilterPathReplacesValue(op: String) throws {
        let harness = try Harness()
        let id = try harness.createUser(
            extra: [
                (
                    "emails",
                    [
                        ["value": "alice@example.com", "type": "work", "primary": true],
                        ["value": "alice@home.example", "type": "home", "primary": false],
                    ]
                )
            ])

        let reply = try harness.patch(
            id, [patchOperation(op, path: #"emails[type eq "work"].value"#, value: "alice.new@example.com")])

        #expect(reply.status == 200)
        let emails = reply.object["emails"]?.arrayValue ?? []
        let work = emails.filter { $0["type"] == "work" }
        #expect(work.count == 1)
        #expect(work.first?["value"] == "alice.new@example.com")
        #expect(work.first?["primary"] == true)
        #expect(emails.contains { $0["value"] == "alice@home.example" })
    }

    @Test func workEmailFilterPathCreatesMissingWorkEmail() throws {
        let harness = try Harness()
        let id = try harness.createUser(extra: [("emails", .null)])

        let reply = try harness.patch(
            id, [patchOperation("Replace", path: #"emails[type eq "work"].value"#, value: "a@example.com")])

        #expect(reply.status == 200)
        #expect(reply.object["emails"] == [["type": "work", "value": "a@example.com"]])
    }

    @Test func filterPathThatDescribesNoValueIsNoTarget() throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let reply = try harness.patch(
            id, [patchOperation("replace", path: #"emails[value co "nobody"].type"#, value: "home")])

        expectSCIMError(reply, status: 400, scimType: "noTarget")
    }

    @Test func removeByFilterRemovesOnlyMatches() throws {
        let harness = try Harness()
        let id = try harness.createUser(
            extra: [
                ("emails", [["value": "w@example.com", "type": "work"], ["value": "h@example.com", "type": "home"]])
            ])

        let reply = try harness.patch(id, [patchOperation("Remove", path: #"emails[type eq "home"]"#)])

        #expect(reply.object["emails"] == [["value": "w@example.com", "type": "work"]])
    }

    @Test func managerAsBareStringObjectAndRemove() throws {
        let harness = try Harness()
        let managerId = try harness.createUser("manager@example.com", externalId: "m-1")
        let id = try harness.createUser()
        let path = "\(SCIMURN.enterpriseUser):manager"

        let bare = try harness.patch(id, [patchOperation("Add", path: path, value: .string(managerId))])
        let firstRead = try harness.send(.get, "/Users/\(id)")
        let secondRead = try harness.send(.get, "/Users/\(id)")
        let object = try harness.patch(
            id, [patchOperation("replace", path: path, value: ["value": .string(managerId)])])
        let legacy = try harness.patch(
            id, [patchOperation("Replace", path: path, value: [["value": .string(managerId), "$ref": .null]])])
        let removed = try harness.patch(id, [patchOperation("Remove", path: path)])

        let expected: JSONValue = ["value": .string(managerId)]
        #expect(bare.status == 200)
        #expect(bare.object[SCIMURN.enterpriseUser]?["manager"] == expected)
        #expect(firstRead.object[SCIMURN.enterpriseUser]?["manager"] == expected)
        #expect(secondRead.object[SCIMURN.enterpriseUser]?["manager"] == expected)
        #expect(object.object[SCIMURN.enterpriseUser]?["manager"] == expected)
        #expect(legacy.object[SCIMURN.enterpriseUser]?["manager"] == expected)
        #expect(removed.object[SCIMURN.enterpriseUser]?["manager"] == nil)
    }

    @Test func failingOperationLeavesNoPartialChange() throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let reply = try harness.patch(
            id,
            [
                patchOperation("replace", path: "displayName", value: "Changed"),
                patchOperation("replace", path: "active", value: "maybe"),
            ])

        expectSCIMError(reply, status: 400, scimType: "invalidValue")
        #expect(try harness.send(.get, "/Users/\(id)").object["displayName"] == "Alice Example")
    }

    @Test func readOnlyAttributeIsMutabilityError() throws {
        let harness = try Harness()
        let id = try harness.createUser()

        let reply = try harness.patch(id, [patchOperation("replace", path: "id", value: "other")])

        expectSCIMError(reply, status: 400, scimType: "mutability")
    }
}
