import Foundation
import HTTP
import ReferenceServer
import SCIM
import TestSupport
import Testing

/// The endpoint under hostile clients keeps serving others and stays within its limits.
@Suite(.serialized) struct UnderAttack {
    private func stillServes(_ harness: Harness) throws -> Bool {
        try harness.send(.get, "/Users?count=1").status == 200
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /scim/v2/Users HTTP/9.9\r\nHost: x\r\n\r\n",
        "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    ])
    func malformedRequestGetsAnErrorAndServerServes(request: String) throws {
        let harness = try Harness()

        let reply = RawClient.exchange(harness.server.port, Array(request.utf8))

        #expect(!reply.hasPrefix("HTTP/1.1 2"), "\(reply.prefix(80))")
        #expect(try stillServes(harness))
    }

    /// Ambiguous body framing (RFC 9112 section 6.3) is rejected, so that no second request can
    /// hide in a body, and only one response comes back.
    @Test(arguments: [
        "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}GET /scim/v2/Smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /scim/v2/Smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
    ])
    func ambiguousFramingIsRejected(request: String) throws {
        let harness = try Harness()

        let reply = RawClient.exchangeUntilClosed(harness.server.port, Array(request.utf8))

        #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(80))")
        #expect(reply.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer: \(reply)")
        #expect(try stillServes(harness))
    }

    @Test func lengthBeyondIntIsTooLarge() throws {
        let harness = try Harness()

        let reply = RawClient.exchange(
            harness.server.port,
            Array("POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\n".utf8))

        #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(80))")
    }

    @Test func oversizedHeaderBlockIsRejected() throws {
        let harness = try Harness()
        let header = "X-Big: " + String(repeating: "a", count: 200_000)

        let reply = RawClient.exchange(
            harness.server.port, Array("GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n\(header)\r\n\r\n".utf8))

        #expect(reply.hasPrefix("HTTP/1.1 4"), "\(reply.prefix(80))")
        #expect(try stillServes(harness))
    }

    @Test func slowAndIdleClientsDoNotBlockOthers() throws {
        let harness = try Harness()
        var idle: [Int32] = []
        for _ in 0..<300 {
            let descriptor = RawClient.connect(harness.server.port)
            if descriptor >= 0 {
                RawClient.send(descriptor, "GET /scim/v2/Us")
                idle.append(descriptor)
            }
        }
        defer { idle.forEach { close($0) } }

        let started = Date()
        let served = try stillServes(harness)

        #expect(idle.count == 300)
        #expect(served)
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func connectionLimitIsEnforced() throws {
        var http = HTTPServerConfiguration()
        http.connectionLimit = 20
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(http: http))
        try server.start()
        defer { server.stop() }
        var open: [Int32] = []
        for _ in 0..<20 {
            open.append(RawClient.connect(server.port))
        }
        usleep(200_000)

        // libmicrohttpd stops accepting at the limit, so the 21st connection waits in the
        // kernel's listen queue, and the server handles its request once another one closes.
        let waiting = RawClient.connect(server.port)
        defer { close(waiting) }
        let request = Array("GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
        RawClient.send(waiting, request)
        let whileFull = RawClient.receive(waiting, seconds: 1)
        open.forEach { close($0) }
        let afterClose = RawClient.receive(waiting, seconds: 5)

        #expect(waiting >= 0)
        #expect(whileFull.isEmpty, "no answer while 20 connections are open")
        #expect(afterClose.hasPrefix("HTTP/1.1 200"), "\(afterClose.prefix(40))")
    }

    @Test func idleConnectionIsClosedAfterTimeout() throws {
        var http = HTTPServerConfiguration()
        http.connectionTimeout = 1
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(http: http))
        try server.start()
        defer { server.stop() }
        let descriptor = RawClient.connect(server.port)
        defer { close(descriptor) }

        let seconds = RawClient.secondsUntilClosed(descriptor, timeout: 5)

        #expect(seconds != nil, "the server closed the connection")
        #expect((seconds ?? 5) < 4)
    }
}
