import SCIM
import Testing

/// A resource type with integer and decimal attributes, which the User schema lacks, so that
/// numeric comparisons have a truth table too.
enum WidgetSchemas {
    static let resourceType = ResourceType(
        name: "Widget", endpoint: "/Widgets", description: "Test resource",
        schema: Schema(
            id: "urn:example:params:scim:schemas:Widget", name: "Widget", description: "Test resource",
            attributes: [
                SchemaAttribute("count", type: .integer),
                SchemaAttribute("weight", type: .decimal),
                SchemaAttribute("flag", type: .boolean),
                SchemaAttribute("code", caseExact: true),
                SchemaAttribute("label"),
                SchemaAttribute("tags", multiValued: true),
                SchemaAttribute("sizes", type: .integer, multiValued: true),
                SchemaAttribute("when", type: .dateTime),
            ]),
        extensions: [])

    static let widget: JSONValue = [
        "count": 10, "weight": 2.5, "flag": false, "code": "AbC", "label": "AbC", "tags": ["red", "Blue"],
        "sizes": [1, 5, 9], "when": "2024-01-01T00:00:00Z",
    ]
}

enum FilterFixtures {
    static let managerId = "26118915-6090-4610-87e4-49d8ca9f808d"

    /// Barbara Jensen from RFC 7643 section 8.2, with a null, an empty string and an empty array.
    static let user: JSONValue = [
        "schemas": [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser)],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "BJensen",
        "userName": "bjensen@example.com",
        "displayName": "Babs Jensen",
        "nickName": .null,
        "title": "",
        "active": true,
        "name": ["givenName": "Barbara", "familyName": "Jensen"],
        "emails": [
            ["value": "bjensen@example.com", "type": "work", "primary": true],
            ["value": "babs@jensen.org", "type": "home"],
        ],
        "phoneNumbers": [],
        "meta": [
            "resourceType": "User", "created": "2024-05-01T12:00:00Z", "lastModified": "2024-05-01T14:30:00+02:00",
        ],
        SCIMURN.enterpriseUser: ["employeeNumber": "701984", "manager": ["value": .string(managerId)]],
    ]
}

/// Parses, validates and evaluates `filter` against `resource`.
func evaluate(_ filter: String, against resource: JSONValue, type: ResourceType) throws -> Bool {
    let expression = try FilterParser.parse(filter, knownSchemas: type.schemaURNs)
    let evaluator = FilterEvaluator(resourceType: type)
    try evaluator.validate(expression)
    return try evaluator.matches(expression, resource: resource.objectValue ?? JSONObject())
}

@Suite struct FilterEvaluatorTruthTables {
    static let caseSensitivity: [(String, Bool)] = [
        (#"userName eq "BJENSEN@EXAMPLE.COM""#, true),
        (#"userName eq "bjensen@example.com""#, true),
        (#"userName ne "BJENSEN@example.com""#, false),
        (#"displayName sw "babs""#, true),
        (#"displayName ew "JENSEN""#, true),
        (#"displayName co "S J""#, true),
        (#"name.familyName eq "JENSEN""#, true),
        (#"userName gt "BJ""#, true),
        (#"userName lt "C""#, true),
        (#"userName le "A""#, false),
        (#"externalId eq "BJensen""#, true),
        (#"externalId eq "bjensen""#, false),
        (#"externalId ne "bjensen""#, true),
        (#"externalId sw "bj""#, false),
        (#"externalId co "Jen""#, true),
        (#"id eq "2819C223-7F76-453A-919D-413861904646""#, false),
        (#"id eq "2819c223-7f76-453a-919d-413861904646""#, true),
        (#"USERNAME eq "bjensen@example.com""#, true),
        (#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com""#, true),
    ]

    static let multiValued: [(String, Bool)] = [
        (#"emails.value eq "babs@jensen.org""#, true),
        (#"emails.value eq "BABS@JENSEN.ORG""#, true),
        (#"emails co "jensen.org""#, true),
        (#"emails eq "nobody@example.com""#, false),
        (#"emails.type eq "home""#, true),
        (#"emails[type eq "home" and value ew ".org"]"#, true),
        (#"emails[type eq "work" and value ew ".org"]"#, false),
        (#"emails.type eq "work" and emails.value ew ".org""#, true),
        (#"emails[type eq "other"]"#, false),
        (#"Emails[TYPE eq "WORK"]"#, true),
        ("emails.primary eq true", true),
        (#"emails[primary eq true].value eq "bjensen@example.com""#, true),
        (#"emails[type eq "home"].value eq "bjensen@example.com""#, false),
        (#"emails[type eq "work"].value pr"#, true),
        (#"emails[type eq "home"].primary pr"#, false),
    ]

    static let booleans: [(String, Bool)] = [
        ("active eq true", true),
        ("active eq false", false),
        ("active ne false", true),
        ("active ne true", false),
        ("ACTIVE eq TRUE", true),
    ]

    static let dateTimes: [(String, Bool)] = [
        (#"meta.lastModified eq "2024-05-01T12:30:00Z""#, true),
        (#"meta.lastModified eq "2024-05-01T14:30:00Z""#, false),
        (#"meta.created lt "2024-05-01T12:00:00.001Z""#, true),
        (#"meta.created gt "2024-05-01T13:00:00+02:00""#, true),
        (#"meta.created ge "2024-05-01T12:00:00Z""#, true),
        (#"meta.created le "2024-05-01T11:59:59Z""#, false),
        (#"meta.created ne "2024-05-01T08:00:00-04:00""#, false),
        (#"meta.created eq "2024-05-01t12:00:00.000z""#, true),
    ]

    static let presence: [(String, Bool)] = [
        ("displayName pr", true),
        ("title pr", false),
        ("nickName pr", false),
        ("phoneNumbers pr", false),
        ("emails pr", true),
        ("name pr", true),
        ("name.middleName pr", false),
        ("active pr", true),
        ("emails.display pr", false),
        ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr", true),
        ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr", false),
        ("urn:ietf:params:scim:schemas:extension:frontapp:teammate:template pr", false),
        ("not (title pr)", true),
    ]

    static let notEqualAndNull: [(String, Bool)] = [
        (#"title ne "x""#, true),
        (#"nickName ne "x""#, true),
        (#"emails.type ne "work""#, false),
        (#"emails.type ne "other""#, true),
        ("nickName eq null", true),
        ("title eq null", true),
        ("displayName eq null", false),
        ("displayName ne null", true),
        ("nickName ne null", false),
    ]

    static let extensionsAndLogic: [(String, Bool)] = [
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#, true),
        (
            #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
            true
        ),
        (
            #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
            true
        ),
        (#"not (userName eq "x")"#, true),
        (#"userName eq "x" or active eq true"#, true),
        (#"userName eq "x" and active eq true"#, false),
        (#"not (userName eq "x" or active eq false) and title eq null"#, true),
    ]

    static let userTable: [(String, Bool)] = [
        caseSensitivity, multiValued, booleans, dateTimes, presence, notEqualAndNull, extensionsAndLogic,
    ].flatMap { $0 }

    @Test(arguments: userTable)
    func userFilterHasExpectedTruth(filter: String, expected: Bool) throws {
        let matched = try evaluate(filter, against: FilterFixtures.user, type: UserSchemas.resourceType)

        #expect(matched == expected)
    }

    static let widgetTable: [(String, Bool)] = [
        ("count eq 10", true),
        ("count eq 10.0", true),
        ("count eq 1e1", true),
        ("count ne 10", false),
        ("count gt 9", true),
        ("count gt 10", false),
        ("count ge 10", true),
        ("count lt 10", false),
        ("count le 10", true),
        ("count lt 10.5", true),
        ("weight gt 2.49", true),
        ("weight lt 2.5", false),
        ("weight eq 2.50", true),
        ("flag eq false", true),
        ("flag ne true", true),
        ("flag eq true", false),
        (#"code eq "abc""#, false),
        (#"code eq "AbC""#, true),
        (#"code sw "Ab""#, true),
        (#"code sw "ab""#, false),
        (#"label eq "abc""#, true),
        (#"label ew "BC""#, true),
        (#"tags eq "blue""#, true),
        (#"tags eq "green""#, false),
        (#"tags co "E""#, true),
        ("tags pr", true),
        ("sizes gt 8", true),
        ("sizes lt 1", false),
        ("sizes eq 5", true),
        ("sizes ne 5", false),
        (#"when lt "2024-01-01T00:00:01Z""#, true),
        (#"when gt "2023-12-31T19:00:00-05:00""#, false),
        ("count gt 9 and flag eq false", true),
    ]

    @Test(arguments: widgetTable)
    func widgetFilterHasExpectedTruth(filter: String, expected: Bool) throws {
        let matched = try evaluate(filter, against: WidgetSchemas.widget, type: WidgetSchemas.resourceType)

        #expect(matched == expected)
    }

    @Test func valueFilterMatchesSingleElement() throws {
        let evaluator = FilterEvaluator(resourceType: UserSchemas.resourceType)
        let emails = try #require(UserSchemas.core.attribute(named: "emails"))
        let filter = try FilterParser.parse(#"type eq "WORK" and primary eq true"#)
        let work: JSONObject = JSONObject([("value", "a@b.c"), ("type", "work"), ("primary", true)])
        let home: JSONObject = JSONObject([("value", "a@b.c"), ("type", "home")])

        #expect(try evaluator.matches(filter, element: work, of: emails))
        #expect(try !evaluator.matches(filter, element: home, of: emails))
    }
}

@Suite struct FilterEvaluatorValidation {
    static let invalidForUsers = [
        #"active eq "true""#,
        "active gt true",
        "userName eq 5",
        "userName eq true",
        #"meta.created eq "yesterday""#,
        #"meta.created co "2024""#,
        #"favoriteColor eq "blue""#,
        #"name eq "x""#,
        "name.nope pr",
        #"userName[value eq "x"]"#,
        #"emails[nope eq "x"]"#,
        #"emails[type eq "work"].nope eq "x""#,
        "userName gt null",
        "userName co null",
        #"urn:example:unknown:1.0:User:userName eq "x""#,
        #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoeSize eq "9""#,
        #"x509Certificates.value gt "abc""#,
        #"x509Certificates.value eq 5"#,
    ]

    @Test(arguments: invalidForUsers)
    func userFilterFailsValidation(filter: String) throws {
        let expression = try FilterParser.parse(filter, knownSchemas: UserSchemas.resourceType.schemaURNs)
        let evaluator = FilterEvaluator(resourceType: UserSchemas.resourceType)

        let error = scimError { () throws(SCIMError) in try evaluator.validate(expression) }

        #expect(error?.status == 400)
        #expect(error?.scimType == .invalidFilter)
    }

    static let invalidForWidgets = [
        "count co 1", #"count eq "10""#, "count sw 1", "flag gt true", "flag eq 1", #"when co "2024""#, "when eq 5",
        "sizes ew 1",
    ]

    @Test(arguments: invalidForWidgets)
    func widgetFilterFailsValidation(filter: String) throws {
        let expression = try FilterParser.parse(filter)
        let evaluator = FilterEvaluator(resourceType: WidgetSchemas.resourceType)

        let error = scimError { () throws(SCIMError) in try evaluator.validate(expression) }

        #expect(error?.scimType == .invalidFilter)
    }

    @Test func unknownAttributeFailsDuringMatching() throws {
        let expression = try FilterParser.parse(#"favoriteColor eq "blue""#)
        let evaluator = FilterEvaluator(resourceType: UserSchemas.resourceType)

        let error = scimError { () throws(SCIMError) in
            try evaluator.matches(expression, resource: FilterFixtures.user.objectValue ?? JSONObject())
        }

        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail.contains("favoriteColor") == true)
    }
}
