import Foundation
import TestSupport

/// A raw TCP server on 127.0.0.1 that plays a broken peer: it runs `behaviour` on each accepted
/// connection's socket. Only tests use raw sockets; the product uses libcurl and libmicrohttpd.
final class HostilePeer: @unchecked Sendable {
    // @unchecked: `listener` and `port` are set once in `init`; `stopped` is read and written
    // only while `lock` is held.
    private let listener: Int32
    let port: UInt16
    private let lock = NSLock()
    private var stopped = false

    init(_ behaviour: @escaping @Sendable (Int32) -> Void) throws {
        guard let (descriptor, port) = RawListener.open(backlog: 16) else {
            throw TestFailure("cannot listen on 127.0.0.1")
        }
        listener = descriptor
        self.port = port
        let listener = self.listener
        Thread.detachNewThread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    return
                }
                if isStopped {
                    close(connection)
                    return
                }
                Thread.detachNewThread {
                    behaviour(connection)
                    close(connection)
                }
            }
        }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    var baseURL: String {
        "http://127.0.0.1:\(port)/scim/v2"
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Reads until the end of the request headers, or until the client stops sending.
    /// Reads until the end of the request head and returns what arrived.
    @discardableResult
    static func readRequestHead(_ socket: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var received: [UInt8] = []
        while !received.contains(subsequence: Array("\r\n\r\n".utf8)) {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 {
                break
            }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    static func send(_ socket: Int32, _ text: String) {
        send(socket, Array(text.utf8))
    }

    static func send(_ socket: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 {
                return
            }
            offset += sent
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard count >= subsequence.count else {
            return false
        }
        for start in 0...(count - subsequence.count) where Array(self[start..<start + subsequence.count]) == subsequence
        {
            return true
        }
        return false
    }
}
