import Foundation
import HTTP
import Logging
import Recorder
import SCIM
import Testing
import Transcript

@Suite struct RecordedSecrets {
    @Test func tokenNeverReachesTheJournal() throws {
        let harness = try ProxyHarness()

        try harness.send(.post, "/Users", json: userBody("token@secrets.example"))
        try harness.send(.get, "/Users?filter=userName+eq+%22token%40secrets.example%22")
        let beforeFinish = try harness.filesContaining(ProxyHarness.token)
        let (transcript, _) = try harness.proxy.finish()
        try TranscriptFile.write(try #require(transcript), to: harness.folder.appendingPathComponent("out.json").path)

        #expect(beforeFinish.isEmpty)
        #expect(try harness.filesContaining(ProxyHarness.token).isEmpty)
        #expect(transcript?.exchanges.first?.request.headers["Authorization"] == "Bearer [redacted]")
    }

    @Test func unlistedSecretsReplacedBeforeJournal() throws {
        let harness = try ProxyHarness()
        let apiKey = "k8Zq2Lm9Xw4Rt7Vb1Nc6Hy3Jd5Gf0Ps"
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLXRlc3Q"
        var body = userBody("secret@secrets.example")
        if case .object(var object) = body {
            object["password"] = "hunter2-password"
            object["nickName"] = .string(jwt)
            body = .object(object)
        }

        let response = try harness.send(.post, "/Users", json: body, headers: [("X-Api-Key", apiKey)])
        let (transcript, _) = try harness.proxy.finish()

        #expect(response.status.code == 201)
        for needle in [apiKey, jwt, "hunter2-password"] {
            #expect(try harness.filesContaining(needle).isEmpty, "\(needle.prefix(6))... reached the disk")
        }
        let exchange = try #require(transcript?.exchanges.first)
        #expect(exchange.request.headers["X-Api-Key"] == SecretRedaction.placeholder)
        #expect(exchange.request.body.json?["password"] == .string(SecretRedaction.placeholder))
        #expect(harness.proxy.counts.secretsReplaced >= 2)
        #expect(SecretScan.scan(try #require(transcript)).isEmpty)
    }

    /// A member name written with JSON escapes is still a listed member: the body is parsed, and
    /// the value never reaches the journal.
    @Test func escapedMemberNameRedacted() throws {
        let harness = try ProxyHarness()
        let body =
            #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"escaped@secrets.example","\u0070assword":"hunter2-escaped"}"#
        let request = HTTPRequest(
            method: .post, target: "/scim/v2/Users",
            headers: [("Authorization", "Bearer \(ProxyHarness.token)"), ("Content-Type", "application/scim+json")],
            body: Array(body.utf8))

        let response = try HTTPClient().send(request, url: harness.proxy.url + "/Users")
        let journaled = try harness.filesContaining("hunter2-escaped")
        let (transcript, _) = try harness.proxy.finish()

        #expect(response.status.code == 201)
        #expect(journaled.isEmpty)
        #expect(try harness.filesContaining("hunter2-escaped").isEmpty)
        let exchange = try #require(transcript?.exchanges.first)
        #expect(exchange.request.body.json?["password"] == .string(SecretRedaction.placeholder))
    }

    /// Bodies the JSON reader rejects are journaled as text, with the listed members replaced:
    /// a duplicate key, text after the document, a form without a content type, invalid UTF-8.
    @Test(arguments: [
        (
            #"{"userName":"dup@secrets.example","password":"dup-secret-1","password":"dup-secret-2"}"#,
            "application/scim+json", "dup-secret-1"
        ),
        (
            #"{"userName":"trail@secrets.example","password":"trail-secret-1"} x"#, "application/scim+json",
            "trail-secret-1"
        ),
        ("userName=form&password=form-secret-1", "application/x-www-form-urlencoded", "form-secret-1"),
        ("{\"userName\":\"u\u{FFFD}8\",\"password\":\"utf8-secret-1\"}", "application/scim+json", "utf8-secret-1"),
    ])
    func unreadableBodyRedacted(body: String, contentType: String, secret: String) throws {
        let harness = try ProxyHarness()
        var bytes = Array(body.utf8)
        if let replacement = bytes.firstRange(of: Array("\u{FFFD}".utf8)) {
            bytes.replaceSubrange(replacement, with: [0xFF])
        }
        let request = HTTPRequest(
            method: .post, target: "/scim/v2/Users",
            headers: [("Authorization", "Bearer \(ProxyHarness.token)"), ("Content-Type", contentType)], body: bytes)

        _ = try HTTPClient().send(request, url: harness.proxy.url + "/Users")
        let journaled = try harness.filesContaining(secret)
        _ = try harness.proxy.finish()

        #expect(journaled.isEmpty, "\(secret) reached the journal")
        #expect(try harness.filesContaining(secret).isEmpty)
        #expect(try harness.filesContaining("secret-2").isEmpty)
    }

    /// The header's credential also leaves every other place the client or the upstream put it:
    /// an RFC 6750 `access_token` query parameter, a body member, a form body.
    @Test func sentCredentialIsReplacedEverywhere() throws {
        let harness = try ProxyHarness()
        let random = "Zx8K2mQ9vT4pL7nR3wY6bH1cF5gJ0dS8aE2uI9oP"
        var body = userBody("copies@secrets.example")
        if case .object(var object) = body {
            object["secret"] = .string(random)
            object["nickName"] = .string(ProxyHarness.token)
            body = .object(object)
        }

        try harness.send(.get, "/Users?access_token=\(random)&count=1")
        try harness.send(.get, "/Users?auth=\(ProxyHarness.token)&count=1")
        try harness.send(.post, "/Users", json: body)
        let (transcript, _) = try harness.proxy.finish()

        for needle in [random, ProxyHarness.token] {
            #expect(try harness.filesContaining(needle).isEmpty, "\(needle.prefix(6))... reached the disk")
        }
        let exchanges = try #require(transcript?.exchanges)
        #expect(exchanges.count == 3)
        #expect(exchanges[0].request.path == "/Users?access_token=%5Bredacted%5D&count=1")
        #expect(exchanges[1].request.path == "/Users?auth=%5Bredacted%5D&count=1")
    }

    /// An upstream that repeats the token upper- and lowercased and base64-encoded, in both
    /// alphabets and with and without padding, gets none of those copies into the journal or the
    /// transcript.
    @Test func caseAndBase64EchoesReplaced() throws {
        let token = "Rec0late~Ab?Cd"
        let standard = Data(token.utf8).base64EncodedString()
        let urlSafe = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let copies = [
            token.uppercased(), token.lowercased(), standard, urlSafe,
            standard.replacingOccurrences(of: "=", with: ""), urlSafe.replacingOccurrences(of: "=", with: ""),
        ]
        let upstream = HTTPServer(configuration: HTTPServerConfiguration()) { _ in
            let document: JSONValue = [
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "Resources": [],
                "debug": .array(copies.map { .string($0) }),
            ]
            var headers: HTTPHeaders = [("Content-Type", "application/scim+json")]
            for (index, copy) in copies.enumerated() {
                headers.add(name: "X-Echo-\(index)", value: copy)
            }
            return HTTPResponse(status: .ok, headers: headers, body: document.serializedBytes())
        }
        try upstream.start()
        defer { upstream.stop() }
        let folder = try ProxyHarness.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let proxy = try RecordingProxy(
            configuration: RecordingProxyConfiguration(
                upstream: try BaseURL(upstream.origin + "/scim/v2"),
                journalPath: folder.appendingPathComponent("echo.journal").path, name: "echo"))
        try proxy.start()
        let request = HTTPRequest(
            method: .get, target: "/scim/v2/Users?count=1", headers: [("Authorization", "Bearer \(token)")])

        let response = try HTTPClient().send(request, url: proxy.url + "/Users?count=1")
        let journal = try String(contentsOf: folder.appendingPathComponent("echo.journal"), encoding: .utf8)
        let (transcript, _) = try proxy.finish()
        let exchange = try #require(transcript?.exchanges.first)
        let written = String(decoding: try #require(transcript).encoded(), as: UTF8.self)

        #expect(response.status.code == 200)
        #expect(exchange.response.body.json?["debug"] == .array(Array(repeating: "[redacted]", count: copies.count)))
        for index in copies.indices {
            #expect(exchange.response.headers["X-Echo-\(index)"] == "[redacted]")
        }
        for copy in copies {
            #expect(!journal.contains(copy), "\(copy) in the journal")
            #expect(!written.contains(copy), "\(copy) in the transcript")
        }
    }

    @Test func replacementLogNamesLocationAndKind() throws {
        let handler = CapturingLogHandler()
        let harness = try ProxyHarness(logger: Logger(label: "test", level: .warning, handler: handler))
        let apiKey = "k8Zq2Lm9Xw4Rt7Vb1Nc6Hy3Jd5Gf0Ps"

        try harness.send(.get, "/Users?count=1", headers: [("X-Api-Key", apiKey)])
        _ = try harness.proxy.finish()

        let records = handler.captured.filter { $0.message == "secret-like value replaced before journaling" }
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(record.metadata["finding.location"] == "request header X-Api-Key")
        #expect(record.metadata["finding.kind"] == "a long random-looking value")
        #expect(!record.formatted().contains("[redacted]"))
        #expect(!record.formatted().contains(apiKey))
        #expect(!handler.captured.contains { $0.formatted().contains(apiKey) })
    }
}
