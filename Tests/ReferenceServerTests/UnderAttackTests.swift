import Foundation
import HTTP
import ReferenceServer
import SCIM
import Testing

/// The endpoint under hostile clients keeps serving others and stays within its limits.
@Suite(.serialized) struct UnderAttack {
    /// Opens a TCP connection to the server, or returns -1.
    static func connect(_ port: UInt16) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            close(descriptor)
            return -1
        }
        return descriptor
    }

    static func exchange(_ port: UInt16, _ bytes: [UInt8]) -> String {
        let descriptor = connect(port)
        guard descriptor >= 0 else {
            return ""
        }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }

    /// Sends `bytes` and reads until the server closes the connection or 3 s pass.
    static func exchangeUntilClosed(_ port: UInt16, _ bytes: [UInt8]) -> String {
        let descriptor = connect(port)
        guard descriptor >= 0 else {
            return ""
        }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 {
                break
            }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

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

        let reply = Self.exchange(harness.server.port, Array(request.utf8))

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

        let reply = Self.exchangeUntilClosed(harness.server.port, Array(request.utf8))

        #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(80))")
        #expect(reply.components(separatedBy: "HTTP/1.1 ").count == 2, "one answer: \(reply)")
        #expect(try stillServes(harness))
    }

    @Test func lengthBeyondIntIsTooLarge() throws {
        let harness = try Harness()

        let reply = Self.exchange(
            harness.server.port,
            Array("POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\n".utf8))

        #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(80))")
    }

    @Test func oversizedHeaderBlockIsRejected() throws {
        let harness = try Harness()
        let header = "X-Big: " + String(repeating: "a", count: 200_000)

        let reply = Self.exchange(
            harness.server.port, Array("GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n\(header)\r\n\r\n".utf8))

        #expect(reply.hasPrefix("HTTP/1.1 4"), "\(reply.prefix(80))")
        #expect(try stillServes(harness))
    }

    @Test func slowAndIdleClientsDoNotBlockOthers() throws {
        let harness = try Harness()
        var idle: [Int32] = []
        for _ in 0..<300 {
            let descriptor = Self.connect(harness.server.port)
            if descriptor >= 0 {
                _ = Array("GET /scim/v2/Us".utf8).withUnsafeBytes {
                    send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
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
            open.append(Self.connect(server.port))
        }
        usleep(200_000)

        // libmicrohttpd stops accepting at the limit, so the 21st connection waits in the
        // kernel's listen queue, and the server handles its request once another one closes.
        let waiting = Self.connect(server.port)
        defer { close(waiting) }
        let request = Array("GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(waiting, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let whileFull = Self.receive(waiting, seconds: 1)
        open.forEach { close($0) }
        let afterClose = Self.receive(waiting, seconds: 5)

        #expect(waiting >= 0)
        #expect(whileFull.isEmpty, "no answer while 20 connections are open")
        #expect(afterClose.hasPrefix("HTTP/1.1 200"), "\(afterClose.prefix(40))")
    }

    /// Reads what arrives on `descriptor` within `seconds`, in one `recv`.
    static func receive(_ descriptor: Int32, seconds: Int) -> String {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }

    @Test func idleConnectionIsClosedAfterTimeout() throws {
        var http = HTTPServerConfiguration()
        http.connectionTimeout = 1
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(http: http))
        try server.start()
        defer { server.stop() }
        let descriptor = Self.connect(server.port)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let started = Date()

        var buffer = [UInt8](repeating: 0, count: 16)
        let count = recv(descriptor, &buffer, buffer.count, 0)

        #expect(count == 0, "the server closed the connection")
        #expect(Date().timeIntervalSince(started) < 4)
    }
}
