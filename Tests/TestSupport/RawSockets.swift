import Foundation

/// Raw TCP clients on 127.0.0.1, for tests that play a broken peer. Only tests use raw sockets,
/// because the product uses libcurl and libmicrohttpd.
public enum RawClient {
    /// Opens a TCP connection to 127.0.0.1, or returns -1.
    public static func connect(_ port: UInt16) -> Int32 {
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

    /// Sends all of `bytes`. Returns false when the peer closed or reset the connection first.
    @discardableResult
    public static func send(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
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
    public static func send(_ descriptor: Int32, _ text: String) -> Bool {
        send(descriptor, Array(text.utf8))
    }

    /// Reads one response: the head and as many body bytes as its `Content-Length` gives, or
    /// everything until the peer closes. Returns what arrived within `timeout` seconds, which is
    /// empty when the peer closed without a byte.
    public static func readResponse(_ descriptor: Int32, timeout: Double = 5) -> String {
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
    public static func exchange(_ port: UInt16, _ bytes: [UInt8], timeout: Double = 5) -> String {
        let descriptor = connect(port)
        guard descriptor >= 0 else {
            return ""
        }
        defer { close(descriptor) }
        send(descriptor, bytes)
        return readResponse(descriptor, timeout: timeout)
    }

    public static func exchange(_ port: UInt16, _ text: String, timeout: Double = 5) -> String {
        exchange(port, Array(text.utf8), timeout: timeout)
    }

    /// Waits up to `timeout` seconds for the peer to close the connection. Returns the seconds
    /// that took, or `nil` when the connection stayed open or the peer sent data.
    public static func secondsUntilClosed(_ descriptor: Int32, timeout: Double) -> Double? {
        let started = Date()
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count == 0 ? Date().timeIntervalSince(started) : nil
    }

    /// Sends `bytes` and reads until the server closes the connection or `timeout` seconds pass.
    public static func exchangeUntilClosed(_ port: UInt16, _ bytes: [UInt8], timeout: Int = 3) -> String {
        let descriptor = connect(port)
        guard descriptor >= 0 else {
            return ""
        }
        defer { close(descriptor) }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        send(descriptor, bytes)
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

    /// Reads what arrives on `descriptor` within `seconds`, in one `recv`.
    public static func receive(_ descriptor: Int32, seconds: Int) -> String {
        var wait = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }
}

/// A listening TCP socket on a free port of 127.0.0.1, for test servers that play a broken peer.
public enum RawListener {
    /// Binds and listens with `backlog`, and returns the socket and its port, or `nil` when either
    /// step failed.
    public static func open(backlog: Int32) -> (descriptor: Int32, port: UInt16)? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            return nil
        }
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
        guard bound == 0, listen(descriptor, backlog) == 0 else {
            close(descriptor)
            return nil
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, UInt16(bigEndian: actual.sin_port))
    }
}
