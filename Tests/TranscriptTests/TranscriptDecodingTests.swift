import SCIM
import Testing
import Transcript

/// A transcript document that a decoding case breaks in one place.
struct DecodingErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let document: String
    let path: String
    let message: String

    var testDescription: String {
        name
    }
}

enum Documents {
    static let header = #""format": "scimtape.transcript", "version": 1, "#
    static let source = #""source": {"kind": "handwritten"}, "#
    static let request = #"{"method": "GET", "path": "/Users"}"#
    static let response = #"{"status": 200}"#

    /// Builds a transcript from the given parts. The defaults make a valid one-exchange document.
    static func transcript(
        header: String = header, source: String = source, members: String = "", exchanges: String? = nil
    ) -> String {
        "{" + header + #""name": "n", "description": "d", "# + source + members + #""exchanges": "#
            + (exchanges ?? "[\(exchange())]") + "}"
    }

    static func exchange(request: String = request, response: String = response, members: String = "") -> String {
        #"{"request": "# + request + #", "response": "# + response + members + "}"
    }
}

@Suite struct TranscriptDecodingErrors {
    static let rootCases = [
        DecodingErrorCase(
            name: "missing format", document: Documents.transcript(header: #""version": 1, "#), path: "$.format",
            message: "the member 'format' is missing"),
        DecodingErrorCase(
            name: "wrong version",
            document: Documents.transcript(header: #""format": "scimtape.transcript", "version": 2, "#),
            path: "$.version", message: "version 2 is not supported; this scimtape reads version 1"),
        DecodingErrorCase(
            name: "version as string",
            document: Documents.transcript(header: #""format": "scimtape.transcript", "version": "1", "#),
            path: "$.version", message: #"expected an integer, found "1""#),
        DecodingErrorCase(
            name: "scenario format",
            document: Documents.transcript(header: #""format": "scimtape.scenario", "version": 1, "#),
            path: "$.format", message: #"format is "scimtape.scenario", expected "scimtape.transcript""#),
        DecodingErrorCase(
            name: "unknown root member", document: Documents.transcript(members: #""comment": "x", "#),
            path: "$.comment", message: "unknown member 'comment'"),
        DecodingErrorCase(
            name: "root is an array", document: "[]", path: "$", message: "expected an object, found array"),
        DecodingErrorCase(
            name: "missing source", document: Documents.transcript(source: ""), path: "$.source",
            message: "the member 'source' is missing"),
        DecodingErrorCase(
            name: "unknown source kind", document: Documents.transcript(source: #""source": {"kind": "guessed"}, "#),
            path: "$.source.kind", message: "kind 'guessed' is not one of simulated, proxied, imported, handwritten"),
        DecodingErrorCase(
            name: "unknown source member",
            document: Documents.transcript(source: #""source": {"kind": "simulated", "recordedBy": "x"}, "#),
            path: "$.source.recordedBy", message: "unknown member 'recordedBy'"),
        DecodingErrorCase(
            name: "exchanges not an array", document: Documents.transcript(exchanges: "{}"), path: "$.exchanges",
            message: "expected an array, found object"),
        DecodingErrorCase(
            name: "precondition without email",
            document: Documents.transcript(members: #""preconditions": [{"kind": "deletedTeammate"}], "#),
            path: "$.preconditions[0].email", message: "deletedTeammate needs an 'email' address"),
        DecodingErrorCase(
            name: "precondition of unknown kind",
            document: Documents.transcript(
                members: #""preconditions": [{"kind": "deletedTeammate", "email": "a@b.c"}, {"kind": "x"}], "#),
            path: "$.preconditions[1].kind", message: "unknown precondition kind 'x'"),
    ]

    static let requestCases = [
        DecodingErrorCase(
            name: "unknown exchange member",
            document: Documents.transcript(exchanges: "[\(Documents.exchange(members: #", "notes": "x""#))]"),
            path: "$.exchanges[0].notes", message: "unknown member 'notes'"),
        DecodingErrorCase(
            name: "unknown request member",
            document: exchangeDocument(request: #"{"method": "GET", "path": "/Users", "query": "x"}"#),
            path: "$.exchanges[0].request.query", message: "unknown member 'query'"),
        DecodingErrorCase(
            name: "method lowercase", document: exchangeDocument(request: #"{"method": "get", "path": "/Users"}"#),
            path: "$.exchanges[0].request.method", message: #"method "get" is not an HTTP method such as GET or PATCH"#
        ),
        DecodingErrorCase(
            name: "method empty", document: exchangeDocument(request: #"{"method": "", "path": "/Users"}"#),
            path: "$.exchanges[0].request.method", message: "is not an HTTP method"),
        DecodingErrorCase(
            name: "path without leading slash",
            document: exchangeDocument(request: #"{"method": "GET", "path": "Users"}"#),
            path: "$.exchanges[0].request.path", message: #"path "Users" must start with a single '/'"#),
        DecodingErrorCase(
            name: "path naming another host",
            document: exchangeDocument(request: #"{"method": "GET", "path": "//evil.example/Users"}"#),
            path: "$.exchanges[0].request.path",
            message: "must start with a single '/' and be relative to the SCIM base"),
        DecodingErrorCase(
            name: "path with a space",
            document: exchangeDocument(request: #"{"method": "GET", "path": "/Users?filter=a eq b"}"#),
            path: "$.exchanges[0].request.path", message: "contains a space or control character; percent-encode it"),
        DecodingErrorCase(
            name: "header value with CRLF",
            document: exchangeDocument(
                request: #"{"method": "GET", "path": "/Users", "headers": [{"name": "X-Note", "value": "a\r\nb"}]}"#),
            path: "$.exchanges[0].request.headers[0].value", message: "a header value must not contain a line break"),
        DecodingErrorCase(
            name: "header name with colon",
            document: exchangeDocument(
                request: #"{"method": "GET", "path": "/Users", "headers": [{"name": "X:Bad", "value": "a"}]}"#),
            path: "$.exchanges[0].request.headers[0].name", message: #""X:Bad" is not a header name"#),
        DecodingErrorCase(
            name: "both body and bodyText",
            document: exchangeDocument(
                request: #"{"method": "POST", "path": "/Users", "body": {"a": 1}, "bodyText": "a"}"#),
            path: "$.exchanges[0].request.bodyText",
            message:
                "found both 'body' and 'bodyText', but a message takes only one of 'body', 'bodyText' and 'bodyBase64'"),
        DecodingErrorCase(
            name: "both bodyText and bodyBase64",
            document: exchangeDocument(
                request: #"{"method": "POST", "path": "/Users", "bodyText": "a", "bodyBase64": "/w=="}"#),
            path: "$.exchanges[0].request.bodyBase64", message: "found both 'bodyText' and 'bodyBase64'"),
        DecodingErrorCase(
            name: "bodyBase64 without padding",
            document: exchangeDocument(request: #"{"method": "POST", "path": "/Users", "bodyBase64": "/w"}"#),
            path: "$.exchanges[0].request.bodyBase64", message: #""/w" is not standard base64"#),
    ]

    static let responseCases = [
        DecodingErrorCase(
            name: "status as a string", document: exchangeDocument(response: #"{"status": "200"}"#),
            path: "$.exchanges[0].response.status", message: #"expected an integer, found "200""#),
        DecodingErrorCase(
            name: "status 999", document: exchangeDocument(response: #"{"status": 999}"#),
            path: "$.exchanges[0].response.status", message: "status 999 is not between 100 and 599"),
        DecodingErrorCase(
            name: "status 99", document: exchangeDocument(response: #"{"status": 99}"#),
            path: "$.exchanges[0].response.status", message: "status 99 is not between 100 and 599"),
        DecodingErrorCase(
            name: "missing status", document: exchangeDocument(response: "{}"),
            path: "$.exchanges[0].response.status", message: "the member 'status' is missing"),
        DecodingErrorCase(
            name: "header without value",
            document: exchangeDocument(response: #"{"status": 200, "headers": [{"name": "ETag"}]}"#),
            path: "$.exchanges[0].response.headers[0].value", message: "the member 'value' is missing"),
        DecodingErrorCase(
            name: "bodyText not a string", document: exchangeDocument(response: #"{"status": 200, "bodyText": 5}"#),
            path: "$.exchanges[0].response.bodyText", message: "expected a string, found number"),
        DecodingErrorCase(
            name: "bodyBase64 not a string", document: exchangeDocument(response: #"{"status": 200, "bodyBase64": 5}"#),
            path: "$.exchanges[0].response.bodyBase64", message: "expected a string, found number"),
        DecodingErrorCase(
            name: "both body and bodyBase64",
            document: exchangeDocument(response: #"{"status": 200, "body": {}, "bodyBase64": "/w=="}"#),
            path: "$.exchanges[0].response.bodyBase64", message: "found both 'body' and 'bodyBase64'"),
        DecodingErrorCase(
            name: "bodyBase64 with URL-safe alphabet",
            document: exchangeDocument(response: #"{"status": 200, "bodyBase64": "_w=="}"#),
            path: "$.exchanges[0].response.bodyBase64", message: #""_w==" is not standard base64"#),
        DecodingErrorCase(
            name: "bodyBase64 with line break",
            document: exchangeDocument(response: #"{"status": 200, "bodyBase64": "/w==\n"}"#),
            path: "$.exchanges[0].response.bodyBase64", message: "is not standard base64"),
        DecodingErrorCase(
            name: "bodyBase64 with bits after last byte",
            document: exchangeDocument(response: #"{"status": 200, "bodyBase64": "/x=="}"#),
            path: "$.exchanges[0].response.bodyBase64", message: #""/x==" is not standard base64"#),
        DecodingErrorCase(
            name: "second exchange without response",
            document: Documents.transcript(
                exchanges: "[\(Documents.exchange()), {\"request\": \(Documents.request)}]"),
            path: "$.exchanges[1].response", message: "the member 'response' is missing"),
        DecodingErrorCase(
            name: "expected status out of range",
            document: Documents.transcript(
                exchanges: "[\(Documents.exchange(members: #", "expect": {"status": [200, 700]}"#))]"),
            path: "$.exchanges[0].expect.status[1]", message: "expected a status code between 100 and 599, found 700"),
        DecodingErrorCase(
            name: "expected status list empty",
            document: Documents.transcript(
                exchanges: "[\(Documents.exchange(members: #", "expect": {"status": []}"#))]"),
            path: "$.exchanges[0].expect.status", message: "expected a status code or a non-empty array of them"),
        DecodingErrorCase(
            name: "unknown profile member",
            document: Documents.transcript(
                exchanges:
                    "[\(Documents.exchange(members: #", "expect": {"profiles": {"rfc": {"status": [404], "headers": []}}}"#))]"
            ),
            path: "$.exchanges[0].expect.profiles.rfc.headers", message: "unknown member 'headers'"),
        DecodingErrorCase(
            name: "profile with two body forms",
            document: Documents.transcript(
                exchanges:
                    "[\(Documents.exchange(members: #", "expect": {"profiles": {"rfc": {"status": [404], "bodyText": "", "bodyBase64": "/w=="}}}"#))]"
            ),
            path: "$.exchanges[0].expect.profiles.rfc.bodyBase64", message: "found both 'bodyText' and 'bodyBase64'"),
        DecodingErrorCase(
            name: "matcher pattern too long",
            document: Documents.transcript(
                exchanges:
                    "[\(Documents.exchange(members: #", "expect": {"matchers": {"$"# + String(repeating: ".a", count: 600) + #"": {"any": true}}}"#))]"
            ),
            path: "$.exchanges[0].expect.matchers",
            message: "a matcher pattern of 1201 bytes is longer than the 1024 allowed"),
    ]

    static func exchangeDocument(request: String = Documents.request, response: String = Documents.response)
        -> String
    {
        Documents.transcript(exchanges: "[\(Documents.exchange(request: request, response: response))]")
    }

    static let allCases: [DecodingErrorCase] = rootCases + requestCases + responseCases

    @Test(arguments: allCases)
    func decodingErrorNamesJSONPath(testCase: DecodingErrorCase) throws {
        let document = try JSONValue.parse(testCase.document)

        let error = transcriptError { () throws(TranscriptError) in try Transcript(json: document) }

        #expect(error?.path.description == testCase.path)
        #expect(error?.message.contains(testCase.message) == true, "message: \(error?.message ?? "none")")
    }

    @Test func validDocumentDecodes() throws {
        let document = try JSONValue.parse(Documents.transcript())

        let transcript = try Transcript(json: document)

        #expect(transcript.name == "n")
        #expect(transcript.exchanges.count == 1)
        #expect(transcript.exchanges.first?.request.method == "GET")
        #expect(transcript.exchanges.first?.response.status == 200)
    }

    @Test func singleExpectedStatusBecomesList() throws {
        let document = try JSONValue.parse(
            Documents.transcript(exchanges: "[\(Documents.exchange(members: #", "expect": {"status": 204}"#))]"))

        let transcript = try Transcript(json: document)

        #expect(transcript.exchanges.first?.expectations.status == [204])
    }

    @Test func nullOptionalsReadAsAbsentButNullBodyStays() throws {
        let document = try JSONValue.parse(
            Documents.transcript(
                source: #""source": {"kind": "proxied", "tool": null}, "#,
                exchanges:
                    #"[{"description": null, "request": {"method": "GET", "path": "/", "body": null}, "response": {"status": 200}}]"#
            ))

        let transcript = try Transcript(json: document)

        #expect(transcript.source.tool == nil)
        #expect(transcript.exchanges.first?.description == nil)
        #expect(transcript.exchanges.first?.request.body == .json(.null), "a body of JSON null is sent as null")
    }
}

/// Returns the `TranscriptError` that `body` throws, or `nil` when it succeeds.
func transcriptError<Value>(_ body: () throws(TranscriptError) -> Value) -> TranscriptError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

@Suite struct TranscriptErrorDescription {
    static let exchangeStatus = JSONPath([.key("exchanges"), .index(2), .key("response"), .key("status")])

    static let cases: [(String?, JSONPath, String)] = [
        (
            "Recordings/x.json", exchangeStatus,
            "Recordings/x.json: exchange 3: error: $.exchanges[2].response.status: m"
        ),
        (nil, exchangeStatus, "exchange 3: error: $.exchanges[2].response.status: m"),
        ("f.json", JSONPath([.key("exchanges"), .index(0)]), "f.json: exchange 1: error: $.exchanges[0]: m"),
        ("f.json", JSONPath([.key("format")]), "f.json: error: $.format: m"),
        ("f.json", JSONPath([.key("exchanges")]), "f.json: error: $.exchanges: m"),
        ("f.json", JSONPath([.key("preconditions"), .index(0)]), "f.json: error: $.preconditions[0]: m"),
        ("f.json", JSONPath([.key("source"), .key("urn:x")]), #"f.json: error: $.source["urn:x"]: m"#),
        ("f.json", .root, "f.json: error: m"),
        (nil, .root, "error: m"),
    ]

    @Test(arguments: cases)
    func descriptionFollowsCommandLineForm(file: String?, path: JSONPath, expected: String) {
        let error = TranscriptError(file: file, path: path, message: "m")

        #expect(error.description == expected)
    }

    @Test func exchangeNumberOnlyInsideExchanges() {
        let inside = TranscriptError(path: JSONPath([.key("exchanges"), .index(4), .key("request")]), message: "m")
        let outside = TranscriptError(path: JSONPath([.key("preconditions"), .index(4)]), message: "m")

        #expect(inside.exchangeNumber == 5)
        #expect(outside.exchangeNumber == nil)
    }
}

/// Paths and values that would let a transcript reach outside the SCIM base or smuggle bytes.
@Suite struct TranscriptInputLimits {
    @Test(arguments: [
        "/../_scimtape/state", "/Users/%2e%2e/x", "/Users/./x", "/Users\u{0}x", "/Users\tx", "/Users#frag",
        "/Users?filter=a\u{7F}",
    ])
    func pathThatLeavesBaseOrSmugglesBytesIsRejected(path: String) throws {
        let document = try JSONValue.parse(
            Documents.transcript(
                exchanges:
                    #"[{"request": {"method": "GET", "path": \#(JSONValue.string(path).serialized())}, "response": {"status": 200}}]"#
            ))

        let error = transcriptError { () throws(TranscriptError) in try Transcript(json: document) }

        #expect(error?.path.description == "$.exchanges[0].request.path")
    }

    @Test func headerValueWithNullIsRejected() throws {
        let document = try JSONValue.parse(
            Documents.transcript(
                exchanges:
                    #"[{"request": {"method": "GET", "path": "/", "headers": [{"name": "X", "value": "a\u0000b"}]}, "response": {"status": 200}}]"#
            ))

        let error = transcriptError { () throws(TranscriptError) in try Transcript(json: document) }

        #expect(error?.path.description == "$.exchanges[0].request.headers[0].value")
    }

    @Test func emptyExchangeListIsRejected() throws {
        let document = try JSONValue.parse(Documents.transcript(exchanges: "[]"))

        let error = transcriptError { () throws(TranscriptError) in try Transcript(json: document) }

        #expect(error?.path.description == "$.exchanges")
    }

    @Test func unknownProfileNameIsRejected() throws {
        let document = try JSONValue.parse(
            Documents.transcript(
                exchanges:
                    #"[{"request": {"method": "GET", "path": "/"}, "response": {"status": 200}, "expect": {"profiles": {"frnt": {"status": 404}}}}]"#
            ))

        let error = transcriptError { () throws(TranscriptError) in try Transcript(json: document) }

        #expect(error?.path.description == "$.exchanges[0].expect.profiles.frnt")
        #expect(error?.message.contains("unknown profile 'frnt'") == true)
    }
}
