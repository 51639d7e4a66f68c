import Foundation
import HTTP
import ReferenceServer
import SCIM
import Testing
import Transcript

@testable import Verifier

/// Targets that return hostile values, and transcripts written to misuse the replay.
@Suite struct HostileTarget {
    @Test func liveIdCannotAddPathSegments() {
        var correlation = Correlation()
        correlation.learn(recorded: "48af03ac28ad4fb88478", live: "../../outside-the-scim-base")
        var dots = Correlation()
        dots.learn(recorded: "48af03ac28ad4fb88478", live: "..")

        let path = correlation.substitute(path: "/Users/48af03ac28ad4fb88478")
        let dotPath = dots.substitute(path: "/Users/48af03ac28ad4fb88478")

        #expect(path == "/Users/..%2F..%2Foutside-the-scim-base")
        #expect(dotPath == "/Users/%2E%2E")
    }

    @Test func recordedTextBodyIsCompared() throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration()) { _ in
            HTTPResponse(status: .ok, headers: [("Content-Type", "text/plain")], body: Array("live text".utf8))
        }
        try server.start()
        defer { server.stop() }
        let transcript = Transcript(
            name: "text", description: "", source: .init(kind: .handwritten),
            exchanges: [
                Exchange(
                    request: .init(method: "GET", path: "/Thing"),
                    response: .init(status: 200, body: .text("recorded text")))
            ])

        let outcome = try Verifier(options: VerifyOptions(target: server.origin)).verify(transcript, file: "text.json")

        #expect(outcome.status == .failed)
        let bodyFinding = outcome.errors.first { $0.rule == "body" }
        #expect(bodyFinding != nil)
        #expect(bodyFinding?.message.contains("text differs") == true)
    }

    @Test func wrongTokenOnAdminRouteStopsTheRun() throws {
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(token: "right"))
        try server.start()
        defer { server.stop() }
        let transcript = try #require(try shippedTranscripts().first { !$0.transcript.preconditions.isEmpty })

        #expect {
            try Verifier(options: VerifyOptions(target: server.baseURL, token: "wrong")).verify(
                transcript.transcript, file: transcript.file)
        } throws: { error in
            guard case .usage(let message)? = error as? VerifyFailure else {
                return false
            }
            return message.contains("rejected the bearer token with 401") && !message.contains("right")
        }
    }

    @Test(arguments: [
        "http://admin:secret@127.0.0.1:8080/scim/v2", "http://127.0.0.1:8080/scim/v2#frag", "ftp://127.0.0.1/scim",
        "http://127.0.0.1:8080/scim/../v2",
    ])
    func unusableTargetIsUsageError(target: String) {
        #expect(throws: VerifyFailure.self) {
            try Verifier(options: VerifyOptions(target: target)).validate()
        }
    }
}
