import Foundation
import HTTP
import Logging
import Recorder
import SCIM
import TestSupport
import Testing
import Transcript

/// What an upstream received, for checking what the proxy forwarded.
final class ReceivedRequests: @unchecked Sendable {
    // @unchecked: `requests` is only touched while `lock` is held.
    private let lock = NSLock()
    private var requests: [HTTPRequest] = []

    func add(_ request: HTTPRequest) {
        lock.lock()
        requests.append(request)
        lock.unlock()
    }

    var last: HTTPRequest? {
        lock.lock()
        defer { lock.unlock() }
        return requests.last
    }
}

@Suite struct Forwarding {
    /// An upstream that stores each request and responds with 201, custom headers and a fixed
    /// body, and a recording proxy in front of its `/scim/v2` with its journal in a new folder.
    private struct EchoSetup {
        let received = ReceivedRequests()
        let upstream: HTTPServer
        let folder: URL
        let proxy: RecordingProxy

        init() throws {
            upstream = try Forwarding.startEchoUpstream(received)
            do {
                folder = try ProxyHarness.makeFolder()
                proxy = try Forwarding.startProxy(upstream: upstream.origin + "/scim/v2", folder: folder)
            } catch {
                upstream.stop()
                throw error
            }
        }

        /// Stops the proxy and the upstream, and removes the folder.
        func tearDown() {
            proxy.stop()
            upstream.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// Starts an upstream that stores each request and responds with 201 with custom headers and a fixed body.
    private static func startEchoUpstream(_ received: ReceivedRequests) throws -> HTTPServer {
        let server = HTTPServer(configuration: HTTPServerConfiguration()) { request in
            received.add(request)
            return HTTPResponse(
                status: HTTPStatus(code: 201),
                headers: [
                    ("Content-Type", "application/scim+json"), ("X-Upstream", "Kept"), ("X-Upstream", "Twice"),
                    ("Connection", "close, X-Hop"), ("X-Hop", "dropped"),
                ],
                body: Array(#"{"id":"u1","userName":"echo"}"#.utf8))
        }
        try server.start()
        return server
    }

    private static func startProxy(upstream: String, folder: URL) throws -> RecordingProxy {
        let proxy = try RecordingProxy(
            configuration: RecordingProxyConfiguration(
                upstream: try BaseURL(upstream), journalPath: folder.appendingPathComponent("j.journal").path))
        try proxy.start()
        return proxy
    }

    @Test func endToEndHeadersAndBodyPreserved() throws {
        let setup = try EchoSetup()
        defer { setup.tearDown() }
        let (received, upstream, proxy) = (setup.received, setup.upstream, setup.proxy)
        let body = Array(#"{"userName":"a@b.c","note":"kept as sent"}"#.utf8)
        let request = HTTPRequest(
            method: .put, target: "/scim/v2/Users/u1?attributes=userName",
            headers: [
                ("Content-Type", "application/scim+json"), ("X-Case", "Kept"), ("X-Repeat", "1"), ("X-Repeat", "2"),
                ("Keep-Alive", "timeout=5"), ("Accept-Encoding", "gzip"),
            ],
            body: body)

        let response = try HTTPClient().send(request, url: proxy.url + "/Users/u1?attributes=userName")
        let (transcript, _) = try proxy.finish()

        let forwarded = try #require(received.last)
        #expect(forwarded.method == .put)
        #expect(forwarded.target == "/scim/v2/Users/u1?attributes=userName")
        #expect(forwarded.body == body)
        #expect(forwarded.headers.fields.map(\.name).contains("X-Case"))
        #expect(forwarded.headers["X-Case"] == "Kept")
        #expect(forwarded.headers.values(named: "X-Repeat") == ["1", "2"])
        #expect(forwarded.headers["Keep-Alive"] == nil)
        #expect(forwarded.headers["Accept-Encoding"] == nil)
        #expect(forwarded.headers["Host"] == upstream.origin.replacingOccurrences(of: "http://", with: ""))
        #expect(response.status.code == 201)
        #expect(response.headers.values(named: "X-Upstream") == ["Kept", "Twice"])
        #expect(response.headers["X-Hop"] == nil)
        #expect(response.bodyText == #"{"id":"u1","userName":"echo"}"#)
        let exchange = try #require(transcript?.exchanges.first)
        #expect(exchange.request.path == "/Users/u1?attributes=userName")
        #expect(
            exchange.request.headers["Host"]
                == proxy.url.replacingOccurrences(of: "http://", with: "").replacingOccurrences(
                    of: "/scim/v2", with: ""))
        #expect(exchange.request.headers["Accept-Encoding"] == "gzip")
        #expect(exchange.request.headers["Keep-Alive"] == "timeout=5")
        #expect(exchange.request.body == RecordedBody(bytes: body))
        #expect(exchange.response.status == 201)
        #expect(exchange.response.headers.values(named: "X-Upstream") == ["Kept", "Twice"])
        #expect(exchange.response.headers["X-Hop"] == nil)
    }

    /// A response to HEAD has no body, but its Content-Length names the length a GET would get.
    @Test func headKeepsUpstreamContentLength() throws {
        let setup = try EchoSetup()
        defer { setup.tearDown() }
        let (received, proxy) = (setup.received, setup.proxy)
        let length = #"{"id":"u1","userName":"echo"}"#.utf8.count

        let reply = RawClient.exchange(
            proxy.port, "HEAD /scim/v2/Users/u1 HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n")
        let (transcript, _) = try proxy.finish()

        let head = reply.components(separatedBy: "\r\n\r\n")
        #expect(head.first?.hasPrefix("HTTP/1.1 201") == true)
        #expect(head.first?.lowercased().contains("\r\ncontent-length: \(length)") == true, "\(reply)")
        #expect(head.count == 2, "one header block: \(reply)")
        #expect(head.last?.isEmpty == true, "no body after the header block: \(reply)")
        #expect(received.last?.method == .head)
        #expect(transcript?.exchanges.first?.response.headers["Content-Length"] == String(length))
    }

    /// Bytes above 0x7F that are not UTF-8 are percent-encoded in the forwarded and recorded target.
    @Test func nonUTF8TargetBytesPercentEncoded() throws {
        let setup = try EchoSetup()
        defer { setup.tearDown() }
        let (received, proxy) = (setup.received, setup.proxy)
        let request =
            Array("GET /scim/v2/Users?x=".utf8) + [0xFF, 0xE9]
            + Array("&y=caf\u{E9} HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n".utf8)

        let reply = RawClient.exchange(proxy.port, request)
        let (transcript, _) = try proxy.finish()

        #expect(reply.hasPrefix("HTTP/1.1 201"))
        #expect(received.last?.target == "/scim/v2/Users?x=%FF%E9&y=caf%C3%A9")
        #expect(transcript?.exchanges.first?.request.path == "/Users?x=%FF%E9&y=caf%C3%A9")
    }

    /// Returns the origin of a server that was started and stopped, where nothing listens now.
    private func closedOrigin() throws -> String {
        let closed = HTTPServer(configuration: HTTPServerConfiguration()) { _ in HTTPResponse(status: .ok) }
        try closed.start()
        let origin = closed.origin
        closed.stop()
        return origin
    }

    @Test func unreachableUpstreamGets502NotRecorded() throws {
        let origin = try closedOrigin()
        let folder = try ProxyHarness.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let proxy = try Self.startProxy(upstream: origin + "/scim/v2", folder: folder)

        let response = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/scim/v2/Users"), url: proxy.url + "/Users")
        let (transcript, _) = try proxy.finish()

        #expect(response.status.code == 502)
        let body = try JSONValue.parse(bytes: response.body)
        #expect(body["schemas"] == [.string(SCIMURN.error)])
        #expect(body["status"] == "502")
        #expect(transcript == nil)
        #expect(proxy.counts.upstreamFailures == 1)
    }

    /// libcurl's error message names the URL; its access_token reaches neither the log nor the client.
    @Test func upstreamFailureHidesQueryCredentials() throws {
        let origin = try closedOrigin()
        let folder = try ProxyHarness.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let handler = CapturingLogHandler()
        var configuration = RecordingProxyConfiguration(
            upstream: try BaseURL(origin + "/scim/v2"), journalPath: folder.appendingPathComponent("j.journal").path)
        configuration.logger = Logger(label: "test", level: .warning, handler: handler)
        let proxy = try RecordingProxy(configuration: configuration)
        try proxy.start()
        let secret = "q7Lm2Zx9Wv4Rt8Nb"

        let response = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/scim/v2/Users?access_token=\(secret)&count=1"),
            url: proxy.url + "/Users?access_token=\(secret)&count=1")
        proxy.stop()

        #expect(response.status.code == 502)
        #expect(!String(decoding: response.body, as: UTF8.self).contains(secret))
        #expect(handler.captured.contains { $0.message == "upstream request failed" })
        #expect(!handler.captured.contains { $0.formatted().contains(secret) })
        // Only the URL's credential goes: the rest of libcurl's message stays readable.
        #expect(String(decoding: response.body, as: UTF8.self).contains("count=1: "))
        #expect(handler.captured.contains { $0.formatted().contains("libcurl error 7") })
    }

    /// An upstream response whose header block does not fit in a client connection's memory beside
    /// the request's gets a 502 naming both sizes, and is not recorded, because the client did not get
    /// it. A response that fits is returned and recorded as usual.
    @Test func oversizedUpstreamHeadersGet502() throws {
        var upstreamConfiguration = HTTPServerConfiguration()
        upstreamConfiguration.connectionMemoryLimit = 256 * 1024
        let upstream = HTTPServer(configuration: upstreamConfiguration) { request in
            let size = Int(request.path.split(separator: "/").last ?? "") ?? 0
            return HTTPResponse(
                status: .ok,
                headers: [("Content-Type", "application/scim+json"), ("X-Large", String(repeating: "v", count: size))],
                body: Array(#"{"id":"u1"}"#.utf8))
        }
        try upstream.start()
        defer { upstream.stop() }
        let folder = try ProxyHarness.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let handler = CapturingLogHandler()
        var configuration = RecordingProxyConfiguration(
            upstream: try BaseURL(upstream.origin + "/scim/v2"),
            journalPath: folder.appendingPathComponent("j.journal").path)
        configuration.logger = Logger(label: "test", level: .warning, handler: handler)
        let proxy = try RecordingProxy(configuration: configuration)
        try proxy.start()
        let limit = configuration.connectionMemoryLimit

        let fits = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/scim/v2/Users/20000"), url: proxy.url + "/Users/20000")
        let tooLarge = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/scim/v2/Users/\(limit)"), url: proxy.url + "/Users/\(limit)")
        let (transcript, _) = try proxy.finish()

        #expect(fits.status.code == 200)
        #expect(fits.headers["X-Large"]?.utf8.count == 20000)
        #expect(tooLarge.status.code == 502)
        let detail = try JSONValue.parse(bytes: tooLarge.body)["detail"]?.stringValue ?? ""
        #expect(detail.contains("cannot return the upstream's response"), "\(detail)")
        #expect(
            detail.contains("in the \(limit - HTTPServerConfiguration.connectionMemoryReserve) bytes"), "\(detail)")
        #expect(handler.captured.contains { $0.message == "upstream response too large to return and not recorded" })
        #expect(transcript?.exchanges.map(\.request.path) == ["/Users/20000"])
        #expect(proxy.counts.upstreamFailures == 1)
    }

    @Test func outsideBaseForwardedNotRecorded() throws {
        let setup = try EchoSetup()
        defer { setup.tearDown() }
        let (received, upstream, proxy) = (setup.received, setup.upstream, setup.proxy)

        let outside = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/_scimtape/state"),
            url: upstream.origin.replacingOccurrences(
                of: String(upstream.port), with: String(proxy.port)) + "/_scimtape/state")
        let inside = try HTTPClient().send(HTTPRequest(method: .get, target: "/scim/v2"), url: proxy.url)
        let (transcript, _) = try proxy.finish()

        #expect(outside.status.code == 201)
        #expect(inside.status.code == 201)
        #expect(received.last?.target == "/scim/v2")
        #expect(transcript?.exchanges.map(\.request.path) == ["/"])
        #expect(proxy.counts.notRecorded == 1)
    }

    /// The warning about a request that was not recorded names its method and its path, with a
    /// credential in the query redacted.
    @Test func notRecordedWarningNamesRequest() throws {
        let received = ReceivedRequests()
        let upstream = try Forwarding.startEchoUpstream(received)
        defer { upstream.stop() }
        let folder = try ProxyHarness.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let handler = CapturingLogHandler()
        var configuration = RecordingProxyConfiguration(
            upstream: try BaseURL(upstream.origin + "/scim/v2"),
            journalPath: folder.appendingPathComponent("j.journal").path)
        configuration.logger = Logger(label: "test", level: .warning, handler: handler)
        let proxy = try RecordingProxy(configuration: configuration)
        try proxy.start()
        defer { proxy.stop() }
        let secret = "Ab3dEf5hIj7kLm9nOp1rSt3v"
        let target = "/health/ready?access_token=\(secret)"

        let outside = try HTTPClient().send(
            HTTPRequest(method: .post, target: target),
            url: upstream.origin.replacingOccurrences(of: String(upstream.port), with: String(proxy.port)) + target)

        #expect(outside.status.code == 201)
        let warning = try #require(handler.captured.first { $0.message.contains("forwarded but not recorded") })
        #expect(warning.metadata["http.method"] == "POST")
        let logged = try #require(warning.metadata["http.target"])
        #expect(logged.hasPrefix("/health/ready?access_token="), "\(logged)")
        #expect(!logged.contains(secret), "\(logged)")
    }
}
