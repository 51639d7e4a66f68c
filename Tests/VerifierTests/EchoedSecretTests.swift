import Foundation
import HTTP
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

    @Test(arguments: [
        ("Authorization", true), ("Proxy-Authorization", true), ("Cookie", true), ("X-Api-Key", true),
        ("X-Auth-Token", true), ("X-Tenant", false), ("Accept-Language", false),
    ])
    func secretHeaderNames(name: String, secret: Bool) {
        #expect(SecretMask.isSecretHeader(name) == secret)
    }
}
