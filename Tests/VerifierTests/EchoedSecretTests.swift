import Foundation
import HTTP
import ReferenceServer
import SCIM
import Testing
import Transcript

@testable import Verifier

/// An endpoint that repeats the credentials it was sent must not get them into findings, reports,
/// reproducers or rewritten transcripts.
@Suite struct EchoedSecrets {
    static let token = "echo-token-5d1c7e9a"
    static let apiKey = "echo-apikey-3b8f2a6c"

    /// Responds to every request with a list whose `totalResults` repeats the request head.
    static func echo(_ socket: Int32) {
        let head = HostilePeer.readRequestHead(socket)
        let document: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": .string(head),
            "Resources": [],
        ]
        let body = Array(document.serialized().utf8)
        HostilePeer.send(
            socket,
            "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nX-Echo: \(token)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        )
        HostilePeer.send(socket, body)
    }

    @Test func echoedCredentialsReachNoOutput() throws {
        let peer = try HostilePeer(Self.echo)
        defer { peer.stop() }
        var options = VerifyOptions(target: peer.baseURL)
        options.token = Self.token
        options.extraHeaders = [("X-Api-Key", Self.apiKey)]
        let transcript = try #require(try shippedTranscripts().first { $0.file == "01-test-connection.json" })
            .transcript

        let outcome = try Verifier(options: options).verify(transcript, file: "echo.json")
        let report = RunReport(
            tool: "test", profile: .front, target: peer.baseURL, startedAt: Date(), duration: 0, outcomes: [outcome],
            inputErrors: [])
        let findings = outcome.findings.flatMap { $0.lines(file: "echo.json") }.joined(separator: "\n")
        let reproducers = outcome.exchanges.compactMap { Reproducer.curl($0, baseURL: outcome.baseURL) }
        let (updated, _) = TranscriptUpdater.update(transcript, from: outcome, profile: .front)
        let outputs = [
            findings, reproducers.joined(separator: "\n"), report.json.serialized(), JUnitReport.xml(report),
            MarkdownReport.markdown(report), updated.json.serialized(),
        ]

        #expect(outcome.status == .failed, "the echo differs from the recorded body")
        #expect(findings.contains("[redacted]"), "\(findings)")
        #expect(!reproducers.isEmpty)
        for output in outputs {
            #expect(!output.contains(Self.token))
            #expect(!output.contains(Self.apiKey))
        }
    }

    static let slashToken = "tok/SECRET+abc/def0123456789XYZ=="

    /// The spellings of `slashToken` that JSON writers and URL encoders produce: `/` as `\/`
    /// (PHP's `json_encode`), `+` as `\u002B` (.NET), every character as a `\u` escape, and
    /// every byte percent-encoded with lowercase hex digits.
    static let escapedSpellings: [String] = [
        slashToken.replacingOccurrences(of: "/", with: "\\/").replacingOccurrences(of: "+", with: "\\u002B"),
        slashToken.unicodeScalars.map { "\\u" + String(format: "%04x", $0.value) }.joined(),
        slashToken.utf8.map { String(format: "%%%02x", $0) }.joined(),
    ]

    /// Responds to every request with a list that repeats `slashToken` in each of
    /// `escapedSpellings`, in string values, in a member name and in a header.
    static func escapedEcho(_ socket: Int32) {
        HostilePeer.readRequestHead(socket)
        let body = Array(
            (#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": "\#(escapedSpellings[0])", "#
                + #""Resources": [], "debug": "session \#(escapedSpellings[1])", "trace": "\#(escapedSpellings[2])", "#
                + #""\#(escapedSpellings[1])": 1}"#).utf8)
        HostilePeer.send(
            socket,
            "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nX-Echo: \(escapedSpellings[2])\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        )
        HostilePeer.send(socket, body)
    }

    @Test func escapedEchoesReachNoOutput() throws {
        let peer = try HostilePeer(Self.escapedEcho)
        defer { peer.stop() }
        var options = VerifyOptions(target: peer.baseURL)
        options.token = Self.slashToken
        let transcript = try #require(try shippedTranscripts().first { $0.file == "01-test-connection.json" })
            .transcript

        let outcome = try Verifier(options: options).verify(transcript, file: "echo.json")
        let report = RunReport(
            tool: "test", profile: .front, target: peer.baseURL, startedAt: Date(), duration: 0, outcomes: [outcome],
            inputErrors: [])
        let findings = outcome.findings.flatMap { $0.lines(file: "echo.json") }.joined(separator: "\n")
        let (updated, _) = TranscriptUpdater.update(transcript, from: outcome, profile: .front)
        let responses = outcome.exchanges.compactMap(\.response)
        let outputs = [
            findings, report.json.serialized(), JUnitReport.xml(report), MarkdownReport.markdown(report),
            updated.json.serialized(),
        ]

        #expect(outcome.status == .failed, "the echo differs from the recorded body")
        #expect(findings.contains("[redacted]"), "\(findings)")
        #expect(!responses.isEmpty)
        for response in responses {
            let body = try JSONValue.parse(bytes: response.body)
            #expect(body["totalResults"] == "[redacted]")
            #expect(body["debug"] == "session [redacted]")
            #expect(body["trace"] == "[redacted]")
            #expect(body["[redacted]"] == 1)
            #expect(response.headers["X-Echo"] == "[redacted]")
        }
        for output in outputs {
            #expect(!output.contains(Self.slashToken))
            #expect(!output.contains("SECRET"))
            for spelling in Self.escapedSpellings {
                #expect(!output.contains(spelling))
            }
        }
    }

    /// A token whose base64 encodings differ between the standard and the URL-safe alphabet, and
    /// need `=` padding.
    static let mixedCaseToken = "Tok3n~Ab?Cd>Ef/Gh+Ij.KlMnOp"

    /// `mixedCaseToken` upper- and lowercased, and base64-encoded in both alphabets with and
    /// without padding.
    static let caseAndBase64Spellings: [String] = {
        let standard = Data(mixedCaseToken.utf8).base64EncodedString()
        let urlSafe = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return [
            mixedCaseToken.uppercased(), mixedCaseToken.lowercased(), standard, urlSafe,
            standard.replacingOccurrences(of: "=", with: ""), urlSafe.replacingOccurrences(of: "=", with: ""),
        ]
    }()

    /// Responds to every request with a list that repeats `mixedCaseToken` in each of
    /// `caseAndBase64Spellings`, in string values and in headers.
    static func caseAndBase64Echo(_ socket: Int32) {
        HostilePeer.readRequestHead(socket)
        let spellings = caseAndBase64Spellings
        let document: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": .string(spellings.joined(separator: " ")), "Resources": [],
            "debug": .array(spellings.map { .string($0) }),
        ]
        let body = Array(document.serialized().utf8)
        let headers = spellings.enumerated().map { "X-Echo-\($0.offset): \($0.element)\r\n" }.joined()
        HostilePeer.send(
            socket,
            "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\n\(headers)Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        )
        HostilePeer.send(socket, body)
    }

    @Test func caseAndBase64EchoesReachNoOutput() throws {
        let peer = try HostilePeer(Self.caseAndBase64Echo)
        defer { peer.stop() }
        var options = VerifyOptions(target: peer.baseURL)
        options.token = Self.mixedCaseToken
        let transcript = try #require(try shippedTranscripts().first { $0.file == "01-test-connection.json" })
            .transcript

        let outcome = try Verifier(options: options).verify(transcript, file: "echo.json")
        let report = RunReport(
            tool: "test", profile: .front, target: peer.baseURL, startedAt: Date(), duration: 0, outcomes: [outcome],
            inputErrors: [])
        let findings = outcome.findings.flatMap { $0.lines(file: "echo.json") }.joined(separator: "\n")
        let (updated, _) = TranscriptUpdater.update(transcript, from: outcome, profile: .front)
        let responses = outcome.exchanges.compactMap(\.response)
        let outputs = [
            findings, report.json.serialized(), JUnitReport.xml(report), MarkdownReport.markdown(report),
            updated.json.serialized(),
        ]

        #expect(outcome.status == .failed, "the echo differs from the recorded body")
        #expect(findings.contains("[redacted]"), "\(findings)")
        #expect(!responses.isEmpty)
        for response in responses {
            let body = try JSONValue.parse(bytes: response.body)
            #expect(body["totalResults"] == .string(Array(repeating: "[redacted]", count: 6).joined(separator: " ")))
            #expect(body["debug"] == .array(Array(repeating: "[redacted]", count: 6)))
            for index in Self.caseAndBase64Spellings.indices {
                #expect(response.headers["X-Echo-\(index)"] == "[redacted]")
            }
        }
        for output in outputs {
            for spelling in Self.caseAndBase64Spellings {
                #expect(!output.contains(spelling), "\(spelling) in \(output)")
            }
        }
    }

    /// A state hook has the token in its environment, and its output goes into findings, skip
    /// reasons and reports.
    @Test(arguments: [
        (#"echo "> Authorization: Bearer $SCIMTAPE_TOKEN" >&2; exit 1"#, "Bearer [redacted]"),
        (#"echo "token $SCIMTAPE_TOKEN" >&2; exit 3"#, "token [redacted]"),
        (#"printf '%s' "$SCIMTAPE_TOKEN" | sed 's|/|%2F|g; s|+|%2B|g' >&2; exit 1"#, "[redacted]"),
        (
            #"echo "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl" >&2; exit 1"#,
            "Bearer [redacted]"
        ),
        (#"printf '%0490d' 0 >&2; printf '%s' "$SCIMTAPE_TOKEN" >&2; exit 1"#, "0[redac"),
        (#"printf '%s' "$SCIMTAPE_TOKEN" | tr a-z A-Z >&2; exit 1"#, "[redacted]"),
        (#"printf '%s' "$SCIMTAPE_TOKEN" | base64 -w0 >&2; exit 1"#, "[redacted]"),
    ])
    func stateHookOutputIsMasked(hook: String, shown: String) throws {
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(token: Self.slashToken))
        try server.start()
        defer { server.stop() }
        var options = VerifyOptions(target: server.baseURL, token: Self.slashToken)
        options.stateHook = hook
        let transcript = try #require(try shippedTranscripts().first { $0.file == "08-deleted-teammate.json" })
            .transcript

        let outcome = try Verifier(options: options).verify(transcript, file: "08.json")
        let report = RunReport(
            tool: "test", profile: .front, target: server.baseURL, startedAt: Date(), duration: 0,
            outcomes: [outcome], inputErrors: [])
        var lines = outcome.findings.flatMap { $0.lines(file: "08.json") }
        if case .skipped(let reason) = outcome.status {
            lines.append(reason)
        }
        let outputs = [
            lines.joined(separator: "\n"), report.json.serialized(), JUnitReport.xml(report),
            MarkdownReport.markdown(report),
        ]

        #expect(outcome.status != .passed)
        #expect(lines.joined().contains(shown), "\(lines)")
        for output in outputs {
            #expect(!output.contains(Self.slashToken.prefix(8)), "\(output)")
            #expect(!output.contains("SECRET"), "\(output)")
            #expect(!output.contains(Self.slashToken.uppercased().prefix(8)), "\(output)")
            #expect(!output.contains(Data(Self.slashToken.utf8).base64EncodedString().prefix(12)), "\(output)")
            #expect(!output.contains("eyJzdWIiOiIxMjM0In0"), "\(output)")
        }
    }

    @Test func decodedBytesMapToSource() throws {
        let source = Array(#"a\/b\u00e9\ud83d\ude00%2fc\q"#.utf8)

        let json = try #require(DecodedBytes(decodingJSONEscapesIn: source))
        let percent = try #require(DecodedBytes(decodingPercentEscapesIn: json.bytes))

        #expect(String(decoding: json.bytes, as: UTF8.self) == "a/bé😀%2fc\\q")
        #expect(String(decoding: percent.bytes, as: UTF8.self) == "a/bé😀/c\\q")
        #expect(json.sourceRange(of: 1..<2) == 1..<3)
        #expect(json.sourceRange(of: 3..<5) == 4..<10)
        #expect(json.sourceRange(of: 5..<9) == 10..<22)
        #expect(json.sourceRange(of: 0..<json.bytes.count) == 0..<source.count)
        #expect(DecodedBytes(decodingJSONEscapesIn: Array("plain%zz".utf8)) == nil)
        #expect(DecodedBytes(decodingPercentEscapesIn: Array("plain%zz".utf8)) == nil)
    }

    @Test(arguments: [
        ("Authorization", true), ("Proxy-Authorization", true), ("Cookie", true), ("X-Api-Key", true),
        ("X-Auth-Token", true), ("X-Tenant", false), ("Accept-Language", false),
    ])
    func secretHeaderNames(name: String, secret: Bool) {
        #expect(SecretMask.isSecretHeader(name) == secret)
    }
}
