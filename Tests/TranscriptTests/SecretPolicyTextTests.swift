import HTTP
import SCIM
import Testing
import Transcript

/// Bodies the JSON reader rejects are kept as text, and the listed members in them are still
/// replaced. Copies of a sent credential are found in their escaped and encoded spellings too.
@Suite struct SecretPolicyText {
    let policy = SecretPolicy()

    private func redacted(_ text: String) -> String {
        guard case .text(let result) = policy.apply(to: .text(text)) else {
            Issue.record("a text body did not stay text")
            return ""
        }
        return result
    }

    /// The credential is found wherever it is copied, also when a tab separates it from the
    /// scheme and when the upstream echoes it alone in a header the policy lists.
    @Test(arguments: ["Bearer\ttok123456789 x", "Bearer tok123456789"])
    func sentCredentialReplacedInListedHeaders(sent: String) {
        let exchange = Exchange(
            request: Exchange.Request(method: "GET", path: "/Users", headers: [("Authorization", sent)]),
            response: Exchange.Response(
                status: 200, headers: [("Authorization", "tok123456789 x"), ("X-Echo", sent)],
                body: .text("echo: \(sent)")))

        let redacted = policy.apply(to: exchange)

        let headers = redacted.request.headers.fields + redacted.response.headers.fields
        #expect(!headers.contains { $0.value.contains("tok123456789") }, "\(headers)")
        #expect(!String(decoding: redacted.response.body.bytes, as: UTF8.self).contains("tok123456789"))
    }

    /// Each word of a listed header's value is searched for too, and a cookie without `=` or
    /// after a `,`, so that a part the upstream echoes alone is found.
    @Test(arguments: [
        ("Authorization", "Bearer\tTOKI1234567 x", "TOKI1234567"),
        ("Authorization", "Bearer\u{A0}TOKC1234567", "TOKC1234567"),
        ("Authorization", "Bearer,TOKN1234567", "TOKN1234567"),
        ("Authorization", "TOKJPART1111 TOKJPART2222", "TOKJPART1111"),
        ("Cookie", "TOKSNOEQUALS1234", "TOKSNOEQUALS1234"),
        ("Cookie", "a=CKCOMMA11111111, b=other-value-2", "CKCOMMA11111111"),
    ])
    func echoedPartOfCredentialReplaced(name: String, value: String, part: String) {
        let exchange = Exchange(
            request: Exchange.Request(method: "GET", path: "/Users", headers: [(name, value)]),
            response: Exchange.Response(status: 200, headers: [("X-Echo", part)]))

        let redacted = policy.apply(to: exchange)

        #expect(redacted.response.headers["X-Echo"] == "[redacted]")
        #expect(!redacted.request.headers.fields.contains { $0.value.contains(part) })
    }

    /// Messages about a request (log lines, error bodies) lose the sent credential, bearer
    /// tokens and a URL's user information.
    @Test(arguments: [
        (#"header "AcceptAuthorization: Bearer TOKF11AAAAAA" is not a header name"#, "TOKF11AAAAAA"),
        (#"the request target "http://user:URLPASSWORD99@127.0.0.1/Users" is not a path"#, "URLPASSWORD99"),
        ("GET http://h/Users?filter=userName%20eq%20%22TOKHDRINQUERY123%22: failed", "TOKHDRINQUERY123"),
    ])
    func messagesLoseCredentials(message: String, secret: String) {
        let sent = policy.sentCredentials([("Authorization", "Bearer TOKHDRINQUERY123")])

        #expect(!policy.redactingMessage(message, sent: sent).contains(secret))
    }

    @Test func semicolonSeparatedQueryCredentialReplaced() {
        #expect(
            SecretScan.redactCredentials(inPath: "/Users?x=1;access_token=TOKSEMI12345&y=2")
                == "/Users?x=1;access_token=%5Bredacted%5D&y=2")
    }

    /// The pre-check that decides whether a body is read for listed members: each listed name in
    /// any ASCII case, at the start and at the end, a `\u` escape and non-ASCII text count.
    @Test(arguments: [
        ("password", true), ("xPASSWORD", true), (#"{"Client_Secret":1}"#, true), ("ends with apikey", true),
        (#"{"p\u0061ssword":1}"#, true), ("caf\u{E9}", true), ("passwor", false), ("pass%77ord=v", true),
        ("100%", false), ("a%2", false), ("pass word", false),
        (#"{"userName":"a","emails":[{"value":"a@example.com"}],"active":true}"#, false), ("", false),
    ])
    func preCheckFindsListedNames(text: String, expected: Bool) {
        #expect(policy.mayContainListedField(text) == expected)
        #expect(policy.mayContainListedField(Array(text.utf8)) == expected)
    }

    /// Extra names of one or two bytes are found too, also as the last byte of a body.
    @Test func preCheckFindsShortExtraNames() {
        let policy = SecretPolicy(extraJSONFields: ["q", "Zz"])

        #expect(policy.mayContainListedField("abc q"))
        #expect(policy.mayContainListedField("abc zZ"))
        #expect(!policy.mayContainListedField("abc z"))
        #expect(!SecretPolicy(extraJSONFields: ["Zz"]).mayContainListedField("abc z"))
    }

    @Test(arguments: [
        (#"{"userName":"a","password":"one-secret","password":"two-secret"}"#, ["one-secret", "two-secret"]),
        (#"{"userName":"t","password":"trail-secret"} x"#, ["trail-secret"]),
        (#"{"PassWord" : {"v":"object-secret"}, "n": 1"#, ["object-secret"]),
        (#"{"api_key": 12345678901, "x": ["a"]"#, ["12345678901"]),
        ("userName=form&password=form-secret&x=1", ["form-secret"]),
        ("access_token=query-secret", ["query-secret"]),
        (#"{"a":1,"pass\u0077ord":"escaped-secret","a":2}"#, ["escaped-secret"]),
        (#"{"a":1,"password ":"padded-secret","a":2}"#, ["padded-secret"]),
        (
            #"{"Operations":[{"op":"replace","path":"password","value":"patch-secret"}],"Operations":[]}"#,
            ["patch-secret"]
        ),
        (#"{"Operations":[{"value":{"x":"patch-first-secret"},"path":"Password"}]} trailing"#, ["patch-first-secret"]),
        ("userName=f&user[password]=nested-secret&user.password=dotted-secret", ["nested-secret", "dotted-secret"]),
        ("pass%77ord=encoded-secret&Password+=plus-secret", ["encoded-secret", "plus-secret"]),
        ("user=a&pass%77ord=only-encoded-secret", ["only-encoded-secret"]),
    ])
    func listedValuesReplacedInText(text: String, secrets: [String]) {
        let result = redacted(text)

        for secret in secrets {
            #expect(!result.contains(secret), "\(result)")
        }
        #expect(result.contains("[redacted]"))
    }

    @Test func unlistedTextUnchanged() {
        let text = #"{"userName":"a","displayName":"b"} trailing"#

        #expect(redacted(text) == text)
    }

    /// A string value that looks like a form pair stays inside its string, so the rest of the
    /// body is kept.
    @Test func formPairInsideJSONString() {
        let text =
            #"{"userName":"c1","userName":"c1","note":"https://x.example/r?password=abc","displayName":"KEEPME"}"#

        #expect(redacted(text) == text)
    }

    @Test func multipartPartReplaced() {
        let text = [
            "--b1", #"Content-Disposition: form-data; name="userName""#, "", "kept-name",
            "--b1", #"Content-Disposition: form-data; name="user[password]""#, "", "multipart-secret",
            "--b1--", "",
        ].joined(separator: "\r\n")

        let result = redacted(text)

        #expect(!result.contains("multipart-secret"))
        #expect(result.contains("kept-name"))
        #expect(result.contains("--b1--"))
    }

    @Test func manyCookieValuesReplaced() {
        let values = (0..<300).map { "cookie-value-\($0)" }
        let exchange = Exchange(
            request: Exchange.Request(
                method: "GET", path: "/Users",
                headers: [("Cookie", values.enumerated().map { "c\($0.offset)=\($0.element)" }.joined(separator: "; "))]
            ),
            response: Exchange.Response(status: 200, body: .text("echo " + values.reversed().joined(separator: ","))))

        let result = policy.apply(to: exchange)

        #expect(
            result.response.body == .text("echo " + Array(repeating: "[redacted]", count: 300).joined(separator: ",")))
    }

    /// Two credentials whose copies overlap in a body leave nothing of either, with few values
    /// and with many (searched in one pass).
    @Test(arguments: [0, 20])
    func overlappingCredentialsLeaveNothing(otherCookies: Int) {
        let others = (0..<otherCookies).map { "; o\($0)=other-value-\($0)" }.joined()
        let exchange = Exchange(
            request: Exchange.Request(
                method: "GET", path: "/Users", headers: [("Cookie", "a=AAAAZQXBBBBCCCC; b=CCCCDDDDZQXEEEE\(others)")]),
            response: Exchange.Response(status: 200, body: .text("x AAAAZQXBBBBCCCCDDDDZQXEEEE y")))

        let result = policy.apply(to: exchange)

        #expect(result.response.body == .text("x [redacted] y"))
    }

    @Test func otherMembersKept() {
        let result = redacted(#"{"userName":"kept-name","password":"x-secret","active":true,"password":1}"#)

        #expect(result == #"{"userName":"kept-name","password":"[redacted]","active":true,"password":"[redacted]"}"#)
    }

    @Test func memberWithSpaceRedacted() {
        let body = RecordedBody.json(["password ": "space-secret", "userName": "kept"])

        let result = policy.apply(to: body)

        #expect(result.json?["password "] == .string(SecretRedaction.placeholder))
        #expect(result.json?["userName"] == "kept")
    }

    /// A JWT whose header JSON starts with a space, and a bearer token after two spaces.
    @Test(arguments: [
        "token eyAiYWxnIjoiSFMyNTYifQ.eyJzdWIiOiJKV1RTVUJKRUNUIn0.c2lnbmF0dXJlMTIzNDU2 end",
        "Bearer  TWOSPACETOKEN123",
    ])
    func unusualTokensFound(text: String) {
        let exchange = Exchange(
            request: Exchange.Request(method: "POST", path: "/Users", body: .text(text)),
            response: Exchange.Response(status: 201))

        let findings = SecretScan.scan(exchange, number: 1)

        #expect(findings.count == 1, "\(findings)")
    }

    @Test func spellingsOfCredential() {
        let spellings = SecretPolicy.spellings(of: "ab/cd+ef=")

        #expect(spellings.contains("ab/cd+ef="))
        #expect(spellings.contains(#"ab\/cd+ef="#))
        #expect(spellings.contains("ab%2Fcd%2Bef%3D"))
        #expect(spellings.contains("ab%2fcd%2bef%3d"))
        #expect(SecretPolicy.spellings(of: #""quoted-cookie""#).contains("quoted-cookie"))
        #expect(SecretPolicy.spellings(of: #"ab/cd"efgh12"#).contains(#"ab/cd\"efgh12"#))
    }

    /// JSON may write a non-ASCII character as `\u` escapes, in either letter case, and one
    /// outside the Basic Multilingual Plane as two.
    @Test func spellingsOfNonASCIICredential() {
        let spellings = SecretPolicy.spellings(of: "ZQX\u{F6}k\u{E9}n4444\u{1F600}")

        #expect(spellings.contains(#"ZQX\u00f6k\u00e9n4444\ud83d\ude00"#))
        #expect(spellings.contains(#"ZQX\u00F6k\u00E9n4444\uD83D\uDE00"#))
    }

    @Test func escapedAndEncodedCopiesReplaced() {
        let token = "Zm9vYmFy/SLASH+abc123"
        let exchange = Exchange(
            request: Exchange.Request(
                method: "GET", path: "/Users/Zm9vYmFy%2FSLASH%2Babc123", headers: [("Authorization", "Bearer \(token)")]
            ),
            response: Exchange.Response(
                status: 200, headers: [("Location", "https://x.example/Users/1?t=Zm9vYmFy%2FSLASH%2Babc123")],
                body: .text(#"{"echo":"Zm9vYmFy\/SLASH+abc123"}"#)))

        let result = policy.apply(to: exchange)
        let text = result.json.serialized()

        #expect(!text.contains("SLASH"), "\(text)")
        #expect(result.request.path == "/Users/%5Bredacted%5D")
    }
}
