import Foundation
import HTTP
import ReferenceServer
import SCIM
import Testing
import Transcript
import Verifier

/// verify --target against a separately started reference endpoint and other servers.
@Suite struct ExternalTarget {
    private func startReference(token: String? = "target-token") throws -> ReferenceServer {
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(token: token))
        try server.start()
        return server
    }

    @Test func repeatedRunsAgainstOneEndpointPass() throws {
        let server = try startReference()
        defer { server.stop() }
        let transcripts = try shippedTranscripts()
        let options = VerifyOptions(target: server.baseURL, token: "target-token")

        let first = try verifyEmbedded(transcripts, options: options)
        let second = try verifyEmbedded(transcripts, options: options)

        #expect(first.allSatisfy { $0.status == .passed }, "\(describe(first))")
        #expect(second.allSatisfy { $0.status == .passed }, "\(describe(second))")
    }

    @Test func repeatedRunsWithoutIsolationCollide() throws {
        let server = try startReference()
        defer { server.stop() }
        let transcript = try #require(try shippedTranscripts().first { $0.file == "02-create-user.json" })
        let options = VerifyOptions(target: server.baseURL, token: "target-token", isolate: false)

        let first = try verifyEmbedded([transcript], options: options)
        let second = try verifyEmbedded([transcript], options: options)

        #expect(first.first?.status == .passed)
        #expect(second.first?.status == .failed, "the same userName exists already, so the replay differs")
    }

    @Test func wrongTokenFailsEveryExchange() throws {
        let server = try startReference()
        defer { server.stop() }
        let transcript = try #require(try shippedTranscripts().first { $0.file == "01-test-connection.json" })

        let outcome = try #require(
            try verifyEmbedded([transcript], options: VerifyOptions(target: server.baseURL, token: "wrong")).first)

        #expect(outcome.status == .failed)
        #expect(outcome.errors.contains { $0.rule == "status" && $0.actual?.hasPrefix("401") == true })
        #expect(!describe([outcome]).contains("target-token"))
    }

    @Test func targetWithoutAdminRouteSkipsPreconditions() throws {
        // A bare server that answers every request with 404 stands for an endpoint without the admin route.
        let plain = HTTPServer(configuration: HTTPServerConfiguration()) { _ in
            HTTPResponse(
                status: .notFound, headers: [("Content-Type", "application/scim+json")],
                body: SCIMError.notFound("no").json.serializedBytes())
        }
        try plain.start()
        defer { plain.stop() }
        let transcript = try #require(try shippedTranscripts().first { !$0.transcript.preconditions.isEmpty })

        let outcome = try #require(
            try verifyEmbedded([transcript], options: VerifyOptions(target: plain.origin + "/scim/v2")).first)

        guard case .skipped(let reason) = outcome.status else {
            throw TestFailure("expected a skip, got \(outcome.status)")
        }
        #expect(reason.contains("admin route"))
        #expect(reason.contains("deleted in Front"))
    }

    @Test func unreachableTargetStopsTheRun() throws {
        let server = try startReference()
        let base = server.baseURL
        server.stop()
        let transcript = try #require(try shippedTranscripts().first)

        #expect {
            try Verifier(options: VerifyOptions(target: base)).verify(transcript.transcript, file: transcript.file)
        } throws: { error in
            guard case .targetUnreachable(let message)? = error as? VerifyFailure else {
                return false
            }
            return message.contains("unreachable")
        }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/scim", true), ("http://localhost/scim", true), ("http://[::1]:9/x", true),
        ("https://127.1.2.3", true), ("http://127.0.0.1.example.com/", false), ("https://scim.example.com/v2", false),
        ("http://user@127.0.0.1/", false), ("http://10.0.0.1/", false), ("http://127.0.0.1@evil.example/", false),
        ("http://vm:47109#@127.0.0.1/scim/v2", false), ("http://[::1]/scim", true),
    ])
    func loopbackDetection(url: String, loopback: Bool) {
        #expect(Verifier.isLoopback(url) == loopback)
    }

    @Test func nonLoopbackTargetNeedsAllowWrites() throws {
        let refused = Verifier(options: VerifyOptions(target: "https://scim.example.com/v2"))
        let allowed = Verifier(options: VerifyOptions(target: "https://scim.example.com/v2", allowWrites: true))

        #expect(throws: VerifyFailure.self) {
            try refused.validate()
        }
        #expect(throws: Never.self) {
            try allowed.validate()
        }
    }
}
