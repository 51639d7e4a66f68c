import HTTP
import SCIM
import Testing
import Transcript

@testable import Verifier

@Suite struct BodyMatching {
    private func user(_ extra: [(String, JSONValue)]) -> JSONValue {
        var object = JSONObject([("schemas", [.string(SCIMURN.user)]), ("id", "u-1")])
        for (key, value) in extra {
            object[key] = value
        }
        return .object(object)
    }

    @Test(arguments: [
        // userName is caseExact false.
        ("userName", JSONValue.string("Alice@Example.com"), JSONValue.string("alice@example.com"), true),
        // externalId is caseExact true.
        ("externalId", "ABC", "abc", false),
        ("active", true, "true", false),
        ("active", false, false, true),
        ("displayName", "Alice", "alice", true),
        ("nickName", "x", .null, false),
    ])
    func scalarTolerances(key: String, expected: JSONValue, actual: JSONValue, matches: Bool) {
        let mismatches = BodyMatcher().compare(expected: user([(key, expected)]), actual: user([(key, actual)]))

        #expect(mismatches.isEmpty == matches, "\(mismatches)")
    }

    @Test func multiValuedAttributesIgnoreOrder() {
        let first: JSONValue = ["value": "a@example.com", "type": "work"]
        let second: JSONValue = ["value": "b@example.com", "type": "home"]

        let mismatches = BodyMatcher().compare(
            expected: user([("emails", [first, second])]), actual: user([("emails", [second, first])]))

        #expect(mismatches.isEmpty)
    }

    @Test func extraValueInArrayIsReported() {
        let first: JSONValue = ["value": "a@example.com"]

        let mismatches = BodyMatcher().compare(
            expected: user([("emails", [first])]), actual: user([("emails", [first, ["value": "b@example.com"]])]))

        #expect(mismatches.count == 1)
        #expect(mismatches.first?.path.description == "$.emails")
    }

    @Test func attributeNamesIgnoreCaseAndExtraMembersAreFine() {
        let mismatches = BodyMatcher().compare(
            expected: user([("userName", "a")]), actual: user([("USERNAME", "a"), ("title", "extra")]))

        #expect(mismatches.isEmpty)
    }

    @Test func metaValuesAreCheckedForForm() {
        let expected = user([
            (
                "meta",
                ["created": "2018-03-27T19:59:26.000Z", "location": "https://old/Users/u-1", "version": "W/\"1\""]
            )
        ])
        let good = user([
            (
                "meta",
                ["created": "2026-01-01T00:00:00Z", "location": "https://new/scim/Users/u-1", "version": "W/\"9\""]
            )
        ])
        let bad = user([("meta", ["created": "yesterday", "location": "https://new/scim/Users/other", "version": 3])])

        let goodMismatches = BodyMatcher().compare(expected: expected, actual: good)
        let badMismatches = BodyMatcher().compare(expected: expected, actual: bad)

        #expect(goodMismatches.isEmpty, "\(goodMismatches)")
        #expect(
            badMismatches.map(\.path.description).sorted() == ["$.meta.created", "$.meta.location", "$.meta.version"])
    }

    @Test func schemasCompareAsSets() {
        let expected: JSONValue = ["schemas": [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser)]]
        let actual: JSONValue = ["schemas": [.string(SCIMURN.enterpriseUser.uppercased()), .string(SCIMURN.user)]]

        #expect(BodyMatcher().compare(expected: expected, actual: actual).isEmpty)
    }

    @Test func missingMemberAndTypeMismatchArePathed() {
        let mismatches = BodyMatcher().compare(
            expected: ["totalResults": 1, "status": "404"], actual: ["status": 404])

        #expect(mismatches.map(\.path.description).sorted() == ["$.status", "$.totalResults"])
        #expect(mismatches.first { $0.path.description == "$.status" }?.message == "is a number, not a string")
    }
}

@Suite struct CorrelationAndIsolation {
    @Test func learnedIdsReplaceRecordedOnes() {
        var correlation = Correlation()
        correlation.learn(recorded: "48af03ac28ad4fb88478", live: "7c1e0f57-0b6f-4a3c-9d7e-2f0e5d3c1b2a")

        let path = correlation.substitute(path: "/Users/48af03ac28ad4fb88478")
        let filter = correlation.substitute(path: "/Groups?filter=members%5Bvalue+eq+%2248af03ac28ad4fb88478%22%5D")
        let body = correlation.substitute(["members": [["value": "48af03ac28ad4fb88478"]]] as JSONValue)

        #expect(path == "/Users/7c1e0f57-0b6f-4a3c-9d7e-2f0e5d3c1b2a")
        #expect(filter.contains("7c1e0f57-0b6f-4a3c-9d7e-2f0e5d3c1b2a"))
        #expect(body == ["members": [["value": "7c1e0f57-0b6f-4a3c-9d7e-2f0e5d3c1b2a"]]])
    }

    /// A location starts with the id's origin and ends with the id: the whole location is replaced
    /// where it occurs, and the id alone elsewhere, also among many learned values that share the
    /// location's prefix.
    @Test func longestValueWinsWhereValuesOverlap() {
        var correlation = Correlation()
        for number in 0..<500 {
            let id = "rec-\(number)-0000000000"
            correlation.learn(recorded: id, live: "live-\(number)")
            correlation.learn(
                recorded: "http://recorded.example/scim/v2/Users/\(id)", live: "https://live/Users/\(number)")
        }

        let text = "see http://recorded.example/scim/v2/Users/rec-42-0000000000 and rec-7-0000000000."

        #expect(correlation.substitute(text) == "see https://live/Users/42 and live-7.")
        #expect(correlation.substitute("rec-499-0000000000") == "live-499")
        #expect(correlation.substitute("rec-500-0000000000") == "rec-500-0000000000")
    }

    /// Short values are replaced in a filter only as whole quoted literals, read with their escapes.
    @Test func shortIdsReplaceWholeQuotedLiterals() {
        var correlation = Correlation()
        correlation.learn(recorded: "u1", live: "abc")
        correlation.learn(recorded: "u\"2", live: "def")

        let path = { (filter: String) in
            correlation.substitute(path: "/Groups?filter=" + RequestTarget.encodeFormValue(filter))
        }

        #expect(
            path(#"members[value eq "u1"]"#) == "/Groups?filter="
                + RequestTarget.encodeFormValue(#"members[value eq "abc"]"#))
        #expect(
            path(#"externalId eq "x\"u1" or id eq "u1""#) == "/Groups?filter="
                + RequestTarget.encodeFormValue(#"externalId eq "x\"u1" or id eq "abc""#))
        #expect(path(#"id eq "u\"2""#) == "/Groups?filter=" + RequestTarget.encodeFormValue(#"id eq "def""#))
        #expect(path(#"id eq "u12""#) == "/Groups?filter=" + RequestTarget.encodeFormValue(#"id eq "u12""#))
    }

    /// A short id compared with an attribute that contains no ids is an ordinary value.
    @Test(arguments: [
        #"externalId eq "1""#, #"emails[value eq "1"]"#, #"employeeNumber eq "1""#, #"userName sw "1""#,
    ])
    func filterOnOtherAttributeKeepsShortId(filter: String) {
        var correlation = Correlation()
        correlation.learn(recorded: "1", live: "7c1e0f57")
        let path = "/Users?filter=" + RequestTarget.encodeFormValue(filter)

        #expect(correlation.substitute(path: path) == path)
    }

    /// Client-chosen attributes keep a value that an endpoint also uses as an id, and the first
    /// path segment names the endpoint even where a recorded id is spelt the same.
    @Test func clientChosenValuesAndEndpointsStay() {
        var correlation = Correlation()
        correlation.learn(recorded: "ann@x.example", live: "7c1e0f57-0000")
        correlation.learn(recorded: "Users", live: "9d2f")
        let filter = { (text: String) in "/Users?filter=" + RequestTarget.encodeFormValue(text) }

        let body = correlation.substitute(
            [
                "id": "ann@x.example", "userName": "ann@x.example", "externalId": "ann@x.example",
                "emails": [["value": "ann@x.example"]], "members": [["value": "ann@x.example"]],
            ] as JSONValue)

        #expect(
            body == [
                "id": "7c1e0f57-0000", "userName": "ann@x.example", "externalId": "ann@x.example",
                "emails": [["value": "ann@x.example"]], "members": [["value": "7c1e0f57-0000"]],
            ])
        #expect(
            correlation.substitute(path: filter(#"userName eq "ann@x.example""#))
                == filter(#"userName eq "ann@x.example""#))
        #expect(correlation.substitute(path: filter(#"id eq "ann@x.example""#)) == filter(#"id eq "7c1e0f57-0000""#))
        #expect(correlation.substitute(path: "/Users/ann@x.example") == "/Users/7c1e0f57-0000")
        #expect(correlation.substitute(path: "/Users") == "/Users")
        #expect(correlation.substitute(path: "/Groups/Users") == "/Groups/9d2f")
    }

    /// In PATCH, `value` is an id only when the operation's path names members, groups or manager.
    @Test func patchValueIsIdOnlyForReferences() {
        var correlation = Correlation()
        correlation.learn(recorded: "1", live: "7c1e0f57")
        let manager = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
        let employeeNumber = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"

        let body = correlation.substitute(
            [
                "Operations": [
                    ["op": "replace", "path": .string(employeeNumber), "value": "1"],
                    ["op": "add", "path": .string(manager), "value": "1"],
                    ["op": "add", "path": "members", "value": [["value": "1"]]],
                    ["op": "add", "path": "phoneNumbers", "value": [["value": "1", "type": "work"]]],
                    ["op": "replace", "value": ["employeeNumber": "1", "members": [["value": "1"]]]],
                ]
            ] as JSONValue)

        #expect(
            body == [
                "Operations": [
                    ["op": "replace", "path": .string(employeeNumber), "value": "1"],
                    ["op": "add", "path": .string(manager), "value": "7c1e0f57"],
                    ["op": "add", "path": "members", "value": [["value": "7c1e0f57"]]],
                    ["op": "add", "path": "phoneNumbers", "value": [["value": "1", "type": "work"]]],
                    ["op": "replace", "value": ["employeeNumber": "1", "members": [["value": "7c1e0f57"]]]],
                ]
            ])
    }

    /// A PATCH operation's path filters by member id, and a short id is replaced there too.
    @Test func shortIdInPatchPathIsReplaced() {
        var correlation = Correlation()
        correlation.learn(recorded: "2", live: "7c1e0f57")

        let body = correlation.substitute(
            ["Operations": [["op": "remove", "path": #"members[value eq "2"]"#]]] as JSONValue)

        #expect(body == ["Operations": [["op": "remove", "path": #"members[value eq "7c1e0f57"]"#]]])
    }

    /// Paging and attribute parameters hold no server-generated values, so a numeric id is not
    /// replaced there; a filter in the same query is.
    @Test func pagingParametersKeepNumericIds() {
        var correlation = Correlation()
        correlation.learn(recorded: "1", live: "7c1e0f57")

        let path = correlation.substitute(path: #"/Users?startIndex=1&count=1&filter=id+eq+%221%22"#)

        #expect(path == #"/Users?startIndex=1&count=1&filter=id+eq+%227c1e0f57%22"#)
    }

    /// A short id is replaced as a whole value only in members that hold ids and references.
    @Test func shortIdsReplaceOnlyIdMembers() {
        var correlation = Correlation()
        correlation.learn(recorded: "1", live: "7c1e0f57")

        let body = correlation.substitute(
            ["id": "1", "employeeNumber": "1", "manager": ["value": "1"], "members": [["value": "1"]]] as JSONValue)

        #expect(
            body == [
                "id": "7c1e0f57", "employeeNumber": "1", "manager": ["value": "7c1e0f57"],
                "members": [["value": "7c1e0f57"]],
            ])
    }

    @Test func shortIdsReplaceOnlyWholeSegments() {
        var correlation = Correlation()
        correlation.learn(recorded: "u1", live: "abc")

        #expect(correlation.substitute(path: "/Users/u1") == "/Users/abc")
        #expect(correlation.substitute(path: "/Users/u12") == "/Users/u12")
        #expect(correlation.substitute("u1") == "abc")
        #expect(correlation.substitute("menu1") == "menu1")
    }

    private func transcript(path: String, body: JSONValue? = nil) -> Transcript {
        Transcript(
            name: "t", description: "", source: .init(kind: .handwritten),
            exchanges: [
                Exchange(
                    request: .init(
                        method: body == nil ? "GET" : "POST", path: path, body: body.map { .json($0) } ?? .none),
                    response: .init(status: 200))
            ])
    }

    @Test func isolationRewritesEmailsIgnoringCase() {
        let isolation = Isolation(
            transcript: transcript(path: "/Users", body: ["userName": "Alice@Example.com", "externalId": "ext-1"]),
            tag: "sttag")

        #expect(isolation.apply("alice@example.com") == "alice.sttag@example.com")
        #expect(isolation.apply("ALICE@EXAMPLE.COM") == "ALICE.sttag@EXAMPLE.COM")
        #expect(isolation.apply("ext-1") == "ext-1-sttag")
        #expect(isolation.apply("EXT-1") == "EXT-1", "externalId is caseExact")
    }

    /// A partial literal is no identity, and structural members keep their values.
    @Test func isolationKeepsPartialLiteralsAndStructure() {
        let isolation = Isolation(
            transcript: transcript(path: "/Users?filter=userName+sw+%22user%22"), tag: "sttag")
        let withExternalId = Isolation(
            transcript: transcript(path: "/Users", body: ["userName": "a@example.com", "externalId": "7"]),
            tag: "sttag")

        #expect(isolation.apply("user") == "user")
        #expect(
            withExternalId.apply(["id": "7", "externalId": "7", "meta": ["resourceType": "7"]] as JSONValue)
                == ["id": "7", "externalId": "7-sttag", "meta": ["resourceType": "7"]])
    }

    /// A literal compared with an id is left for correlation, and a search body's filter is
    /// rewritten like a query's.
    @Test func isolationSkipsIdLiteralsAndRewritesSearchBodies() {
        let isolation = Isolation(
            transcript: transcript(path: "/Users/.search", body: ["filter": #"userName eq "bob@example.com""#]),
            tag: "sttag")

        #expect(isolation.apply("bob@example.com") == "bob.sttag@example.com")
        #expect(isolation.rewriteQuotedLiterals(in: #"id eq "bob@example.com""#) == #"id eq "bob@example.com""#)
        #expect(
            isolation.apply(["filter": #"userName eq "bob@example.com""#] as JSONValue)
                == ["filter": #"userName eq "bob.sttag@example.com""#])
    }

    @Test func isolationRewritesFilterQueries() {
        let isolation = Isolation(
            transcript: transcript(path: "/Users?filter=userName+eq+%22bob%40example.com%22"), tag: "sttag")

        let path = isolation.apply(path: "/Users?filter=userName+eq+%22BOB%40example.com%22&count=1")

        #expect(path == "/Users?filter=userName+eq+%22BOB.sttag%40example.com%22&count=1")
    }
}

@Suite struct LintBootstrapWarnings {
    private func transcript(ids: [String], used: String) -> Transcript {
        let creates = ids.map { id in
            Exchange(
                request: .init(
                    method: "POST", path: "/Users", body: .json(["userName": .string("u\(id)@example.com")])),
                response: .init(status: 201, body: .json(["id": .string(id)])))
        }
        let use = Exchange(
            request: .init(method: "GET", path: "/Users/" + used), response: .init(status: 200, body: .json([:])))
        return Transcript(name: "t", description: "", source: .init(kind: .handwritten), exchanges: creates + [use])
    }

    @Test(arguments: ["1", "42", "7c1e0f57-aaaa"])
    func createdIdGivesNoWarning(id: String) {
        #expect(TranscriptLinter.problems(in: transcript(ids: [id], used: id)).isEmpty)
    }

    @Test func uncreatedIdGivesWarning() {
        let problems = TranscriptLinter.problems(in: transcript(ids: ["1"], used: "2"))

        #expect(problems.count == 1)
        #expect(problems.first?.message.hasPrefix("uses User 2, which no earlier exchange creates") == true)
    }
}

@Suite struct LintBase64Warnings {
    private func transcript(responseBody: RecordedBody) -> Transcript {
        Transcript(
            name: "t", description: "", source: .init(kind: .handwritten),
            exchanges: [
                Exchange(
                    request: .init(method: "GET", path: "/ServiceProviderConfig"),
                    response: .init(status: 200, body: responseBody))
            ])
    }

    @Test func textInBase64GivesWarning() {
        let problems = TranscriptLinter.problems(in: transcript(responseBody: .binary(Array(#"{"a":1}"#.utf8))))

        #expect(problems.count == 1)
        #expect(problems.first?.severity == .warning)
        #expect(problems.first?.path.description == "$.exchanges[0].response.bodyBase64")
        #expect(problems.first?.message.hasPrefix("the 7 bytes are valid UTF-8") == true)
    }

    @Test func invalidUTF8InBase64GivesNoWarning() {
        #expect(TranscriptLinter.problems(in: transcript(responseBody: .binary([0x61, 0xFF]))).isEmpty)
    }
}

@Suite struct SubstringIndexMatching {
    @Test func findsLongAndShortStringsByPosition() {
        var index = SubstringIndex()
        for key in ["abcdefgh", "abcdefghij", "abcdefghijXY", "xyz", "z", "abcdefgh"] {
            index.insert(key)
        }

        #expect(index.matches(in: "--abcdefghijXY--xyz") == ["abcdefghijXY", "abcdefghij", "abcdefgh", "xyz", "z"])
        #expect(index.matches(in: "abcdefg") == [])
        #expect(index.matches(in: "") == [])
    }

    @Test func longestMatchAtPosition() {
        var index = SubstringIndex()
        index.insert("https://origin/Users/1")
        index.insert("https://origin/Users/12")
        index.insert("ab")

        let longest = { (text: String, offset: Int) -> Int? in
            var text = text
            return text.withUTF8 { index.longestMatch(in: $0, at: offset) }
        }

        #expect(longest("https://origin/Users/123", 0) == 23)
        #expect(longest("https://origin/Users/1", 0) == 22)
        #expect(longest("https://origin/Users/", 0) == nil)
        #expect(longest("xab", 1) == 2)
        #expect(longest("xab", 2) == nil)
    }

    @Test func emptyIndexMatchesNothing() {
        var index = SubstringIndex()
        index.insert("")

        #expect(index.isEmpty)
        #expect(index.matches(in: "anything") == [])
    }
}
