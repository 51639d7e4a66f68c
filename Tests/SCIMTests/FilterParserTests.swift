import SCIM
import Testing

/// Builds an attribute path the way a test reads it: `attribute("name", "givenName")`.
func attribute(_ name: String, _ subAttribute: String? = nil, urn: String? = nil) -> AttributePath {
    AttributePath(schemaURN: urn, name: name, subAttribute: subAttribute)
}

/// Returns the `SCIMError` that `body` throws, or `nil` when it succeeds.
func scimError<Value>(_ body: () throws(SCIMError) -> Value) -> SCIMError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

@Suite struct FilterParserValidFilters {
    static let userNameEq = FilterExpression.comparison(attribute("userName"), .equal, "bjensen")

    static let operators: [(String, FilterExpression)] = [
        (#"userName eq "bjensen""#, userNameEq),
        (#"userName ne "bjensen""#, .comparison(attribute("userName"), .notEqual, "bjensen")),
        (#"name.familyName co "O'Malley""#, .comparison(attribute("name", "familyName"), .contains, "O'Malley")),
        (#"userName sw "J""#, .comparison(attribute("userName"), .startsWith, "J")),
        (#"title ew "er""#, .comparison(attribute("title"), .endsWith, "er")),
        ("title pr", .present(attribute("title"))),
        (
            #"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            .comparison(attribute("meta", "lastModified"), .greaterThan, "2011-05-13T04:42:34Z")
        ),
        (
            #"meta.lastModified ge "2011-05-13T04:42:34Z""#,
            .comparison(attribute("meta", "lastModified"), .greaterThanOrEqual, "2011-05-13T04:42:34Z")
        ),
        (
            #"meta.lastModified lt "2011-05-13T04:42:34Z""#,
            .comparison(attribute("meta", "lastModified"), .lessThan, "2011-05-13T04:42:34Z")
        ),
        (
            #"meta.lastModified le "2011-05-13T04:42:34Z""#,
            .comparison(attribute("meta", "lastModified"), .lessThanOrEqual, "2011-05-13T04:42:34Z")
        ),
    ]

    static let literals: [(String, FilterExpression)] = [
        ("active eq true", .comparison(attribute("active"), .equal, true)),
        ("active eq FALSE", .comparison(attribute("active"), .equal, false)),
        ("active ne True", .comparison(attribute("active"), .notEqual, true)),
        ("nickName eq null", .comparison(attribute("nickName"), .equal, .null)),
        ("nickName ne NULL", .comparison(attribute("nickName"), .notEqual, .null)),
        ("count gt 10", .comparison(attribute("count"), .greaterThan, 10)),
        ("count le -1.5e2", .comparison(attribute("count"), .lessThanOrEqual, -150)),
        ("weight lt 0.25", .comparison(attribute("weight"), .lessThan, 0.25)),
        (
            #"displayName eq "Say \"hi\" \\ \u00e9 \/""#,
            .comparison(attribute("displayName"), .equal, .string(#"Say "hi" \ é /"#))
        ),
        (#"displayName eq """#, .comparison(attribute("displayName"), .equal, "")),
        (#"displayName eq "a (b) [c] and or""#, .comparison(attribute("displayName"), .equal, "a (b) [c] and or")),
    ]

    static let keywordCase: [(String, FilterExpression)] = [
        (#"userName EQ "bjensen""#, userNameEq),
        (#"userName Eq "bjensen""#, userNameEq),
        (
            #"USERNAME eq "bjensen""#, .comparison(attribute("USERNAME"), .equal, "bjensen")
        ),
        ("title PR", .present(attribute("title"))),
        (
            #"title pr AND userName eq "bjensen""#, .and(.present(attribute("title")), userNameEq)
        ),
        (
            #"title pr Or userName eq "bjensen""#, .or(.present(attribute("title")), userNameEq)
        ),
        ("NOT (title pr)", .not(.present(attribute("title")))),
        ("Not(title pr)", .not(.present(attribute("title")))),
    ]

    static let a = FilterExpression.present(attribute("a"))
    static let b = FilterExpression.present(attribute("b"))
    static let c = FilterExpression.present(attribute("c"))

    static let precedence: [(String, FilterExpression)] = [
        ("a pr or b pr and c pr", .or(a, .and(b, c))),
        ("a pr and b pr or c pr", .or(.and(a, b), c)),
        ("(a pr or b pr) and c pr", .and(.or(a, b), c)),
        ("a pr and (b pr or c pr)", .and(a, .or(b, c))),
        ("a pr and b pr and c pr", .and(.and(a, b), c)),
        ("a pr or b pr or c pr", .or(.or(a, b), c)),
        ("not (a pr) and b pr", .and(.not(a), b)),
        ("not (a pr or b pr)", .not(.or(a, b))),
        ("a pr or not (b pr) and c pr", .or(a, .and(.not(b), c))),
        ("((a pr))", a),
        ("  a pr\tand\nb pr  ", .and(a, b)),
        ("(a pr)and(b pr)", .and(a, b)),
    ]

    static let valuePaths: [(String, FilterExpression)] = [
        (
            #"emails[type eq "work"]"#,
            .valuePath(attribute("emails"), .comparison(attribute("type"), .equal, "work"))
        ),
        (
            #"emails[type eq "work" and value co "@example.com"]"#,
            .valuePath(
                attribute("emails"),
                .and(
                    .comparison(attribute("type"), .equal, "work"),
                    .comparison(attribute("value"), .contains, "@example.com")))
        ),
        (
            #"emails[type eq "work"].value eq "x""#,
            .valuePath(
                attribute("emails"),
                .and(.comparison(attribute("type"), .equal, "work"), .comparison(attribute("value"), .equal, "x")))
        ),
        (
            #"emails[type eq "work"].value pr"#,
            .valuePath(
                attribute("emails"), .and(.comparison(attribute("type"), .equal, "work"), .present(attribute("value"))))
        ),
        (
            #"emails[not (primary eq true)] and userName pr"#,
            .and(
                .valuePath(attribute("emails"), .not(.comparison(attribute("primary"), .equal, true))),
                .present(attribute("userName")))
        ),
        (
            #"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
            .and(
                .comparison(attribute("userType"), .equal, "Employee"),
                .valuePath(
                    attribute("emails"),
                    .and(
                        .comparison(attribute("type"), .equal, "work"),
                        .comparison(attribute("value"), .contains, "@example.com"))))
        ),
    ]

    static let rfcExamples: [(String, FilterExpression)] = [
        (
            #"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
            .and(
                .comparison(attribute("userType"), .equal, "Employee"),
                .or(
                    .comparison(attribute("emails"), .contains, "example.com"),
                    .comparison(attribute("emails", "value"), .contains, "example.org")))
        ),
        (
            #"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
            .and(
                .comparison(attribute("userType"), .notEqual, "Employee"),
                .not(
                    .or(
                        .comparison(attribute("emails"), .contains, "example.com"),
                        .comparison(attribute("emails", "value"), .contains, "example.org"))))
        ),
        (
            #"title pr and userType eq "Employee""#,
            .and(.present(attribute("title")), .comparison(attribute("userType"), .equal, "Employee"))
        ),
    ]

    static let validFilters: [(String, FilterExpression)] = [
        operators, literals, keywordCase, precedence, valuePaths, rfcExamples,
    ].flatMap { $0 }

    @Test(arguments: validFilters)
    func filterParsesToExpectedTree(filter: String, expected: FilterExpression) throws {
        let parsed = try FilterParser.parse(filter)

        #expect(parsed == expected)
    }

    static let qualified: [(String, FilterExpression)] = [
        (
            #"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
            .comparison(attribute("userName", urn: SCIMURN.user), .startsWith, "J")
        ),
        (
            #"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "Babs""#,
            .comparison(attribute("name", "givenName", urn: SCIMURN.user), .equal, "Babs")
        ),
        (
            #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915""#,
            .comparison(attribute("manager", "value", urn: SCIMURN.enterpriseUser), .equal, "26118915")
        ),
        (
            "urn:ietf:params:scim:schemas:extension:frontapp:teammate:template pr",
            .present(attribute("template", urn: SCIMURN.frontTeammate))
        ),
        (
            #"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:userName eq "x""#,
            .comparison(attribute("userName", urn: "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"), .equal, "x")
        ),
    ]

    @Test(arguments: qualified)
    func urnQualifiedNameKeepsItsSchema(filter: String, expected: FilterExpression) throws {
        let parsed = try FilterParser.parse(filter, knownSchemas: UserSchemas.resourceType.schemaURNs)
        let parsedWithoutSchemas = try FilterParser.parse(filter)

        #expect(parsed == expected)
        #expect(parsedWithoutSchemas == expected)
    }

    @Test func descriptionShowsGroupingExplicitly() throws {
        let parsed = try FilterParser.parse(#"a pr or b eq "x" and not (c ne 1)"#)

        #expect(parsed.description == #"(a pr or (b eq "x" and not (c ne 1)))"#)
    }

    @Test func equalityConstraintsOnlyForConjunctions() throws {
        let conjunction = try FilterParser.parse(#"type eq "work" and primary eq true"#)
        let disjunction = try FilterParser.parse(#"type eq "work" or primary eq true"#)
        let contains = try FilterParser.parse(#"type co "work""#)

        let constraints = try #require(conjunction.equalityConstraints)
        #expect(constraints.map { $0.0 } == [attribute("type"), attribute("primary")])
        #expect(constraints.map { $0.1 } == ["work", true])
        #expect(disjunction.equalityConstraints == nil)
        #expect(contains.equalityConstraints == nil)
    }
}

@Suite struct FilterParserInvalidFilters {
    static let invalid = [
        "",
        "   ",
        "userName",
        "userName eq",
        "userName eq bjensen",
        #"userName xx "a""#,
        #"userName equals "a""#,
        #"userName eq "a" and"#,
        #"userName eq "a" or"#,
        #"userName eq "a" and or userName pr"#,
        #"(userName eq "a""#,
        #"userName eq "a")"#,
        "()",
        "not ()",
        #"not userName eq "a""#,
        #"emails[type eq "work""#,
        "emails[]",
        #"emails[type[value eq "x"] eq "y"]"#,
        #"name.givenName[value eq "x"]"#,
        #"emails[type eq "work"].value"#,
        #"emails[type eq "work"].1value eq "x""#,
        #"emails[type eq "work"].value xx "x""#,
        #"userName eq "unterminated"#,
        #"userName eq "bad \q escape""#,
        #"userName eq "\ud800""#,
        "userName eq 01",
        "userName eq 1.",
        "userName eq -",
        #"1userName eq "x""#,
        #"user$Name eq "x""#,
        #"name.given.family eq "x""#,
        #"userName eq "a" "b""#,
        "userName pr pr",
        "userName eq (",
        #"userName eq "a"]"#,
        "and userName pr",
        "userName gt [",
        #"userName eq 'single'"#,
    ]

    @Test(arguments: invalid)
    func invalidFilterThrowsInvalidFilter(filter: String) {
        let error = scimError { () throws(SCIMError) in try FilterParser.parse(filter) }

        #expect(error?.status == 400)
        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail.isEmpty == false)
    }

    @Test func detailNamesPositionAndFilter() throws {
        let error = try #require(scimError { () throws(SCIMError) in try FilterParser.parse("userName eq bjensen") })

        #expect(
            error.detail
                == "'bjensen' is not a value; strings must be in double quotes (at position 13 of the filter "
                + "'userName eq bjensen')")
    }

    @Test func unknownOperatorDetailPointsAtOperator() throws {
        let error = try #require(scimError { () throws(SCIMError) in try FilterParser.parse(#"userName xx "a""#) })

        #expect(error.detail == #"'xx' is not a filter operator (at position 10 of the filter 'userName xx "a"')"#)
    }

    @Test func unclosedStringNamesItsStart() throws {
        let error = try #require(scimError { () throws(SCIMError) in try FilterParser.parse(#"title eq "abc"#) })

        #expect(error.detail == "the string starting at position 10 is never closed")
    }
}
