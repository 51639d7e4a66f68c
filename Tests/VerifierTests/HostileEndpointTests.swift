import Foundation
import HTTP
import SCIM
import Testing
import Transcript

@testable import Verifier

/// Endpoints that misbehave: each gives a finding with a clear message within the timeout, and
/// the next transcript still runs.
@Suite struct HostileEndpoints {
    /// One response for every request.
    static func answer(_ head: String, body: [UInt8] = []) -> @Sendable (Int32) -> Void {
        { socket in
            HostilePeer.readRequestHead(socket)
            HostilePeer.send(socket, Array(head.utf8) + body)
        }
    }

    static let emptyList = Array(
        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0}"#
            .utf8)

    static let cases: [(name: String, behaviour: @Sendable (Int32) -> Void, rule: String, message: String)] = [
        (
            "no answer",
            { socket in
                HostilePeer.readRequestHead(socket)
                sleep(30)
            }, "transport", "timed out"
        ),
        (
            "slow drip",
            { socket in
                HostilePeer.readRequestHead(socket)
                HostilePeer.send(
                    socket, "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n")
                for _ in 0..<60 {
                    HostilePeer.send(socket, "{")
                    sleep(1)
                }
            }, "transport", "timed out"
        ),
        (
            "reset mid-body",
            { socket in
                HostilePeer.readRequestHead(socket)
                HostilePeer.send(
                    socket,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 5000\r\n\r\n{\"schemas\":"
                )
                var linger = linger(l_onoff: 1, l_linger: 0)
                setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
            }, "transport", "failed"
        ),
        (
            "not HTTP",
            { socket in
                HostilePeer.readRequestHead(socket)
                HostilePeer.send(socket, "SSH-2.0-OpenSSH_9.0\r\n\r\n")
            }, "transport", "failed"
        ),
        (
            "non-JSON body",
            answer(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\nConnection: close\r\n\r\n",
                body: Array("<html>hi</html>".utf8)),
            "body", "not JSON"
        ),
        (
            "wrong content type",
            answer(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(emptyList.count)\r\nConnection: close\r\n\r\n",
                body: emptyList),
            "media-type", "labelled"
        ),
        (
            "redirect to another host",
            answer(
                "HTTP/1.1 302 Found\r\nLocation: http://203.0.113.7/scim/v2/Users\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            "status", "returned 302"
        ),
        (
            "ten megabyte body",
            answer(
                "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 10485776\r\nConnection: close\r\n\r\n",
                body: Array("{\"padding\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 10_485_760)
                    + Array("\"}\n\n".utf8)),
            "body", "schemas"
        ),
        (
            "deeply nested JSON",
            answer(
                "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 200000\r\nConnection: close\r\n\r\n",
                body: [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
                    + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)),
            "body", "not JSON"
        ),
    ]

    @Test(arguments: cases.map(\.name))
    func hostileEndpointGivesClearFinding(name: String) throws {
        let entry = try #require(Self.cases.first { $0.name == name })
        let peer = try HostilePeer(entry.behaviour)
        defer { peer.stop() }
        var options = VerifyOptions(target: peer.baseURL)
        options.client.timeout = 3
        let transcript = try #require(try shippedTranscripts().first { $0.file == "01-test-connection.json" })
            .transcript
        let started = Date()

        let outcome = try Verifier(options: options).verify(transcript, file: "hostile.json")

        // Each exchange is bounded by the 3 s timeout; the slack covers parsing a 10 MB body under
        // the sanitizers, which run several times slower.
        let bound = Double(transcript.exchanges.count) * 3 + 10
        #expect(Date().timeIntervalSince(started) < bound, "bounded by the 3 s timeout per exchange")
        #expect(outcome.status == .failed)
        let finding = outcome.errors.first { $0.rule == entry.rule }
        #expect(finding != nil, "rules: \(outcome.errors.map(\.rule))")
        let text = ([finding?.message] + [finding?.actual]).compactMap { $0 }.joined(separator: " ")
        #expect(text.contains(entry.message), "\(text)")
    }

    @Test func runContinuesAfterAHostileEndpoint() throws {
        let peer = try HostilePeer(Self.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        defer { peer.stop() }
        var options = VerifyOptions(target: peer.baseURL)
        options.client.timeout = 3
        let transcripts = try shippedTranscripts().prefix(3)
        let verifier = Verifier(options: options)

        let outcomes = try transcripts.map { try verifier.verify($0.transcript, file: $0.file) }

        #expect(outcomes.count == 3)
        #expect(outcomes.allSatisfy { $0.status == .failed })
    }
}
