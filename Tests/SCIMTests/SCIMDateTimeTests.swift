import SCIM
import Testing

@Suite struct SCIMDateTimeParsing {
    static let valid: [(String, Double)] = [
        ("1970-01-01T00:00:00Z", 0),
        ("2024-05-01T12:00:00Z", 1_714_564_800),
        ("2024-05-01T14:00:00+02:00", 1_714_564_800),
        ("2024-05-01T07:30:00-04:30", 1_714_564_800),
        ("2024-05-01t12:00:00z", 1_714_564_800),
        ("2024-05-01T12:00:00.5Z", 1_714_564_800.5),
        ("2024-05-01T12:00:00.250+00:00", 1_714_564_800.25),
        ("2024-05-01T12:00:00-00:00", 1_714_564_800),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("2024-02-29T23:59:59Z", 1_709_251_199),
        ("1969-12-31T23:59:59Z", -1),
        ("2016-12-31T23:59:60Z", 1_483_228_800),
        ("1600-01-01T00:00:00Z", -11_676_096_000),
    ]

    @Test(arguments: valid)
    func timestampParsesToEpochSeconds(text: String, seconds: Double) {
        let parsed = SCIMDateTime.parse(text)

        #expect(parsed == seconds)
    }

    static let invalid = [
        "",
        "2024-05-01",
        "2024-05-01T12:00:00",
        "2024-05-01 12:00:00Z",
        "2024-05-01T12:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-01T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-05-00T00:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z",
        "2024-05-01T12:00:61Z",
        "2024-05-01T12:00:00.Z",
        "2024-05-01T12:00:00+2:00",
        "2024-05-01T12:00:00+0200",
        "2024-05-01T12:00:00+02:00Z",
        "2024-05-01T12:00:00Zjunk",
        "2024-05-01T12:00:00+24:00",
        "2024-05-01T12:00:00+02:60",
        "2024-5-01T12:00:00Z",
        "24-05-01T12:00:00Z",
        "2024/05/01T12:00:00Z",
        "2024-05-01T12:00:00ZZ",
        "２０２４-05-01T12:00:00Z",
        "May 1, 2024 12:00:00 UTC",
    ]

    @Test(arguments: invalid)
    func malformedTimestampIsNil(text: String) {
        let parsed = SCIMDateTime.parse(text)

        #expect(parsed == nil)
    }
}

@Suite struct SCIMDateTimeFormatting {
    static let formatted: [(Double, String)] = [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_714_564_800, "2024-05-01T12:00:00.000Z"),
        (1_714_564_800.5, "2024-05-01T12:00:00.500Z"),
        (1_714_564_800.9999, "2024-05-01T12:00:01.000Z"),
        (1_714_564_800.9994, "2024-05-01T12:00:00.999Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.000Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"),
        (-86_400, "1969-12-31T00:00:00.000Z"),
        (-11_676_096_000, "1600-01-01T00:00:00.000Z"),
        (253_402_300_799, "9999-12-31T23:59:59.000Z"),
    ]

    @Test(arguments: formatted)
    func secondsFormatAsMillisecondTimestamp(seconds: Double, text: String) {
        let output = SCIMDateTime.format(seconds)

        #expect(output == text)
    }

    static let roundTrips = [
        "2024-05-01T12:00:00.000Z",
        "2024-05-01T12:00:00.123Z",
        "2024-05-01T12:00:00.001Z",
        "2024-05-01T12:00:00.999Z",
        "2026-12-04T16:08:26.584Z",
        "1970-01-01T00:00:00.035Z",
        "1974-04-18T12:41:12.077Z",
    ]

    @Test(arguments: roundTrips)
    func formatInvertsParseAtMilliseconds(text: String) throws {
        let seconds = try #require(SCIMDateTime.parse(text))

        let output = SCIMDateTime.format(seconds)

        #expect(output == text)
    }
}

@Suite struct AttributePathParsing {
    static let paths: [(String, AttributePath)] = [
        ("userName", attribute("userName")),
        ("name.givenName", attribute("name", "givenName")),
        ("NAME.GIVENNAME", attribute("NAME", "GIVENNAME")),
        ("members.$ref", attribute("members", "$ref")),
        ("x509Certificates", attribute("x509Certificates")),
        ("emails_2-b", attribute("emails_2-b")),
        ("\(SCIMURN.user):userName", attribute("userName", urn: SCIMURN.user)),
        ("\(SCIMURN.user):name.familyName", attribute("name", "familyName", urn: SCIMURN.user)),
        ("\(SCIMURN.enterpriseUser):manager", attribute("manager", urn: SCIMURN.enterpriseUser)),
        ("\(SCIMURN.enterpriseUser):manager.value", attribute("manager", "value", urn: SCIMURN.enterpriseUser)),
        ("\(SCIMURN.frontTeammate):template", attribute("template", urn: SCIMURN.frontTeammate)),
        ("urn:example:custom:Thing:color", attribute("color", urn: "urn:example:custom:Thing")),
    ]

    @Test(arguments: paths)
    func pathSplitsIntoParts(text: String, expected: AttributePath) throws {
        let parsed = try AttributePath.parse(text, knownSchemas: UserSchemas.resourceType.schemaURNs)

        #expect(parsed == expected)
        #expect(parsed.description == text)
    }

    @Test func knownSchemaKeepsWrittenCase() throws {
        let text = "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:manager.value"

        let parsed = try AttributePath.parse(text, knownSchemas: [SCIMURN.enterpriseUser])

        #expect(parsed.schemaURN == "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER")
        #expect(parsed.name == "manager")
        #expect(parsed.subAttribute == "value")
    }

    static let invalid = [
        "",
        ".",
        "name.",
        ".givenName",
        "name.givenName.extra",
        "1name",
        "na me",
        "user$Name",
        "$refs",
        "émail",
        "name.given name",
        "\(SCIMURN.user):",
        "\(SCIMURN.user):1userName",
        #"emails[type eq "work"]"#,
    ]

    @Test(arguments: invalid)
    func malformedPathIsInvalidPath(text: String) {
        let error = scimError { () throws(SCIMError) in
            try AttributePath.parse(text, knownSchemas: UserSchemas.resourceType.schemaURNs)
        }

        #expect(error?.status == 400)
        #expect(error?.scimType == .invalidPath)
    }

    static let resolved: [(String, String?, String, String?)] = [
        ("userName", nil, "userName", nil),
        ("USERNAME", nil, "userName", nil),
        ("id", nil, "id", nil),
        ("meta.lastModified", nil, "meta", "lastModified"),
        ("emails.VALUE", nil, "emails", "value"),
        ("\(SCIMURN.user):displayName", nil, "displayName", nil),
        ("\(SCIMURN.enterpriseUser):manager.value", SCIMURN.enterpriseUser, "manager", "value"),
        ("\(SCIMURN.frontTeammate.uppercased()):TEMPLATE", SCIMURN.frontTeammate, "template", nil),
    ]

    @Test(arguments: resolved)
    func pathResolvesToSchemaAttribute(text: String, extensionURN: String?, name: String, subAttribute: String?)
        throws
    {
        let type = UserSchemas.resourceType
        let path = try AttributePath.parse(text, knownSchemas: type.schemaURNs)

        let resolution = try type.resolve(path)

        #expect(resolution.extensionURN == extensionURN)
        #expect(resolution.attribute.name == name)
        #expect(resolution.subAttribute?.name == subAttribute)
    }

    @Test(arguments: ["nope", "name.nope", "\(SCIMURN.enterpriseUser):nope", "urn:example:unknown:1.0:User:x"])
    func unknownAttributeFailsToResolve(text: String) throws {
        let type = UserSchemas.resourceType
        let path = try AttributePath.parse(text, knownSchemas: type.schemaURNs)

        let asPath = scimError { () throws(SCIMError) in try type.resolve(path) }
        let asFilter = scimError { () throws(SCIMError) in try type.resolve(path, filterContext: true) }

        #expect(asPath?.scimType == .invalidPath)
        #expect(asFilter?.scimType == .invalidFilter)
    }
}
