import Foundation
import HTTP
import TestSupport

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
        guard let (descriptor, port) = RawListener.open(backlog: 64) else {
            throw ProxyTestFailure("cannot listen on 127.0.0.1")
        }
        listener = descriptor
        self.port = port
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
