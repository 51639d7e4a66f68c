import Foundation
import HTTP
import SCIM
import Testing
import Transcript

/// Small HAR documents in the shapes that each tool writes.
enum HARSamples {
    static let userJSON = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"a@b.c"}"#

    static func entry(
        _ method: String, _ url: String, status: Int = 200, started: String = "2026-01-01T10:00:00.000Z",
        requestHeaders: JSONValue = [], postData: JSONValue? = nil, content: JSONValue = ["size": 0, "mimeType": ""],
        extra: [(String, JSONValue)] = []
    ) -> JSONValue {
        var request = JSONObject([
            ("method", .string(method)), ("url", .string(url)), ("httpVersion", "HTTP/1.1"),
            ("headers", requestHeaders), ("queryString", []), ("cookies", []), ("headersSize", -1), ("bodySize", 0),
        ])
        request["postData"] = postData
        let response: JSONValue = [
            "status": .number(JSONNumber(status)), "statusText": "", "httpVersion": "HTTP/1.1",
            "headers": [
                ["name": "Content-Type", "value": "application/scim+json"], ["name": "Content-Length", "value": "12"],
                ["name": "Content-Encoding", "value": "gzip"],
            ],
            "cookies": [], "content": content, "redirectURL": "", "headersSize": -1, "bodySize": -1,
        ]
        var entry = JSONObject([
            ("startedDateTime", .string(started)), ("time", 1), ("request", .object(request)), ("response", response),
            ("cache", [:]), ("timings", ["send": 0, "wait": 1, "receive": 0]),
        ])
        for (key, value) in extra {
            entry[key] = value
        }
        return .object(entry)
    }

    /// Returns an entry whose `response.status` is `status` as it is, or has no status when it is `nil`.
    static func entry(_ method: String, _ url: String, rawStatus status: JSONValue?) -> JSONValue {
        guard case .object(var entry) = entry(method, url), case .object(var response)? = entry["response"] else {
            return .null
        }
        response["status"] = status
        entry["response"] = .object(response)
        return .object(entry)
    }

    static func document(_ entries: [JSONValue], creator: String = "mitmproxy") -> JSONValue {
        [
            "log": [
                "version": "1.2", "creator": ["name": .string(creator), "version": "1.0"], "entries": .array(entries),
            ]
        ]
    }

    static func options(base: String? = nil) -> HARImport.Options {
        HARImport.Options(base: base, name: "imported", sourceFile: "capture.har", tool: "scimtape test")
    }

    static func header(_ name: String, _ value: String) -> JSONValue {
        ["name": .string(name), "value": .string(value)]
    }
}

@Suite struct HARImportVariants {
    /// A SCIM client may send an attribute under its schema URN, and a key in a query parameter.
    @Test func qualifiedPasswordAndQueryKeyAreReplaced() throws {
        let key = "tokSECRETabcdef0123456789XYZ"
        let created =
            #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@b.c","#
            + #""urn:ietf:params:scim:schemas:core:2.0:User:password":"p4ssw0rdp4ssw0rd","#
            + #""URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ACME:2.0:User:API_KEY":"k3yk3yk3y"}"#
        let document = HARSamples.document([
            HARSamples.entry(
                "POST", "https://scim.example.com/scim/v2/Users?sig=\(key)&count=1", status: 201,
                postData: ["mimeType": "application/scim+json", "text": .string(created)],
                content: ["size": 10, "mimeType": "application/scim+json", "text": .string(HARSamples.userJSON)])
        ])

        let result = try HARImport.convert(document, options: HARSamples.options())

        let exchange = try #require(result.transcript.exchanges.first)
        let body = exchange.request.body.json
        #expect(exchange.request.path == "/Users?sig=%5Bredacted%5D&count=1")
        #expect(body?["urn:ietf:params:scim:schemas:core:2.0:User:password"] == "[redacted]")
        #expect(body?["URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ACME:2.0:User:API_KEY"] == "[redacted]")
        #expect(body?["userName"] == "a@b.c")
        #expect(SecretScan.scan(result.transcript).isEmpty)
        let encoded = String(decoding: result.transcript.encoded(), as: UTF8.self)
        #expect(!encoded.contains("p4ssw0rd"))
        #expect(!encoded.contains("k3yk3yk3y"))
        #expect(!encoded.contains(key))
    }

    @Test func mitmproxyShapeKeepsOnlySCIMEntries() throws {
        let document = HARSamples.document([
            HARSamples.entry(
                "GET", "https://scim.example.com/scim/v2/Users?filter=userName+eq+%22a%40b.c%22",
                requestHeaders: [HARSamples.header("Authorization", "Bearer abcdefgh12345678")],
                content: ["size": 10, "mimeType": "application/scim+json", "text": #"{"totalResults":0}"#]),
            HARSamples.entry("GET", "https://scim.example.com/favicon.ico", status: 404),
            HARSamples.entry(
                "POST", "https://scim.example.com/scim/v2/Users", status: 201,
                started: "2026-01-01T10:00:01.000Z",
                requestHeaders: [HARSamples.header("Cookie", "session=abc")],
                postData: ["mimeType": "application/scim+json", "text": .string(HARSamples.userJSON)],
                content: ["size": 10, "mimeType": "application/scim+json", "text": .string(HARSamples.userJSON)]),
        ])

        let result = try HARImport.convert(document, options: HARSamples.options())

        #expect(result.baseWasDetected)
        #expect(result.base == "https://scim.example.com/scim/v2")
        #expect(result.dropped.map(\.reason) == ["outside the SCIM base"])
        let exchanges = result.transcript.exchanges
        #expect(exchanges.map(\.request.path) == ["/Users?filter=userName+eq+%22a%40b.c%22", "/Users"])
        #expect(exchanges[0].request.headers["Authorization"] == "Bearer [redacted]")
        #expect(exchanges[1].request.headers["Cookie"] == "[redacted]")
        #expect(exchanges[1].request.body.json?["userName"] == "a@b.c")
        #expect(exchanges[1].response.status == 201)
        #expect(exchanges[1].response.headers["Content-Encoding"] == nil)
        #expect(exchanges[1].response.headers["Content-Length"] == nil)
        #expect(result.transcript.source.kind == .imported)
        #expect(result.creator == "mitmproxy 1.0")
    }

    @Test func fiddlerAndCharlesBase64BodiesDecode() throws {
        let encoded = Data(HARSamples.userJSON.utf8).base64EncodedString()
        let document = HARSamples.document(
            [
                HARSamples.entry(
                    "POST", "http://127.0.0.1:8080/scim/v2/Users", status: 201,
                    postData: ["mimeType": "application/scim+json", "text": .string(encoded), "encoding": "base64"],
                    content: [
                        "size": 90, "mimeType": "application/scim+json", "text": .string(encoded), "encoding": "base64",
                    ],
                    extra: [("_charlesStatus", "COMPLETE")])
            ], creator: "Charles Proxy")

        let result = try HARImport.convert(document, options: HARSamples.options())

        let exchange = try #require(result.transcript.exchanges.first)
        #expect(exchange.request.body.json?["id"] == "u1")
        #expect(exchange.response.body.json?["userName"] == "a@b.c")
    }

    @Test func browserShapeDropsPseudoHeadersAndFailures() throws {
        let document = HARSamples.document(
            [
                HARSamples.entry(
                    "GET", "https://app.example.com/api/scim/Users/u1",
                    requestHeaders: [
                        HARSamples.header(":authority", "app.example.com"),
                        HARSamples.header(":path", "/api/scim/Users/u1"),
                        HARSamples.header("accept", "application/scim+json"),
                    ],
                    content: ["size": 90, "mimeType": "application/scim+json", "text": .string(HARSamples.userJSON)],
                    extra: [("_initiator", ["type": "script"]), ("_resourceType", "fetch")]),
                HARSamples.entry("GET", "https://app.example.com/api/scim/Users/u2", status: 0),
                HARSamples.entry(
                    "OPTIONS", "https://app.example.com/api/scim/Users",
                    requestHeaders: [HARSamples.header("Access-Control-Request-Method", "POST")]),
            ], creator: "WebInspector")

        let result = try HARImport.convert(document, options: HARSamples.options())

        #expect(result.base == "https://app.example.com/api/scim")
        #expect(result.transcript.exchanges.count == 1)
        #expect(result.transcript.exchanges[0].request.headers.fields.map(\.name) == ["accept"])
        #expect(result.dropped.count == 2)
        #expect(result.dropped[0].reason.hasPrefix("no response"))
        #expect(result.dropped[1].reason.hasPrefix("a CORS preflight"))
    }

    /// Entries that a transcript cannot store are dropped with the reason, so that what `import`
    /// writes is always a transcript that `verify` and `lint` can read.
    @Test func unstorableEntriesDropped() throws {
        let base = "https://scim.example.com/scim/v2"
        let document = HARSamples.document([
            HARSamples.entry("GET", base + "/Users/kept"),
            HARSamples.entry("DELE:TE", base + "/Users/u1"),
            HARSamples.entry("GET", base + "/Users/u4", requestHeaders: [HARSamples.header("X Space", "v")]),
            HARSamples.entry("GET", base + "/Users/u5", requestHeaders: [HARSamples.header("X-Break", "a\nb")]),
            HARSamples.entry("GET", base + "/Users/u6", status: 999),
            HARSamples.entry("GET", base + "/Users/u7", rawStatus: "700"),
            HARSamples.entry("GET", base + "/Users/u8", status: -1),
        ])

        let result = try HARImport.convert(document, options: HARSamples.options())
        let reread = try Transcript(json: try JSONValue.parse(bytes: result.transcript.encoded()))

        #expect(result.transcript.exchanges.map(\.request.path) == ["/Users/kept"])
        #expect(reread == result.transcript)
        #expect(result.dropped.map(\.entry) == [2, 3, 4, 5, 6, 7])
        #expect(result.dropped[0].reason.contains(#"method "DELE:TE" is not an HTTP method"#))
        #expect(result.dropped[1].reason.contains(#""X Space" is not a header name"#))
        #expect(result.dropped[2].reason.hasPrefix("its request header field X-Break:"))
        #expect(result.dropped[3].reason == "its status 999 is not between 100 and 599")
        #expect(result.dropped[4].reason == "its status 700 is not between 100 and 599")
        #expect(result.dropped[5].reason == "its status -1 is not between 100 and 599")
    }

    /// A status that is not an integer means the file is damaged, so the import stops instead of
    /// dropping the entry as one without a response.
    @Test func invalidStatusIsInputError() throws {
        let cases: [(status: JSONValue, found: String)] = [
            ("abc", #""abc""#), ("", #""""#), (" 201", #"" 201""#), ("+201", #""+201""#), ("201.0", #""201.0""#),
            ("99999999999999999999", #""99999999999999999999""#), (201.5, "201.5"),
            (true, "true"), (.null, "null"), ([201], "an array"),
            (["code": 201], "an object"),
            (.string(String(repeating: "x", count: 60)), #"""# + String(repeating: "x", count: 39) + "…"),
        ]
        let base = "https://scim.example.com/scim/v2"
        for (status, found) in cases {
            let document = HARSamples.document([
                HARSamples.entry("GET", base + "/Users/kept"),
                HARSamples.entry("GET", base + "/Users/u1", rawStatus: status),
            ])

            let error = #expect(throws: HARError.self, "status \(found)") {
                _ = try HARImport.convert(document, options: HARSamples.options())
            }

            #expect(error?.path.description == "$.log.entries[1].response.status", "status \(found)")
            #expect(error?.message.hasPrefix("entry 2 has the status \(found), ") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("from 100 to 599") == true, "status \(found)")
        }
    }

    /// HAR 1.2 specifies a number, but a string of digits names the status just as clearly.
    @Test func numericStringStatusIsRead() throws {
        let base = "https://scim.example.com/scim/v2"
        let document = HARSamples.document([
            HARSamples.entry("POST", base + "/Users", rawStatus: "201"),
            HARSamples.entry("GET", base + "/Users/u1", rawStatus: "0"),
            HARSamples.entry("GET", base + "/Users/u2", rawStatus: 204.0),
            HARSamples.entry("GET", base + "/Users/u3", rawStatus: nil),
        ])

        let result = try HARImport.convert(document, options: HARSamples.options())

        #expect(result.transcript.exchanges.map(\.response.status) == [201, 204])
        #expect(result.dropped.map(\.entry) == [2, 4])
        #expect(result.dropped.allSatisfy { $0.reason.hasPrefix("no response") })
    }

    /// .NET writers such as Fiddler start the file with a UTF-8 byte order mark, which RFC 8259
    /// section 8.1 lets a parser ignore.
    @Test func leadingByteOrderMarkIsSkipped() throws {
        let document = HARSamples.document([HARSamples.entry("GET", "https://scim.example.com/scim/v2/Users/u1")])
        let bytes = document.serializedBytes()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scimtape-bom-\(UUID().uuidString).har"
        )
        .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0xEF, 0xBB, 0xBF] + bytes).write(to: URL(fileURLWithPath: path))

        let parsed = try HARImport.parse(bytes: [0xEF, 0xBB, 0xBF] + bytes, options: HARSamples.options())
        let read = try HARImport.read(path: path, options: HARSamples.options())

        #expect(parsed.transcript.exchanges.count == 1)
        #expect(read.transcript.exchanges.count == 1)
    }

    /// Only one mark at the very start is skipped, so other stray bytes still name their position.
    @Test func misplacedByteOrderMarkIsError() throws {
        let bytes = HARSamples.document([HARSamples.entry("GET", "https://scim.example.com/scim/v2/Users/u1")])
            .serializedBytes()

        let twice = #expect(throws: HARError.self) {
            _ = try HARImport.parse(bytes: [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + bytes, options: HARSamples.options())
        }
        let afterSpace = #expect(throws: HARError.self) {
            _ = try HARImport.parse(bytes: [0x20, 0xEF, 0xBB, 0xBF] + bytes, options: HARSamples.options())
        }

        #expect(twice?.message.hasPrefix("invalid JSON at line 1, column 1:") == true, "\(twice?.message ?? "")")
        #expect(
            afterSpace?.message.hasPrefix("invalid JSON at line 1, column 2:") == true, "\(afterSpace?.message ?? "")")
    }

    @Test func givenBasePathMatchesAnyHost() throws {
        let document = HARSamples.document([
            HARSamples.entry("GET", "https://one.example.com/scim/Users/u1", started: "2026-01-01T10:00:02Z"),
            HARSamples.entry("GET", "http://two.example.com/scim/Groups", started: "2026-01-01T10:00:01Z"),
            HARSamples.entry("GET", "http://two.example.com/other/Users"),
        ])

        let result = try HARImport.convert(document, options: HARSamples.options(base: "/scim"))

        #expect(!result.baseWasDetected)
        #expect(result.transcript.exchanges.map(\.request.path) == ["/Groups", "/Users/u1"])
        #expect(result.dropped.count == 1)
    }

    @Test func documentWithoutSCIMEntriesIsAnError() {
        let document = HARSamples.document([HARSamples.entry("GET", "https://example.com/index.html")])

        #expect(throws: HARError.self) {
            _ = try HARImport.convert(document, options: HARSamples.options())
        }
        #expect(throws: HARError.self) {
            _ = try HARImport.convert(["format": "scimtape.transcript"], options: HARSamples.options())
        }
    }
}

@Suite struct HARExportRoundTrip {
    @Test func exportedHARImportsToSameExchanges() throws {
        let original = Transcript(
            name: "round-trip", description: "Exported and imported again.",
            source: Transcript.Source(kind: .handwritten, recordedAt: "2026-01-01T10:00:00.000Z"),
            exchanges: [
                Exchange(
                    request: Exchange.Request(
                        method: "POST", path: "/Users", headers: [("Content-Type", "application/scim+json")],
                        body: .json(try JSONValue.parse(HARSamples.userJSON))),
                    response: Exchange.Response(
                        status: 201, headers: [("Location", "https://scim.example.invalid/scim/v2/Users/u1")],
                        body: .json(try JSONValue.parse(HARSamples.userJSON)))),
                Exchange(
                    request: Exchange.Request(method: "GET", path: "/Users?filter=userName+eq+%22a%40b.c%22"),
                    response: Exchange.Response(status: 200, body: .text("plain text"))),
                Exchange(
                    request: Exchange.Request(method: "DELETE", path: "/Users/u1"),
                    response: Exchange.Response(status: 204)),
            ])

        let har = HARExport.document(
            original, base: try BaseURL("https://scim.example.invalid/scim/v2"), tool: "scimtape 0.1.0")
        let imported = try HARImport.convert(har, options: HARSamples.options()).transcript

        #expect(har["log"]?["version"] == "1.2")
        #expect(har["log"]?["entries"]?.arrayValue?.count == 3)
        #expect(imported.exchanges == original.exchanges)
    }
}
