import SCIM
import Testing

func normalizeUser(_ body: JSONValue, coercion: ValueCoercion = ValueCoercion()) throws(SCIMError) -> JSONObject {
    try ResourceNormalizer(resourceType: UserSchemas.resourceType, coercion: coercion).normalize(body)
}

func normalizeFailure(_ body: JSONValue) -> SCIMError? {
    scimError { () throws(SCIMError) in try normalizeUser(body) }
}

@Suite struct ResourceNormalizerSchemas {
    static let invalidSchemas: [JSONValue] = [
        ["userName": "bjensen"],
        ["schemas": .string(SCIMURN.user), "userName": "bjensen"],
        ["schemas": [.string(SCIMURN.user), 5], "userName": "bjensen"],
        ["schemas": [], "userName": "bjensen"],
        ["schemas": [.string(SCIMURN.enterpriseUser)], "userName": "bjensen"],
        ["schemas": [.string(SCIMURN.group)], "userName": "bjensen"],
    ]

    @Test(arguments: invalidSchemas)
    func badSchemasIsInvalidSyntax(body: JSONValue) {
        let error = normalizeFailure(body)

        #expect(error?.status == 400)
        #expect(error?.scimType == .invalidSyntax)
    }

    @Test(arguments: ["text", 5, [1], .null] as [JSONValue])
    func nonObjectBodyIsInvalidSyntax(body: JSONValue) {
        let error = normalizeFailure(body)

        #expect(error?.scimType == .invalidSyntax)
    }

    @Test func schemasMatchIgnoringCaseAndAreRewritten() throws {
        let body: JSONValue = [
            "SCHEMAS": [.string(SCIMURN.user.uppercased()), .string(SCIMURN.enterpriseUser)],
            "userName": "bjensen",
        ]

        let output = try normalizeUser(body)

        #expect(output["schemas"] == [.string(SCIMURN.user)])
        #expect(output.keys == ["schemas", "userName"])
    }

    @Test func schemasListOnlyExtensionsInUse() throws {
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.user)],
            "userName": "bjensen",
            SCIMURN.frontTeammate: ["template": "template-support"],
            SCIMURN.enterpriseUser: ["department": "Tour"],
        ]

        let output = try normalizeUser(body)

        #expect(
            output["schemas"] == [
                .string(SCIMURN.user), .string(SCIMURN.enterpriseUser), .string(SCIMURN.frontTeammate),
            ])
    }
}

@Suite struct ResourceNormalizerAttributes {
    @Test func flatURNKeysMoveIntoExtension() throws {
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.user)],
            "userName": "bjensen",
            "\(SCIMURN.enterpriseUser):employeeNumber": "701984",
            "\(SCIMURN.enterpriseUser):manager": "26118915",
            "\(SCIMURN.frontTeammate):template": "template-support",
        ]

        let output = try normalizeUser(body)

        #expect(output[SCIMURN.enterpriseUser] == ["employeeNumber": "701984", "manager": ["value": "26118915"]])
        #expect(output[SCIMURN.frontTeammate] == ["template": "template-support"])
        #expect(output["\(SCIMURN.enterpriseUser):employeeNumber"] == nil)
        #expect(output["\(SCIMURN.frontTeammate):template"] == nil)
        #expect(
            output["schemas"]
                == [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser), .string(SCIMURN.frontTeammate)])
    }

    @Test func flatKeyAndExtensionObjectCombine() throws {
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.user)],
            "userName": "bjensen",
            SCIMURN.enterpriseUser: ["department": "Tour"],
            "\(SCIMURN.enterpriseUser):costCenter": "4130",
        ]

        let output = try normalizeUser(body)

        #expect(output[SCIMURN.enterpriseUser] == ["department": "Tour", "costCenter": "4130"])
    }

    @Test func coreURNQualifiedKeyIsCoreAttribute() throws {
        let body: JSONValue = ["schemas": [.string(SCIMURN.user)], "\(SCIMURN.user):userName": "bjensen"]

        let output = try normalizeUser(body)

        #expect(output["userName"] == "bjensen")
        #expect(output.keys == ["schemas", "userName"])
    }

    static let unassignedValues: [(String, JSONValue)] = [
        ("nickName", .null),
        ("phoneNumbers", []),
        ("emails", [.null]),
        ("name", [:]),
        ("addresses", [["formatted": .null]]),
        (SCIMURN.enterpriseUser, .null),
        (SCIMURN.enterpriseUser, [:]),
        (SCIMURN.frontTeammate, ["template": .null]),
        ("\(SCIMURN.enterpriseUser):department", .null),
    ]

    @Test(arguments: unassignedValues)
    func unassignedValueIsDropped(key: String, value: JSONValue) throws {
        let body: JSONValue = .object(
            JSONObject([("schemas", [.string(SCIMURN.user)]), ("userName", "bjensen"), (key, value)]))

        let output = try normalizeUser(body)

        #expect(output.keys == ["schemas", "userName"])
        #expect(output["schemas"] == [.string(SCIMURN.user)])
    }

    @Test func namesTakeSchemaSpelling() throws {
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.user)],
            "USERNAME": "bjensen",
            "Name": ["GIVENNAME": "Barbara"],
            "emails": [["VALUE": "b@example.com", "Type": "work"]],
        ]

        let output = try normalizeUser(body)

        #expect(output.keys == ["schemas", "userName", "name", "emails"])
        #expect(output["name"]?.objectValue?.keys == ["givenName"])
        #expect(output["emails"]?.arrayValue?.first?.objectValue?.keys == ["value", "type"])
    }

    @Test func readOnlyAttributesAreIgnored() throws {
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.user)],
            "id": "client-chosen",
            "userName": "bjensen",
            "meta": ["resourceType": "User", "created": "2024-05-01T12:00:00Z"],
            "groups": [["value": "g1"]],
            SCIMURN.enterpriseUser: ["manager": ["value": "m-1", "displayName": "Boss"]],
        ]

        let output = try normalizeUser(body)

        #expect(output.keys == ["schemas", "userName", SCIMURN.enterpriseUser])
        #expect(output[SCIMURN.enterpriseUser] == ["manager": ["value": "m-1"]])
    }

    @Test func valuesAreCoercedToSchemaTypes() throws {
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.user)],
            "userName": "bjensen",
            "active": "False",
            "emails": ["value": "b@example.com", "primary": "TRUE"],
        ]

        let output = try normalizeUser(body)

        #expect(output["active"] == false)
        #expect(output["emails"] == [["value": "b@example.com", "primary": true]])
    }

    @Test func keyOrderFollowsRequest() throws {
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.user)],
            "externalId": "bjensen",
            "userName": "bjensen@example.com",
            "active": true,
            "displayName": "Babs",
        ]

        let output = try normalizeUser(body)

        #expect(output.keys == ["schemas", "externalId", "userName", "active", "displayName"])
    }

    static let unknownAttributes: [(String, JSONValue)] = [
        ("favoriteColor", "blue"),
        ("name.givenName", "Barbara"),
        ("\(SCIMURN.enterpriseUser):shoeSize", "9"),
        ("urn:example:unknown:1.0:User:x", "y"),
        (SCIMURN.enterpriseUser, ["shoeSize": "9"]),
        (SCIMURN.enterpriseUser, "Tour"),
        ("emails", [["value": "b@example.com", "color": "red"]]),
        ("name", ["givenName": "Barbara", "nickname": "Babs"]),
        ("1userName", "x"),
    ]

    @Test(arguments: unknownAttributes)
    func unknownAttributeIsInvalidValue(key: String, value: JSONValue) {
        let body: JSONValue = .object(
            JSONObject([("schemas", [.string(SCIMURN.user)]), ("userName", "bjensen"), (key, value)]))

        let error = normalizeFailure(body)

        #expect(error?.status == 400)
        #expect(error?.scimType == .invalidValue)
    }

    @Test(arguments: [nil, "", 5] as [JSONValue?])
    func missingUserNameIsInvalidValue(userName: JSONValue?) {
        var object = JSONObject([("schemas", [.string(SCIMURN.user)])])
        object["userName"] = userName

        let error = normalizeFailure(.object(object))

        #expect(error?.scimType == .invalidValue)
    }

    @Test func groupNormalizesMembers() throws {
        let normalizer = ResourceNormalizer(resourceType: GroupSchemas.resourceType)
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.group)],
            "displayName": "Sales",
            "members": [["value": "u1", "display": "Ann"], ["value": "u2", "type": "User"]],
        ]

        let output = try normalizer.normalize(body)

        #expect(output["members"] == [["value": "u1"], ["value": "u2", "type": "User"]])
        #expect(output["schemas"] == [.string(SCIMURN.group)])
    }
}
