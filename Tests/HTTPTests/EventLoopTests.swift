import Foundation
import HTTP
import Testing

/// A server on event loops that forwards every request to an upstream, as `record` does without
/// the recording: the upstream's `/slow` responds after `slowSeconds`, `/large/N` with a header
/// field of N bytes, every other path at once.
private final class ForwardingPair: @unchecked Sendable {
    // @unchecked: both servers are set in `init` and only stopped afterwards.
    let upstream: HTTPServer
    let proxy: HTTPServer

    init(
        loops: Int, slowSeconds: Double = 1, clientTimeout: Double = 30, upstreamIdleTimeout: Int = 30,
        proxyConnectionMemory: Int = 64 * 1024
    ) throws {
        var upstreamConfiguration = HTTPServerConfiguration()
        upstreamConfiguration.threading = .pool(8)
        upstreamConfiguration.connectionTimeout = upstreamIdleTimeout
        upstream = HTTPServer(configuration: upstreamConfiguration) { request in
            if request.path == "/slow" {
                Thread.sleep(forTimeInterval: slowSeconds)
            }
            if request.path.hasPrefix("/large/"), let size = Int(request.path.dropFirst(7)) {
                return HTTPResponse(status: .ok, headers: [("X-Large", String(repeating: "v", count: size))])
            }
            return HTTPResponse(status: .ok, body: Array("upstream saw \(request.method) \(request.target)".utf8))
        }
        try upstream.start()
        let origin = upstream.origin
        var proxyConfiguration = HTTPServerConfiguration()
        proxyConfiguration.threading = .eventLoops(loops)
        proxyConfiguration.connectionMemoryLimit = proxyConnectionMemory
        var client = HTTPClientConfiguration()
        client.timeout = clientTimeout
        proxy = HTTPServer(configuration: proxyConfiguration, client: client) { request, pending in
            if request.path == "/local" {
                return HTTPResponse(status: HTTPStatus(code: 202), body: Array("answered at once".utf8))
            }
            pending.send(HTTPRequest(method: request.method, target: request.target), url: origin + request.target) {
                result in
                switch result {
                case .success(let response):
                    pending.respond(response)
                case .failure(let error):
                    pending.respond(
                        HTTPResponse(
                            status: error.kind == .timedOut ? .gatewayTimeout : .badGateway,
                            body: Array(error.message.utf8)))
                }
            }
            return nil
        }
        try proxy.start()
    }

    func get(_ path: String, timeout: Double = 30) -> (status: Int, body: String, seconds: Double) {
        var configuration = HTTPClientConfiguration()
        configuration.timeout = timeout
        let started = Date()
        do {
            let response = try HTTPClient(configuration: configuration).send(
                HTTPRequest(method: .get, target: path), url: proxy.origin + path)
            return (response.status.code, response.bodyText, Date().timeIntervalSince(started))
        } catch {
            return (0, error.message, Date().timeIntervalSince(started))
        }
    }

    /// Sends `GET path` on another thread; the semaphore is signalled once the result is set.
    func getInBackground(_ path: String) -> (Captured<(status: Int, body: String, seconds: Double)>, DispatchSemaphore)
    {
        let result = Captured<(status: Int, body: String, seconds: Double)>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            result.set(self.get(path))
            done.signal()
        }
        return (result, done)
    }

    func stop() {
        proxy.stop()
        upstream.stop()
    }
}

@Suite struct EventLoops {
    /// While one loop waits for a slow upstream response, the same loop serves other requests: the
    /// wait is an upstream transfer on libcurl's multi handle, not a blocked thread.
    @Test(arguments: [1, 3]) func slowUpstreamDoesNotHoldUpOtherRequests(loops: Int) throws {
        let pair = try ForwardingPair(loops: loops, slowSeconds: 1.5)
        defer { pair.stop() }
        let (slow, done) = pair.getInBackground("/slow")
        Thread.sleep(forTimeInterval: 0.2)

        var quick: [(status: Int, body: String, seconds: Double)] = []
        for index in 0..<20 {
            quick.append(pair.get("/fast?n=\(index)"))
        }
        let local = pair.get("/local")
        done.wait()

        #expect(quick.allSatisfy { $0.status == 200 }, "\(quick.map(\.status))")
        #expect(quick.allSatisfy { $0.seconds < 1 }, "\(quick.map(\.seconds))")
        #expect(quick.last?.body == "upstream saw GET /fast?n=19")
        #expect(local.status == 202)
        #expect(local.body == "answered at once")
        #expect(slow.value?.status == 200)
        #expect((slow.value?.seconds ?? 0) >= 1.4)
    }

    /// Stopping waits for a request that is already forwarded, and its client gets the response.
    @Test func stopAnswersForwardedRequestsFirst() throws {
        let pair = try ForwardingPair(loops: 2, slowSeconds: 1)
        let (slow, done) = pair.getInBackground("/slow")
        Thread.sleep(forTimeInterval: 0.3)
        let stopStarted = Date()
        pair.proxy.stop()
        let stopSeconds = Date().timeIntervalSince(stopStarted)
        done.wait()
        pair.upstream.stop()

        #expect(slow.value?.status == 200)
        #expect(slow.value?.body == "upstream saw GET /slow")
        #expect(stopSeconds >= 0.5, "\(stopSeconds)")
        #expect(stopSeconds < 5, "\(stopSeconds)")
        let refused = pair.get("/fast", timeout: 2)
        #expect(refused.status == 0, "a stopped server takes no connection: \(refused)")
        #expect(refused.seconds < 1, "the connection is refused, not left waiting: \(refused)")
    }

    /// The upstream's timeout ends a forwarded request on the loop; the loop goes on serving.
    @Test func upstreamTimeoutEndsTheTransfer() throws {
        let pair = try ForwardingPair(loops: 1, slowSeconds: 2, clientTimeout: 0.5)
        defer { pair.stop() }

        let timedOut = pair.get("/slow")
        let after = pair.get("/fast")

        #expect(timedOut.status == 504, "\(timedOut)")
        #expect(timedOut.seconds < 1.5)
        #expect(after.status == 200)
    }

    /// A response whose header block does not fit in the connection's memory beside the request's
    /// gets a 500 naming both sizes, where libmicrohttpd would close the connection without a response.
    @Test func oversizedResponseHeadersGet500() throws {
        let pair = try ForwardingPair(loops: 1, proxyConnectionMemory: 16 * 1024)
        defer { pair.stop() }

        let fits = pair.get("/large/14000")
        let tooLarge = pair.get("/large/20000")
        let after = pair.get("/fast")

        #expect(fits.status == 200, "\(fits)")
        #expect(tooLarge.status == 500, "\(tooLarge)")
        #expect(tooLarge.body.contains("header block (20"), "\(tooLarge.body)")
        #expect(tooLarge.body.contains("in the 15872 bytes"), "the message names the memory left: \(tooLarge.body)")
        #expect(after.status == 200)
    }

    /// An idle upstream connection that the upstream closes is noticed and dropped, and the next
    /// requests open a new one at once, also when the closed socket's number comes back.
    @Test func upstreamClosingIdleConnectionsIsHarmless() throws {
        let pair = try ForwardingPair(loops: 1, upstreamIdleTimeout: 1)
        defer { pair.stop() }

        var answers: [(status: Int, body: String, seconds: Double)] = []
        for round in 0..<3 {
            answers.append(pair.get("/fast?round=\(round)"))
            Thread.sleep(forTimeInterval: 2.2)
        }
        answers.append(pair.get("/fast?round=last"))

        #expect(answers.map(\.status) == [200, 200, 200, 200])
        #expect(answers.allSatisfy { $0.seconds < 1 }, "\(answers.map(\.seconds))")
        #expect(answers.last?.body == "upstream saw GET /fast?round=last")
    }

    /// A request that arrives on an open connection while the server stops gets 503 and the
    /// connection is closed, instead of being forwarded after the stop began.
    @Test func requestDuringStopGets503() throws {
        let pair = try ForwardingPair(loops: 1, slowSeconds: 1.5)
        let port = pair.proxy.port
        let descriptor = openConnection(port: port)
        defer { close(descriptor) }
        let first = exchange(descriptor, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")

        let (_, done) = pair.getInBackground("/slow")
        Thread.sleep(forTimeInterval: 0.2)
        Thread.detachNewThread {
            pair.proxy.stop()
        }
        Thread.sleep(forTimeInterval: 0.3)
        let second = exchange(descriptor, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
        done.wait()
        pair.proxy.stop()
        pair.upstream.stop()

        #expect(first.hasPrefix("HTTP/1.1 200"))
        #expect(second.hasPrefix("HTTP/1.1 503"), "\(second.prefix(80))")
        #expect(second.lowercased().contains("connection: close"))
    }

    private func openConnection(port: UInt16) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return descriptor
    }

    /// Sends `request` and reads one response with a `Content-Length` body.
    private func exchange(_ descriptor: Int32, _ request: String) -> String {
        _ = request.withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 {
                break
            }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound].lowercased()
                let length =
                    head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count - text.utf8.distance(from: text.startIndex, to: end.upperBound) >= length {
                    break
                }
            }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
