import Foundation
import HTTP

/// Raw TCP clients and a raw upstream on 127.0.0.1, for tests that play a broken peer. Only tests
/// use raw sockets; the product uses libcurl and libmicrohttpd.
enum RawClient {
    /// Opens a TCP connection to 127.0.0.1, or returns -1.
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

    /// Sends all of `bytes`; returns false when the peer closed or reset the connection first.
    @discardableResult
    static func send(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 {
                return false
            }
            offset += sent
        }
        return true
    }

    @discardableResult
    static func send(_ descriptor: Int32, _ text: String) -> Bool {
        send(descriptor, Array(text.utf8))
    }

    /// Reads one response: the head and as many body bytes as its `Content-Length` gives, or
    /// everything until the peer closes. Returns what arrived within `timeout` seconds, which is
    /// empty when the peer closed without a byte.
    static func readResponse(_ descriptor: Int32, timeout: Double = 5) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            let remaining = max(0.01, deadline.timeIntervalSinceNow)
            var wait = timeval(tv_sec: Int(remaining), tv_usec: Int((remaining - Double(Int(remaining))) * 1_000_000))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 {
                break
            }
            received += buffer[0..<count]
            if isComplete(received) {
                break
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Returns whether the bytes contain a response head and the whole body that its
    /// `Content-Length` announces.
    private static func isComplete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else {
            return false
        }
        let head = text[..<headEnd.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else {
            return false
        }
        return text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length
    }

    /// Connects, sends `bytes` and returns the response, or an empty string when the server closed
    /// the connection without one or could not be reached.
    static func exchange(_ port: UInt16, _ bytes: [UInt8], timeout: Double = 5) -> String {
        let descriptor = connect(port)
        guard descriptor >= 0 else {
            return ""
        }
        defer { close(descriptor) }
        send(descriptor, bytes)
        return readResponse(descriptor, timeout: timeout)
    }

    static func exchange(_ port: UInt16, _ text: String, timeout: Double = 5) -> String {
        exchange(port, Array(text.utf8), timeout: timeout)
    }

    /// Waits up to `timeout` seconds for the peer to close the connection. Returns the seconds
    /// that took, or `nil` when the connection stayed open or the peer sent data.
    static func secondsUntilClosed(_ descriptor: Int32, timeout: Double) -> Double? {
        let started = Date()
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count == 0 ? Date().timeIntervalSince(started) : nil
    }
}

/// A raw TCP upstream on 127.0.0.1 that plays a broken SCIM endpoint for the requests a test
/// chooses. A request whose last path segment is a key of `misbehaviours` gets that response. Every
/// other request is relayed to `relayOrigin` (the reference endpoint) with libcurl and answered
/// with `Connection: close`, so the relay never has to find where a second request starts.
final class ScriptedUpstream: @unchecked Sendable {
    enum Misbehaviour: Sendable {
        /// Sends these bytes and closes the connection.
        case reply([UInt8])
        /// Sends nothing and keeps the connection open until the client closes it, or at most 20 s.
        case hang
        /// Sends a status line and headers announcing 1,000 bytes, then one byte every 200 ms.
        case trickle
        /// Responds with 200 and the request's body bytes, unchanged, as the response body.
        case echo
    }

    // @unchecked: `listener`, `port`, `relayOrigin` and `misbehaviours` are set once in `init`;
    // `stopped` and `accepted` are read and written only while `lock` is held.
    private let listener: Int32
    let port: UInt16
    private let relayOrigin: String?
    private let misbehaviours: [String: Misbehaviour]
    private let lock = NSLock()
    private var stopped = false
    private var accepted = 0

    /// Listens on a free port. Without `relayOrigin`, requests that match no misbehaviour get 404.
    init(relayTo relayOrigin: String?, misbehaviours: [String: Misbehaviour] = [:]) throws {
        self.relayOrigin = relayOrigin
        self.misbehaviours = misbehaviours
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw ProxyTestFailure("cannot listen on 127.0.0.1")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = UInt16(bigEndian: actual.sin_port)
        Thread.detachNewThread { [self] in
            acceptConnections()
        }
    }

    deinit {
        stop()
    }

    var baseURL: String {
        "http://127.0.0.1:\(port)/scim/v2"
    }

    /// Connections accepted so far.
    var acceptedConnections: Int {
        lock.lock()
        defer { lock.unlock() }
        return accepted
    }

    func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptConnections() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                return
            }
            if isStopped {
                close(connection)
                return
            }
            lock.lock()
            accepted += 1
            lock.unlock()
            Thread.detachNewThread { [self] in
                serve(connection)
                close(connection)
            }
        }
    }

    private func serve(_ connection: Int32) {
        var wait = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        guard let request = Self.readRequest(connection) else {
            return
        }
        let segment = RequestTarget.split(request.target).path.split(separator: "/").last.map(String.init) ?? ""
        switch misbehaviours[segment] {
        case .reply(let bytes):
            RawClient.send(connection, bytes)
        case .hang:
            var buffer = [UInt8](repeating: 0, count: 1024)
            while recv(connection, &buffer, buffer.count, 0) > 0 {}
        case .trickle:
            guard RawClient.send(connection, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n") else {
                return
            }
            for _ in 0..<100 {
                usleep(200_000)
                guard RawClient.send(connection, " ") else {
                    return
                }
            }
        case .echo:
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: \(request.body.count)\r\nConnection: close\r\n\r\n"
            RawClient.send(connection, Array(head.utf8) + request.body)
        case nil:
            RawClient.send(connection, relay(request))
        }
    }

    /// Sends the request to the relay origin and returns the response as bytes to send back.
    private func relay(_ request: HTTPRequest) -> [UInt8] {
        guard let relayOrigin,
            let response = try? HTTPClient().send(request, url: relayOrigin + request.target)
        else {
            return Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        }
        var head = "HTTP/1.1 \(response.status.code) \(HTTPStatus.standardReasonPhrase(for: response.status.code))\r\n"
        let dropped: Set<String> = ["connection", "content-length", "transfer-encoding", "keep-alive"]
        for field in response.headers where !dropped.contains(field.name.lowercased()) {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + response.body
    }

    /// Reads a request head and a `Content-Length` body; returns `nil` when the client closes first.
    private static func readRequest(_ connection: Int32) -> HTTPRequest? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headEnd: Int?

        while headEnd == nil {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 {
                return nil
            }
            received += buffer[0..<count]
            headEnd = received.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound
        }
        let lines = String(decoding: received[..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else {
            return nil
        }

        var headers = HTTPHeaders()
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                continue
            }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !["host", "content-length", "connection"].contains(name.lowercased()) {
                headers.add(name: name, value: value)
            }
        }
        let length =
            lines.dropFirst().compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else {
                    return nil
                }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0

        var body = Array(received[headEnd!...])
        while body.count < length {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 {
                return nil
            }
            body += buffer[0..<count]
        }
        return HTTPRequest(
            method: HTTPMethod(String(requestLine[0])), target: String(requestLine[1]), headers: headers,
            body: Array(body.prefix(length)))
    }
}
