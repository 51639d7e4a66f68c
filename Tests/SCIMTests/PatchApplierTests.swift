import SCIM
import Testing

enum PatchFixtures {
    static let templatePath = "\(SCIMURN.frontTeammate):template"
    static let managerPath = "\(SCIMURN.enterpriseUser):manager"

    /// A stored user with a home email only, a title and a teammate template.
    static let user: JSONValue = [
        "schemas": [.string(SCIMURN.user), .string(SCIMURN.frontTeammate)],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "bjensen",
        "userName": "bjensen@example.com",
        "active": true,
        "displayName": "Babs Jensen",
        "title": "Tour Guide",
        "name": ["givenName": "Barbara", "familyName": "Jensen"],
        "emails": [["value": "babs@home.example", "type": "home", "primary": true]],
        SCIMURN.frontTeammate: ["template": "template-support"],
        "meta": ["resourceType": "User", "created": "2024-05-01T12:00:00.000Z"],
    ]

    static let group: JSONValue = [
        "schemas": [.string(SCIMURN.group)],
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Sales",
        "members": [["value": "u1", "display": "Ann"], ["value": "u2"], ["value": "u3"]],
    ]
}

func patchOperation(_ op: String, path: String? = nil, value: JSONValue? = nil) -> JSONValue {
    var object = JSONObject([("op", .string(op))])
    if let path {
        object["path"] = .string(path)
    }
    if let value {
        object["value"] = value
    }
    return .object(object)
}

func patchBody(_ operations: [JSONValue]) -> JSONValue {
    ["schemas": [.string(SCIMURN.patchOp)], "Operations": .array(operations)]
}

/// Parses the operations as a PATCH body and applies them, as the reference endpoint does.
func applyPatch(
    _ operations: [JSONValue], to resource: JSONValue = PatchFixtures.user,
    resourceType: ResourceType = UserSchemas.resourceType, coercion: ValueCoercion = ValueCoercion(),
    immutableHandling: PatchApplier.ImmutableHandling = .ignore
) throws(SCIMError) -> PatchApplier.Result {
    let request = try PatchRequest.parse(patchBody(operations))
    let applier = PatchApplier(resourceType: resourceType, coercion: coercion, immutableHandling: immutableHandling)
    return try applier.apply(request, to: resource.objectValue ?? JSONObject())
}

func patchFailure(
    _ operations: [JSONValue], to resource: JSONValue = PatchFixtures.user,
    resourceType: ResourceType = UserSchemas.resourceType, coercion: ValueCoercion = ValueCoercion(),
    immutableHandling: PatchApplier.ImmutableHandling = .ignore
) -> SCIMError? {
    scimError { () throws(SCIMError) in
        try applyPatch(
            operations, to: resource, resourceType: resourceType, coercion: coercion,
            immutableHandling: immutableHandling)
    }
}

@Suite struct PatchOperationSpelling {
    @Test(arguments: ["add", "Add", "ADD", "aDD"])
    func addAppliesInAnyCase(op: String) throws {
        let request = try PatchRequest.parse(patchBody([patchOperation(op, path: "nickName", value: "Babs")]))

        let result = try applyPatch([patchOperation(op, path: "nickName", value: "Babs")])

        #expect(request.operations.first?.kind == .add)
        #expect(request.operations.first?.spelling == op)
        #expect(result.resource["nickName"] == "Babs")
    }

    @Test(arguments: ["replace", "Replace", "REPLACE", "rEpLaCe"])
    func replaceAppliesInAnyCase(op: String) throws {
        let request = try PatchRequest.parse(patchBody([patchOperation(op, path: "displayName", value: "B. J.")]))

        let result = try applyPatch([patchOperation(op, path: "displayName", value: "B. J.")])

        #expect(request.operations.first?.kind == .replace)
        #expect(request.operations.first?.spelling == op)
        #expect(result.resource["displayName"] == "B. J.")
    }

    @Test(arguments: ["remove", "Remove", "REMOVE", "reMove"])
    func removeAppliesInAnyCase(op: String) throws {
        let request = try PatchRequest.parse(patchBody([patchOperation(op, path: "title")]))

        let result = try applyPatch([patchOperation(op, path: "title")])

        #expect(request.operations.first?.kind == .remove)
        #expect(request.operations.first?.spelling == op)
        #expect(result.resource["title"] == nil)
        #expect(result.resource["displayName"] == "Babs Jensen")
    }

    @Test func memberNamesMatchIgnoringCase() throws {
        let body: JSONValue = [
            "SCHEMAS": [.string(SCIMURN.patchOp.uppercased())],
            "operations": [["OP": "Replace", "Path": "displayName", "VALUE": "Babs"]],
        ]

        let request = try PatchRequest.parse(body)

        #expect(
            request.operations == [
                PatchOperation(kind: .replace, spelling: "Replace", path: "displayName", value: "Babs")
            ])
    }

    @Test func emptyPathMeansNoPath() throws {
        let request = try PatchRequest.parse(patchBody([patchOperation("add", path: "", value: ["nickName": "B"])]))

        #expect(request.operations.first?.path == nil)
    }

    static let malformedBodies: [(JSONValue, SCIMErrorType)] = [
        ([1, 2], .invalidSyntax),
        (["Operations": [["op": "add", "path": "nickName", "value": "x"]]], .invalidSyntax),
        (
            ["schemas": [.string(SCIMURN.user)], "Operations": [["op": "add", "path": "nickName", "value": "x"]]],
            .invalidSyntax
        ),
        (["schemas": [.string(SCIMURN.patchOp)]], .invalidSyntax),
        (["schemas": [.string(SCIMURN.patchOp)], "Operations": ["op": "add"]], .invalidSyntax),
        (["schemas": [.string(SCIMURN.patchOp)], "Operations": []], .invalidSyntax),
        (["schemas": [.string(SCIMURN.patchOp)], "Operations": ["add"]], .invalidSyntax),
        (["schemas": [.string(SCIMURN.patchOp)], "Operations": [["path": "nickName", "value": "x"]]], .invalidSyntax),
        (
            ["schemas": [.string(SCIMURN.patchOp)], "Operations": [["op": "merge", "path": "a", "value": "x"]]],
            .invalidSyntax
        ),
        (
            ["schemas": [.string(SCIMURN.patchOp)], "Operations": [["op": true, "path": "a", "value": "x"]]],
            .invalidSyntax
        ),
        (["schemas": [.string(SCIMURN.patchOp)], "Operations": [["op": "add", "path": "nickName"]]], .invalidSyntax),
        (
            ["schemas": [.string(SCIMURN.patchOp)], "Operations": [["op": "add", "path": 5, "value": "x"]]],
            .invalidPath
        ),
        (["schemas": [.string(SCIMURN.patchOp)], "Operations": [["op": "Remove"]]], .noTarget),
        (["schemas": [.string(SCIMURN.patchOp)], "Operations": [["op": "remove", "path": ""]]], .noTarget),
    ]

    @Test(arguments: malformedBodies)
    func malformedBodyIsRejected(body: JSONValue, scimType: SCIMErrorType) {
        let error = scimError { () throws(SCIMError) in try PatchRequest.parse(body) }

        #expect(error?.status == 400)
        #expect(error?.scimType == scimType)
    }
}

@Suite struct PatchPathlessValues {
    @Test func dottedAndURNKeysAreApplied() throws {
        let value: JSONValue = [
            "name.givenName": "Babs",
            "displayName": "Babs Jensen-Smith",
            "\(SCIMURN.enterpriseUser):employeeNumber": "701984",
            PatchFixtures.managerPath: "26118915",
        ]

        let result = try applyPatch([patchOperation("replace", value: value)])

        #expect(result.resource["name"] == ["givenName": "Babs", "familyName": "Jensen"])
        #expect(result.resource["displayName"] == "Babs Jensen-Smith")
        #expect(
            result.resource[SCIMURN.enterpriseUser] == ["employeeNumber": "701984", "manager": ["value": "26118915"]])
        #expect(result.resource["name.givenName"] == nil)
        #expect(result.resource["\(SCIMURN.enterpriseUser):employeeNumber"] == nil)
        #expect(
            result.resource["schemas"]
                == [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser), .string(SCIMURN.frontTeammate)])
    }

    @Test(arguments: ["add", "Add", "replace", "Replace"])
    func complexValueMergesSubAttributes(op: String) throws {
        let result = try applyPatch([patchOperation(op, value: ["name": ["middleName": "Ann"]])])

        #expect(result.resource["name"] == ["givenName": "Barbara", "familyName": "Jensen", "middleName": "Ann"])
    }

    @Test func schemasKeyIsSkipped() throws {
        let value: JSONValue = ["schemas": ["urn:example:bogus"], "nickName": "Babs"]

        let result = try applyPatch([patchOperation("add", value: value)])

        #expect(result.resource["nickName"] == "Babs")
        #expect(result.resource["schemas"] == [.string(SCIMURN.user), .string(SCIMURN.frontTeammate)])
    }

    @Test func valueFilterKeyCreatesWorkEmail() throws {
        let value: JSONValue = [#"emails[type eq "work"].value"#: "babs@work.example"]

        let result = try applyPatch([patchOperation("replace", value: value)])

        #expect(
            result.resource["emails"]
                == [
                    ["value": "babs@home.example", "type": "home", "primary": true],
                    ["type": "work", "value": "babs@work.example"],
                ])
    }

    @Test(arguments: ["Babs", 5, true, ["nickName", "Babs"]] as [JSONValue])
    func nonObjectValueIsInvalidValue(value: JSONValue) {
        let error = patchFailure([patchOperation("replace", value: value)])

        #expect(error?.scimType == .invalidValue)
    }

    @Test(arguments: ["nickname2", "name.nope", "\(SCIMURN.enterpriseUser):shoeSize", "urn:example:unknown:1.0:User:x"])
    func unknownKeyIsInvalidPath(key: String) {
        let value: JSONValue = .object(JSONObject([("displayName", "Changed"), (key, "x")]))

        let error = patchFailure([patchOperation("replace", value: value)])

        #expect(error?.scimType == .invalidPath)
        #expect(error?.detail.hasPrefix("Operations[0]: ") == true)
    }
}

@Suite struct PatchExtensionPaths {
    @Test(arguments: ["add", "replace", "Add", "Replace"])
    func extensionPathTakesObjectValue(op: String) throws {
        let value: JSONValue = ["department": "Tour Operations", "manager": ["value": "m-1"]]

        let result = try applyPatch([patchOperation(op, path: SCIMURN.enterpriseUser, value: value)])

        #expect(
            result.resource[SCIMURN.enterpriseUser] == ["department": "Tour Operations", "manager": ["value": "m-1"]])
        #expect(
            result.resource["schemas"]
                == [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser), .string(SCIMURN.frontTeammate)])
    }

    @Test func extensionReplaceKeepsOtherAttributes() throws {
        var resource = PatchFixtures.user.objectValue ?? JSONObject()
        resource[SCIMURN.enterpriseUser] = ["employeeNumber": "701984", "department": "Tour"]

        let result = try applyPatch(
            [patchOperation("replace", path: SCIMURN.enterpriseUser, value: ["department": "Sales"])],
            to: .object(resource))

        #expect(result.resource[SCIMURN.enterpriseUser] == ["employeeNumber": "701984", "department": "Sales"])
    }

    @Test func extensionPathIgnoresURNCase() throws {
        let path = SCIMURN.enterpriseUser.uppercased()

        let result = try applyPatch([patchOperation("add", path: path, value: ["costCenter": "4130"])])

        #expect(result.resource[SCIMURN.enterpriseUser] == ["costCenter": "4130"])
        #expect(result.resource[path] == nil)
    }

    @Test func removingExtensionDropsItsSchema() throws {
        var resource = PatchFixtures.user.objectValue ?? JSONObject()
        resource[SCIMURN.enterpriseUser] = ["department": "Tour"]

        let result = try applyPatch([patchOperation("remove", path: SCIMURN.enterpriseUser)], to: .object(resource))

        #expect(result.resource[SCIMURN.enterpriseUser] == nil)
        #expect(result.resource["schemas"] == [.string(SCIMURN.user), .string(SCIMURN.frontTeammate)])
    }

    @Test func extensionPathWithStringIsInvalidValue() {
        let error = patchFailure([patchOperation("add", path: SCIMURN.enterpriseUser, value: "Sales")])

        #expect(error?.scimType == .invalidValue)
    }

    @Test func extensionAttributePathCreatesExtension() throws {
        let result = try applyPatch(
            [patchOperation("Add", path: "\(SCIMURN.enterpriseUser):department", value: "Tour")])

        #expect(result.resource[SCIMURN.enterpriseUser] == ["department": "Tour"])
    }
}

@Suite struct PatchValueFilterPaths {
    static let workEmailPath = #"emails[type eq "work"].value"#

    @Test(arguments: ["replace", "Replace", "add", "Add"])
    func missingWorkEmailIsCreated(op: String) throws {
        let result = try applyPatch([patchOperation(op, path: Self.workEmailPath, value: "babs@work.example")])

        let emails = try #require(result.resource["emails"]?.arrayValue)
        #expect(emails.count == 2)
        #expect(emails.first == ["value": "babs@home.example", "type": "home", "primary": true])
        #expect(emails.last?.serialized() == #"{"type":"work","value":"babs@work.example"}"#)
    }

    @Test func workEmailIsCreatedWithoutAnyEmails() throws {
        var resource = PatchFixtures.user.objectValue ?? JSONObject()
        resource["emails"] = nil

        let result = try applyPatch(
            [patchOperation("Replace", path: Self.workEmailPath, value: "babs@work.example")], to: .object(resource))

        #expect(result.resource["emails"] == [["type": "work", "value": "babs@work.example"]])
    }

    @Test func existingWorkEmailKeepsOtherSubAttributes() throws {
        var resource = PatchFixtures.user.objectValue ?? JSONObject()
        resource["emails"] = [
            ["value": "old@work.example", "type": "work", "primary": true],
            ["value": "babs@home.example", "type": "home"],
        ]

        let result = try applyPatch(
            [patchOperation("replace", path: Self.workEmailPath, value: "new@work.example")], to: .object(resource))

        #expect(
            result.resource["emails"]
                == [
                    ["value": "new@work.example", "type": "work", "primary": true],
                    ["value": "babs@home.example", "type": "home"],
                ])
    }

    @Test func nonEqualityFilterWithoutMatchIsNoTarget() {
        let error = patchFailure([patchOperation("replace", path: #"emails[value co "nobody"].type"#, value: "home")])

        #expect(error?.scimType == .noTarget)
    }

    @Test func replaceWholeValueWithoutMatchIsNoTarget() {
        let error = patchFailure(
            [patchOperation("replace", path: #"emails[type eq "other"]"#, value: ["value": "x@y.z", "type": "other"])])

        #expect(error?.status == 400)
        #expect(error?.scimType == .noTarget)
    }

    @Test func addWholeValueWithoutMatchAppends() throws {
        let result = try applyPatch(
            [patchOperation("add", path: #"emails[type eq "other"]"#, value: ["value": "x@y.z", "type": "other"])])

        #expect(result.resource["emails"]?.arrayValue?.last == ["value": "x@y.z", "type": "other"])
    }

    @Test func replaceWholeValueReplacesMatch() throws {
        let result = try applyPatch(
            [
                patchOperation(
                    "replace", path: #"emails[type eq "home"]"#, value: ["value": "new@home.example", "type": "home"])
            ])

        #expect(result.resource["emails"] == [["value": "new@home.example", "type": "home"]])
    }

    @Test func addWholeValueMergesIntoMatch() throws {
        let result = try applyPatch(
            [patchOperation("add", path: #"emails[type eq "home"]"#, value: ["display": "Home"])])

        #expect(
            result.resource["emails"]
                == [["value": "babs@home.example", "type": "home", "primary": true, "display": "Home"]])
    }

    @Test func removeFilteredSubAttributeOnlyFromMatches() throws {
        var resource = PatchFixtures.user.objectValue ?? JSONObject()
        resource["emails"] = [
            ["value": "w@example.com", "type": "work", "primary": true],
            ["value": "h@example.com", "type": "home", "primary": false],
        ]

        let result = try applyPatch(
            [patchOperation("remove", path: #"emails[type eq "home"].primary"#)], to: .object(resource))

        #expect(
            result.resource["emails"]
                == [
                    ["value": "w@example.com", "type": "work", "primary": true],
                    ["value": "h@example.com", "type": "home"],
                ])
    }

    @Test func removeFilteredValueLeavesOthers() throws {
        var resource = PatchFixtures.user.objectValue ?? JSONObject()
        resource["emails"] = [["value": "w@example.com", "type": "work"], ["value": "h@example.com", "type": "home"]]

        let result = try applyPatch([patchOperation("Remove", path: #"emails[type eq "home"]"#)], to: .object(resource))

        #expect(result.resource["emails"] == [["value": "w@example.com", "type": "work"]])
    }

    @Test func bracketInsideQuotedValueIsNotClosing() throws {
        let result = try applyPatch([patchOperation("replace", path: #"emails[value eq "a]b"].type"#, value: "other")])

        #expect(result.resource["emails"]?.arrayValue?.last == ["value": "a]b", "type": "other"])
    }

    static let invalidPaths = [
        "nope",
        "name.nope",
        "name.givenName.extra",
        #"emails[type eq "work""#,
        #"emails[type eq "work"].nope"#,
        #"emails[type zz "work"].value"#,
        #"emails[nope eq "work"].value"#,
        #"emails.value[type eq "work"]"#,
        #"displayName[value eq "x"]"#,
        #"name[givenName eq "x"]"#,
        "urn:example:unknown:2.0:User:x",
    ]

    @Test(arguments: invalidPaths)
    func invalidPathIsRejected(path: String) {
        let error = patchFailure([patchOperation("replace", path: path, value: "x")])

        #expect(error?.status == 400)
        #expect(error?.scimType == .invalidPath)
    }
}

@Suite struct PatchGroupMembers {
    func members(after operations: [JSONValue]) throws -> JSONValue? {
        try applyPatch(operations, to: PatchFixtures.group, resourceType: GroupSchemas.resourceType).resource["members"]
    }

    @Test func legacyValueListRemovesOnlyListed() throws {
        let remaining = try members(after: [
            patchOperation("Remove", path: "members", value: [["value": "u1"], ["value": "u3"]])
        ])

        #expect(remaining == [["value": "u2"]])
    }

    @Test func legacySingleValueRemovesOnlyIt() throws {
        let remaining = try members(after: [patchOperation("Remove", path: "members", value: ["value": "u2"])])

        #expect(remaining == [["value": "u1", "display": "Ann"], ["value": "u3"]])
    }

    @Test(arguments: [[["value": "u9"]], [["value": "U1"]], [["value": "u1", "type": "Group"]]] as [JSONValue])
    func unlistedMemberRemovesNothing(value: JSONValue) throws {
        let remaining = try members(after: [patchOperation("Remove", path: "members", value: value)])

        #expect(remaining == PatchFixtures.group["members"])
    }

    @Test func removingEveryListedMemberDropsAttribute() throws {
        let remaining = try members(after: [
            patchOperation("remove", path: "members", value: [["value": "u1"], ["value": "u2"], ["value": "u3"]])
        ])

        #expect(remaining == nil)
    }

    @Test func removeWithoutValueRemovesAll() throws {
        let remaining = try members(after: [patchOperation("remove", path: "members")])

        #expect(remaining == nil)
    }

    @Test func filterPathRemovesOnlyMatch() throws {
        let remaining = try members(after: [patchOperation("Remove", path: #"members[value eq "u2"]"#)])

        #expect(remaining == [["value": "u1", "display": "Ann"], ["value": "u3"]])
    }

    @Test func addAppendsOnlyNewMembers() throws {
        let remaining = try members(after: [
            patchOperation("Add", path: "members", value: [["value": "u2"], ["value": "u4"]])
        ])

        #expect(remaining == [["value": "u1", "display": "Ann"], ["value": "u2"], ["value": "u3"], ["value": "u4"]])
    }

    @Test func removingRequiredDisplayNameFails() {
        let error = patchFailure(
            [patchOperation("remove", path: "displayName")], to: PatchFixtures.group,
            resourceType: GroupSchemas.resourceType)

        #expect(error?.scimType == .invalidValue)
    }
}

@Suite struct PatchManagerForms {
    static let forms: [JSONValue] = [
        "m-1",
        ["value": "m-1"],
        [["value": "m-1"]],
        [["value": "m-1", "$ref": .null]],
        ["value": "m-1", "displayName": "Manager Name"],
    ]

    @Test(arguments: forms)
    func managerFormBecomesReference(value: JSONValue) throws {
        let result = try applyPatch([patchOperation("Replace", path: PatchFixtures.managerPath, value: value)])

        #expect(result.resource[SCIMURN.enterpriseUser] == ["manager": ["value": "m-1"]])
    }

    @Test(arguments: forms)
    func pathlessManagerFormBecomesReference(value: JSONValue) throws {
        let operation = patchOperation("add", value: .object(JSONObject([(PatchFixtures.managerPath, value)])))

        let result = try applyPatch([operation])

        #expect(result.resource[SCIMURN.enterpriseUser] == ["manager": ["value": "m-1"]])
    }

    @Test func managerValuePathSetsId() throws {
        let result = try applyPatch([patchOperation("add", path: "\(PatchFixtures.managerPath).value", value: "m-2")])

        #expect(result.resource[SCIMURN.enterpriseUser] == ["manager": ["value": "m-2"]])
    }

    @Test(arguments: [[["value": "m-1"], ["value": "m-2"]], 42, ["id": "m-1"], [[]]] as [JSONValue])
    func malformedManagerIsInvalidValue(value: JSONValue) {
        let error = patchFailure([patchOperation("replace", path: PatchFixtures.managerPath, value: value)])

        #expect(error?.scimType == .invalidValue)
    }

    @Test func removingManagerDropsEmptyExtension() throws {
        var resource = PatchFixtures.user.objectValue ?? JSONObject()
        resource[SCIMURN.enterpriseUser] = ["manager": ["value": "m-1"]]

        let result = try applyPatch([patchOperation("Remove", path: PatchFixtures.managerPath)], to: .object(resource))

        #expect(result.resource[SCIMURN.enterpriseUser] == nil)
        #expect(result.resource["schemas"] == [.string(SCIMURN.user), .string(SCIMURN.frontTeammate)])
    }
}

@Suite struct PatchMutability {
    static let readOnlyTargets: [(String, JSONValue)] = [
        ("id", "other"),
        ("meta", ["created": "2020-01-01T00:00:00Z"]),
        ("meta.created", "2020-01-01T00:00:00Z"),
        ("groups", [["value": "g1"]]),
        ("\(PatchFixtures.managerPath).displayName", "Someone"),
    ]

    @Test(arguments: readOnlyTargets)
    func readOnlyTargetIsMutabilityError(path: String, value: JSONValue) {
        let error = patchFailure([patchOperation("replace", path: path, value: value)])

        #expect(error?.status == 400)
        #expect(error?.scimType == .mutability)
    }

    @Test func ignoredImmutableKeepsValueAndReportsPath() throws {
        let result = try applyPatch(
            [
                patchOperation("replace", path: "displayName", value: "Changed"),
                patchOperation("replace", path: PatchFixtures.templatePath, value: "template-sales"),
            ],
            immutableHandling: .ignore)

        #expect(result.resource["displayName"] == "Changed")
        #expect(result.resource[SCIMURN.frontTeammate] == ["template": "template-support"])
        #expect(result.ignoredPaths == [PatchFixtures.templatePath])
    }

    @Test func rejectedImmutableIsMutabilityError() throws {
        let error = try #require(
            patchFailure(
                [
                    patchOperation("replace", path: "displayName", value: "Changed"),
                    patchOperation("replace", path: PatchFixtures.templatePath, value: "template-sales"),
                ],
                immutableHandling: .reject))

        #expect(error.status == 400)
        #expect(error.scimType == .mutability)
        #expect(
            error.detail
                == "Operations[1]: '\(PatchFixtures.templatePath)' is immutable: it can be set only when the resource is created"
        )
    }

    @Test func overwrittenImmutableTakesNewValue() throws {
        let result = try applyPatch(
            [patchOperation("replace", path: PatchFixtures.templatePath, value: "template-sales")],
            immutableHandling: .overwrite)

        #expect(result.resource[SCIMURN.frontTeammate] == ["template": "template-sales"])
        #expect(result.ignoredPaths.isEmpty)
    }

    static let templateOperations: [JSONValue] = [
        patchOperation("replace", path: PatchFixtures.templatePath, value: "template-sales"),
        patchOperation("Add", value: .object(JSONObject([(PatchFixtures.templatePath, "template-sales")]))),
        patchOperation("replace", path: SCIMURN.frontTeammate, value: ["template": "template-sales"]),
        patchOperation("remove", path: PatchFixtures.templatePath),
    ]

    @Test(arguments: templateOperations)
    func everyTemplateFormIsIgnored(operation: JSONValue) throws {
        let result = try applyPatch([operation], immutableHandling: .ignore)

        #expect(result.resource[SCIMURN.frontTeammate] == ["template": "template-support"])
        #expect(result.ignoredPaths == [PatchFixtures.templatePath])
    }

    @Test func ignoredExtensionRemovalKeepsTemplate() throws {
        let result = try applyPatch([patchOperation("remove", path: SCIMURN.frontTeammate)], immutableHandling: .ignore)

        #expect(result.resource[SCIMURN.frontTeammate] == ["template": "template-support"])
    }

    @Test func rejectedExtensionRemovalIsMutabilityError() {
        let error = patchFailure([patchOperation("remove", path: SCIMURN.frontTeammate)], immutableHandling: .reject)

        #expect(error?.scimType == .mutability)
    }

    @Test(arguments: templateOperations)
    func everyTemplateFormIsRejected(operation: JSONValue) {
        let error = patchFailure([operation], immutableHandling: .reject)

        #expect(error?.scimType == .mutability)
    }
}

@Suite struct PatchAtomicity {
    @Test func failingOperationNamesItsIndex() throws {
        let original = try #require(PatchFixtures.user.objectValue)
        let applier = PatchApplier(resourceType: UserSchemas.resourceType)
        let request = try PatchRequest.parse(
            patchBody([
                patchOperation("replace", path: "displayName", value: "Changed"),
                patchOperation("replace", path: "active", value: "maybe"),
            ]))

        let error = scimError { () throws(SCIMError) in try applier.apply(request, to: original) }

        #expect(error?.scimType == .invalidValue)
        #expect(error?.detail.hasPrefix("Operations[1]: ") == true)
        #expect(original["displayName"] == "Babs Jensen")
    }

    @Test func operationsApplyInOrder() throws {
        let result = try applyPatch([
            patchOperation("add", path: "nickName", value: "Babs"),
            patchOperation("replace", path: "displayName", value: "First"),
            patchOperation("remove", path: "nickName"),
            patchOperation("replace", path: "displayName", value: "Second"),
        ])

        #expect(result.resource["nickName"] == nil)
        #expect(result.resource["displayName"] == "Second")
    }

    @Test(arguments: [
        patchOperation("remove", path: "userName"),
        patchOperation("replace", path: "userName", value: ""),
        patchOperation("replace", path: "userName", value: .null),
    ])
    func removingUserNameIsInvalidValue(operation: JSONValue) {
        let error = patchFailure([operation])

        #expect(error?.scimType == .invalidValue)
    }
}

@Suite struct PatchValueHandling {
    @Test(arguments: [("False", false), ("TRUE", true), ("false", false), (false, false)] as [(JSONValue, Bool)])
    func anyCaseBooleanStringsAreAccepted(value: JSONValue, expected: Bool) throws {
        let result = try applyPatch([patchOperation("Replace", path: "active", value: value)])

        #expect(result.resource["active"] == .bool(expected))
    }

    @Test func strictModeRejectsCapitalisedString() throws {
        let strict = ValueCoercion(booleanStrings: .lowercaseOnly)

        let error = patchFailure([patchOperation("Replace", path: "active", value: "False")], coercion: strict)
        let accepted = try applyPatch([patchOperation("Replace", path: "active", value: "false")], coercion: strict)

        #expect(error?.scimType == .invalidValue)
        #expect(error?.detail.contains("ToLower") == true)
        #expect(accepted.resource["active"] == false)
    }

    @Test func rejectStringsAcceptsOnlyBooleans() throws {
        let coercion = ValueCoercion(booleanStrings: .rejectStrings)

        let error = patchFailure([patchOperation("replace", path: "active", value: "false")], coercion: coercion)
        let accepted = try applyPatch([patchOperation("replace", path: "active", value: false)], coercion: coercion)

        #expect(error?.scimType == .invalidValue)
        #expect(accepted.resource["active"] == false)
    }

    @Test func addingPrimaryEmailDemotesOldPrimary() throws {
        let result = try applyPatch([
            patchOperation("add", path: "emails", value: [["value": "w@example.com", "type": "work", "primary": true]])
        ])

        #expect(
            result.resource["emails"]
                == [
                    ["value": "babs@home.example", "type": "home", "primary": false],
                    ["value": "w@example.com", "type": "work", "primary": true],
                ])
    }

    @Test func addingExistingEmailDoesNotDuplicate() throws {
        let result = try applyPatch([
            patchOperation(
                "add", path: "emails", value: [["value": "babs@home.example", "type": "home", "primary": true]])
        ])

        #expect(result.resource["emails"] == PatchFixtures.user["emails"])
    }

    @Test func replacingWithNullRemovesAttribute() throws {
        let result = try applyPatch([patchOperation("replace", path: "title", value: .null)])

        #expect(result.resource["title"] == nil)
    }

    @Test func nullSubAttributeIsRemoved() throws {
        let result = try applyPatch([patchOperation("replace", path: "name.givenName", value: .null)])

        #expect(result.resource["name"] == ["familyName": "Jensen"])
    }

    @Test func nullFilteredSubAttributeIsRemoved() throws {
        let result = try applyPatch([patchOperation("replace", path: #"emails[type eq "home"].primary"#, value: .null)])

        #expect(result.resource["emails"] == [["value": "babs@home.example", "type": "home"]])
    }

    @Test func nullSubAttributeOfEveryValueIsRemoved() throws {
        let result = try applyPatch([patchOperation("replace", path: "emails.primary", value: .null)])

        #expect(result.resource["emails"] == [["value": "babs@home.example", "type": "home"]])
    }

    @Test(arguments: [("DISPLAYNAME", "displayName"), ("NickName", "nickName")])
    func pathIgnoresCaseAndStoresSchemaName(path: String, stored: String) throws {
        let result = try applyPatch([patchOperation("replace", path: path, value: "X")])

        #expect(result.resource[stored] == "X")
        #expect(result.resource.keys.contains(path) == false)
    }

    @Test func subAttributePathIgnoresCase() throws {
        let result = try applyPatch([patchOperation("replace", path: "NAME.GIVENNAME", value: "Babs")])

        #expect(result.resource["name"] == ["givenName": "Babs", "familyName": "Jensen"])
    }

    @Test func wrongValueTypeIsInvalidValue() {
        let error = patchFailure([patchOperation("replace", path: "displayName", value: 5)])

        #expect(error?.scimType == .invalidValue)
        #expect(error?.detail == "Operations[0]: 'displayName' must be a string, not number 5")
    }
}
