import Foundation
import HTTP
import Testing

@Suite struct ServerClientRoundTrip {
    private func startServer(
        _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(), handler: @escaping HTTPHandler
    ) throws -> HTTPServer {
        let server = HTTPServer(configuration: configuration, handler: handler)
        try server.start()
        return server
    }

    /// The embedded endpoint of `simulate` listens on a Unix-domain socket; libcurl reaches it
    /// through the socket while the URL still carries the path.
    @Test func unixSocketServesAndIsRemovedOnStop() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "st-\(UUID().uuidString.prefix(8)).sock"
        )
        .path
        var configuration = HTTPServerConfiguration()
        configuration.unixSocketPath = path
        let server = try startServer(configuration) { request in
            HTTPResponse(status: .ok, body: Array(request.target.utf8))
        }
        var clientConfiguration = HTTPClientConfiguration()
        clientConfiguration.unixSocketPath = path
        let client = HTTPClient(configuration: clientConfiguration)

        let first = try client.send(
            HTTPRequest(method: .get, target: "/scim/v2/Users"), url: server.origin + "/scim/v2/Users")
        let second = try client.send(
            HTTPRequest(method: .get, target: "/scim/v2/Groups"), url: server.origin + "/scim/v2/Groups")
        server.stop()

        #expect(server.origin == "http://localhost")
        #expect(first.status.code == 200)
        #expect(first.bodyText == "/scim/v2/Users")
        #expect(second.bodyText == "/scim/v2/Groups")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// One client keeps its libcurl handle from request to request, so nothing of one request
    /// (a body, a custom method, HEAD's missing response body, a header) may reach the next.
    @Test func consecutiveRequestsOnOneClientKeepNothingOfTheLast() throws {
        let seen = Captured<HTTPRequest>()
        let server = try startServer { request in
            seen.set(request)
            return HTTPResponse(status: .ok, body: Array("answer to \(request.method)".utf8))
        }
        defer { server.stop() }
        let client = HTTPClient()
        let sequence: [(HTTPMethod, String)] = [
            (.post, #"{"a":1}"#), (.get, ""), (.head, ""), (.get, ""), (.patch, #"{"b":2}"#), (.delete, ""),
            (.put, #"{"c":3}"#), (.head, ""), (.other("PROPFIND"), ""), (.delete, "x"), (.get, ""),
        ]

        for (method, body) in sequence {
            let headers: HTTPHeaders = body.isEmpty ? [] : [("Content-Type", "application/scim+json")]
            let request = HTTPRequest(
                method: method, target: "/scim/v2/Users", headers: headers, body: Array(body.utf8))

            let response = try client.send(request, url: server.origin + request.target)

            let received = try #require(seen.value)
            #expect(received.method == method)
            #expect(String(decoding: received.body, as: UTF8.self) == body, "\(method)")
            #expect(received.headers["content-type"] == (body.isEmpty ? nil : "application/scim+json"), "\(method)")
            #expect(response.bodyText == (method == .head ? "" : "answer to \(method)"), "\(method)")
        }
    }

    @Test func rawTargetMethodHeadersAndBodyReachHandler() throws {
        let seen = Captured<HTTPRequest>()
        let server = try startServer { request in
            seen.set(request)
            return HTTPResponse(status: HTTPStatus(code: 201), headers: [("X-Echo", "yes")], body: Array("done".utf8))
        }
        defer { server.stop() }
        do {
            let client = HTTPClient()
            let request = HTTPRequest(
                method: .patch, target: "/scim/v2/Users?filter=userName+eq+%22a%40b.c%22",
                headers: [("Content-Type", "application/scim+json"), ("X-Case", "Kept")],
                body: Array(#"{"a":1}"#.utf8))

            let response = try client.send(request, url: server.origin + request.target)

            #expect(response.status.code == 201)
            #expect(response.status.reasonPhrase == "Created")
            #expect(response.headers["x-echo"] == "yes")
            #expect(response.bodyText == "done")
            let received = try #require(seen.value)
            #expect(received.method == .patch)
            #expect(received.target == "/scim/v2/Users?filter=userName+eq+%22a%40b.c%22")
            #expect(received.queryItems.first?.value == #"userName eq "a@b.c""#)
            #expect(received.headers["content-type"] == "application/scim+json")
            #expect(received.headers.fields.contains { $0.name == "X-Case" && $0.value == "Kept" })
            #expect(String(decoding: received.body, as: UTF8.self) == #"{"a":1}"#)
        }
    }

    @Test func oversizedBodyGets413AndServerKeepsServing() throws {
        var configuration = HTTPServerConfiguration()
        configuration.maximumBodySize = 16
        let server = try startServer(configuration) { _ in HTTPResponse(status: .ok) }
        defer { server.stop() }
        do {
            let client = HTTPClient()
            let big = HTTPRequest(method: .post, target: "/x", body: Array(repeating: UInt8(ascii: "a"), count: 1000))

            let rejected = try client.send(big, url: server.origin + "/x")
            let accepted = try HTTPClient().send(HTTPRequest(method: .get, target: "/x"), url: server.origin + "/x")

            #expect(rejected.status.code == 413)
            #expect(accepted.status.code == 200)
        }
    }

    /// A handler's response whose header block does not fit in the connection's memory beside the
    /// request's gets a 500 naming both sizes, where libmicrohttpd would close the connection without
    /// a response.
    @Test(arguments: [(6_000, 200), (15_000, 500), (40_000, 500)])
    func responseHeadersMustFitConnectionMemory(fieldBytes: Int, status: Int) throws {
        var configuration = HTTPServerConfiguration()
        configuration.connectionMemoryLimit = 16 * 1024
        let server = try startServer(configuration) { _ in
            HTTPResponse(status: .ok, headers: [("X-Large", String(repeating: "v", count: fieldBytes))])
        }
        defer { server.stop() }
        // The request's header block takes its share of the memory too: 8,000 bytes leave room
        // for the 6,000-byte response field but not for the 15,000-byte one.
        let request = HTTPRequest(
            method: .get, target: "/x", headers: [("X-Request-Padding", String(repeating: "r", count: 8_000))])

        let response = try HTTPClient().send(request, url: server.origin + "/x")

        #expect(response.status.code == status)
        if status == 200 {
            #expect(response.headers["X-Large"]?.utf8.count == fieldBytes)
        } else {
            #expect(response.bodyText.contains("header block (\(fieldBytes + 30) bytes)"), "\(response.bodyText)")
        }
    }

    @Test func refusedConnectionIsConnectionFailed() throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(), handler: { _ in HTTPResponse(status: .ok) })
        try server.start()
        let origin = server.origin
        server.stop()

        #expect {
            try HTTPClient().send(HTTPRequest(method: .get, target: "/"), url: origin + "/")
        } throws: { error in
            (error as? HTTPClientError)?.kind == .connectionFailed
        }
    }
}

final class Captured<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    func set(_ value: Value) {
        lock.lock()
        stored = value
        lock.unlock()
    }

    var value: Value? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
