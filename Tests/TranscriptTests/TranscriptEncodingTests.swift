import HTTP
import SCIM
import Testing
import Transcript

enum SampleTranscripts {
    static let userBody: JSONValue = [
        "schemas": [.string(SCIMURN.user)],
        "userName": "alice@contoso.example",
        "active": true,
        "score": 1.50,
        "name": ["givenName": "Alice", "familyName": "Example"],
    ]

    /// A transcript that sets every member the format has.
    static let full = Transcript(
        name: "every-member",
        description: "Sets every member of the transcript format",
        source: Transcript.Source(
            kind: .simulated, tool: "scimtape 0.1.0", scenario: "Recordings/scenarios/02-create-user.json",
            dialect: "aadOptscim062020", profile: "front", recordedAt: "2024-05-01T12:00:00.000Z",
            notes: "Written by the transcript tests"),
        preconditions: [
            .deletedTeammate(email: "bob@contoso.example"),
            .existingTeammate(user: JSONObject([("userName", "carol@contoso.example")]), blocked: true),
        ],
        exchanges: [
            Exchange(
                description: "Entra creates alice", step: "create",
                request: Exchange.Request(
                    method: "POST", path: "/Users",
                    headers: [
                        ("Accept", "application/scim+json"), ("Content-Type", "application/scim+json; charset=utf-8"),
                        ("Authorization", "Bearer [redacted]"),
                    ],
                    body: .json(userBody)),
                response: Exchange.Response(
                    status: 201,
                    headers: [("Location", "http://127.0.0.1:8080/scim/v2/Users/1"), ("ETag", #"W/"1""#)],
                    body: .json(userBody))),
            Exchange(
                step: "probe",
                request: Exchange.Request(method: "GET", path: "/Users?filter=userName+eq+%22alice%22"),
                response: Exchange.Response(status: 502, body: .text("Bad gateway\n")),
                expectations: Expectations(
                    status: [200, 204],
                    profiles: [
                        "rfc": ProfileExpectation(
                            status: [404], body: .json(["schemas": [.string(SCIMURN.error)], "status": "404"])),
                        "entra": ProfileExpectation(status: [204], body: .some(RecordedBody.none)),
                        "front": ProfileExpectation(status: [500], body: .text("oops")),
                    ])),
            Exchange(
                request: Exchange.Request(method: "DELETE", path: "/Users/1"),
                response: Exchange.Response(status: 204)),
            Exchange(
                description: "A client sends Latin-1, which is not valid UTF-8",
                request: Exchange.Request(method: "POST", path: "/Users", body: .binary(latin1Body)),
                response: Exchange.Response(status: 400, body: .binary([0xFF, 0xFE, 0x00, 0x41])),
                expectations: Expectations(
                    profiles: ["rfc": ProfileExpectation(status: [400], body: .binary([0xC3, 0x28]))])),
        ])

    /// `{"userName":"café"}` with the é in Latin-1, a byte that UTF-8 allows only inside a sequence.
    static let latin1Body = Array(#"{"userName":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)

    static let minimal = Transcript(
        name: "minimal", description: "",
        source: Transcript.Source(kind: .handwritten),
        exchanges: [
            Exchange(
                request: Exchange.Request(method: "GET", path: "/ServiceProviderConfig"),
                response: Exchange.Response(status: 200))
        ])
}

@Suite struct TranscriptRoundTrip {
    @Test(arguments: [SampleTranscripts.full, SampleTranscripts.minimal])
    func jsonDecodesToEqualTranscript(transcript: Transcript) throws {
        let decoded = try Transcript(json: transcript.json)

        #expect(decoded == transcript)
    }

    @Test(arguments: [SampleTranscripts.full, SampleTranscripts.minimal])
    func encodedBytesDecodeToEqualTranscript(transcript: Transcript) throws {
        let bytes = transcript.encoded()

        let decoded = try Transcript(json: try JSONValue.parse(bytes: bytes))

        #expect(decoded == transcript)
        #expect(decoded.encoded() == bytes)
        #expect(bytes.last == 0x0A)
    }

    @Test func membersFollowFixedOrder() throws {
        let root = try #require(SampleTranscripts.full.json.objectValue)

        let exchange = try #require(root["exchanges"]?.arrayValue?.first?.objectValue)
        let second = try #require(root["exchanges"]?.arrayValue?[1].objectValue)

        #expect(root.keys == ["format", "version", "name", "description", "source", "preconditions", "exchanges"])
        #expect(
            root["source"]?.objectValue?.keys
                == ["kind", "tool", "scenario", "dialect", "profile", "recordedAt", "notes"])
        #expect(exchange.keys == ["description", "step", "request", "response"])
        #expect(exchange["request"]?.objectValue?.keys == ["method", "path", "headers", "body"])
        #expect(second.keys == ["step", "request", "response", "expect"])
        #expect(second["expect"]?["profiles"]?.objectValue?.keys == ["entra", "front", "rfc"])
    }

    @Test func absentMembersAreOmitted() throws {
        let root = try #require(SampleTranscripts.minimal.json.objectValue)

        #expect(root.keys == ["format", "version", "name", "description", "source", "exchanges"])
        #expect(root["source"] == ["kind": "handwritten"])
        #expect(
            root["exchanges"] == [
                ["request": ["method": "GET", "path": "/ServiceProviderConfig"], "response": ["status": 200]]
            ])
    }

    @Test func bodyKindsUseTheirMembers() throws {
        let exchanges = try #require(SampleTranscripts.full.json["exchanges"]?.arrayValue)

        #expect(exchanges[0]["request"]?["body"] == SampleTranscripts.userBody)
        #expect(exchanges[1]["response"]?["bodyText"] == "Bad gateway\n")
        #expect(exchanges[1]["expect"]?["profiles"]?["entra"]?.objectValue?["bodyText"] == "")
        #expect(exchanges[1]["expect"]?["profiles"]?["front"]?["bodyText"] == "oops")
        #expect(exchanges[2]["response"]?.objectValue?.keys == ["status"])
        #expect(exchanges[3]["request"]?["bodyBase64"] == "eyJ1c2VyTmFtZSI6ImNhZukifQ==")
        #expect(exchanges[3]["response"]?["bodyBase64"] == "//4AQQ==")
        #expect(exchanges[3]["expect"]?["profiles"]?["rfc"]?["bodyBase64"] == "wyg=")
    }

    @Test func numberSpellingSurvivesEncoding() throws {
        var transcript = SampleTranscripts.minimal
        transcript.exchanges[0].response.body = .json(try JSONValue.parse(#"{"score": 1.50, "big": 1E+2}"#))

        let text = String(decoding: transcript.encoded(), as: UTF8.self)
        let decoded = try Transcript(json: try JSONValue.parse(text))

        #expect(text.contains(#""body": {"score": 1.50, "big": 1E+2}"#))
        #expect(decoded.exchanges[0].response.body.json?.serialized() == #"{"score":1.50,"big":1E+2}"#)
    }

    @Test(arguments: ["null", "0", #""text""#, "[]"])
    func scalarJSONBodySurvivesRoundTrip(bodyText: String) throws {
        var transcript = SampleTranscripts.minimal
        transcript.exchanges[0].response.body = RecordedBody(bytes: Array(bodyText.utf8))

        let decoded = try Transcript(json: try JSONValue.parse(bytes: transcript.encoded()))

        #expect(decoded.exchanges[0].response.body == transcript.exchanges[0].response.body)
        #expect(decoded.exchanges[0].response.body.bytes == Array(bodyText.utf8))
    }
}

@Suite struct RecordedBodyForms {
    @Test func emptyBytesAreNoBody() {
        let body = RecordedBody(bytes: [])

        #expect(body == RecordedBody.none)
        #expect(body.bytes.isEmpty)
    }

    @Test func jsonBytesAreJSONBody() {
        let body = RecordedBody(bytes: Array(#"{"b": 1.0, "a": [true]}"#.utf8))

        #expect(body == .json(["b": 1.0, "a": [true]]))
        #expect(String(decoding: body.bytes, as: UTF8.self) == #"{"b":1.0,"a":[true]}"#)
    }

    @Test(arguments: ["<html>Bad gateway</html>", #"{"a": 1"#, #"{"a":1,"a":2}"#, "caf\u{E9} \u{1F600}"])
    func unparsableBytesAreTextBody(text: String) {
        let body = RecordedBody(bytes: Array(text.utf8))

        #expect(body == .text(text))
        #expect(body.bytes == Array(text.utf8))
        #expect(body.json == nil)
    }

    /// Latin-1, a lone continuation byte, a UTF-16 surrogate, an overlong encoding and a
    /// character cut short: each is invalid UTF-8 and is kept byte for byte.
    @Test(arguments: [
        SampleTranscripts.latin1Body, [0x80], [0x61, 0xED, 0xA0, 0x80, 0x62], [0xC0, 0xAF], [0xF0, 0x9F, 0x98],
    ])
    func invalidUTF8BytesAreBinaryBody(bytes: [UInt8]) throws {
        var transcript = SampleTranscripts.minimal
        transcript.exchanges[0].response.body = RecordedBody(bytes: bytes)

        let decoded = try Transcript(json: try JSONValue.parse(bytes: transcript.encoded()))

        #expect(transcript.exchanges[0].response.body == .binary(bytes))
        #expect(transcript.exchanges[0].response.body.bytes == bytes)
        #expect(decoded.exchanges[0].response.body == .binary(bytes))
    }

    @Test func emptyBase64IsNoBody() throws {
        let document = try JSONValue.parse(
            Documents.transcript(exchanges: "[\(Documents.exchange(response: #"{"status": 200, "bodyBase64": ""}"#))]"))

        let transcript = try Transcript(json: document)

        #expect(transcript.exchanges[0].response.body == RecordedBody.none)
    }
}

@Suite struct SecretRedactionRules {
    @Test(arguments: [
        ("Authorization", "Bearer abc.def.ghi", "Bearer [redacted]"),
        ("authorization", "Bearer secret", "Bearer [redacted]"),
        ("AUTHORIZATION", "Basic dXNlcjpwYXNz", "Basic [redacted]"),
        ("Proxy-Authorization", "Basic dXNlcjpwYXNz", "Basic [redacted]"),
        ("Authorization", "rawtoken", "[redacted]"),
        ("Authorization", "Bearer\tabc x", "Bearer [redacted]"),
        ("Proxy-Authorization", "Basic\tdXNlcjpwYXNz y", "Basic [redacted]"),
        ("Authorization", "token abc", "token [redacted]"),
        ("Authorization", "S3cretWithoutScheme x", "[redacted]"),
        ("Authorization", "Bearer\u{A0}abc y", "[redacted]"),
        ("Cookie", "session=abc; theme=dark", "[redacted]"),
        ("Set-Cookie", "session=abc; HttpOnly", "[redacted]"),
    ])
    func secretHeaderValueIsRedacted(name: String, value: String, expected: String) {
        let headers: HTTPHeaders = [(name, value)]

        let redacted = SecretRedaction.redact(headers)

        #expect(redacted.fields == [HTTPHeaders.Field(name: name, value: expected)])
    }

    @Test func otherHeadersKeepOrderAndRepeats() {
        let headers: HTTPHeaders = [
            ("Accept", "application/scim+json"), ("Authorization", "Bearer t"), ("X-Trace", "1"), ("X-Trace", "2"),
            ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
        ]

        let redacted = SecretRedaction.redact(headers)

        #expect(
            redacted.fields.map(\.name) == [
                "Accept", "Authorization", "X-Trace", "X-Trace", "Set-Cookie", "Set-Cookie",
            ])
        #expect(
            redacted.fields.map(\.value)
                == ["application/scim+json", "Bearer [redacted]", "1", "2", "[redacted]", "[redacted]"])
    }

    @Test func extraHeadersMatchIgnoringCase() {
        let headers: HTTPHeaders = [("x-api-key", "k-123"), ("X-Other", "visible")]

        let redacted = SecretRedaction.redact(headers, extraHeaders: ["X-API-Key"])

        #expect(redacted["x-api-key"] == "[redacted]")
        #expect(redacted["X-Other"] == "visible")
    }
}
