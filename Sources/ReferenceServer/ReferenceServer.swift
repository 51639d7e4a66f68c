import HTTP
import Logging
import SCIM

/// The embedded Front-compatible SCIM endpoint on a libmicrohttpd server.
public final class ReferenceServer: Sendable {
    public let endpoint: ReferenceEndpoint
    private let server: HTTPServer

    /// Creates the endpoint; throws when the durable store in `configuration.storePath` cannot be
    /// opened or read.
    public init(configuration: ReferenceServerConfiguration) throws(StoreError) {
        var http = configuration.http
        let tooLarge = configuration.deviations.contains(.numericErrorStatus)
        http.payloadTooLargeResponse = { limit in
            let error = SCIMError(status: 413, detail: "the request body is larger than \(limit) bytes")
            var body = error.json
            if tooLarge, case .object(var object) = body {
                object["status"] = 413
                body = .object(object)
            }
            return HTTPResponse(
                status: .payloadTooLarge, headers: [("Content-Type", "\(SCIMMediaType.scimJSON); charset=utf-8")],
                body: body.serializedBytes())
        }
        var adjusted = configuration
        adjusted.http = http
        let scheme = http.tls == nil ? "http" : "https"
        let host = http.host.contains(":") ? "[\(http.host)]" : http.host
        let endpoint = try ReferenceEndpoint(
            configuration: adjusted, fallbackOrigin: "\(scheme)://\(host):\(http.port)")
        self.endpoint = endpoint
        http.loggedTarget = { request in endpoint.loggedPath(of: request) }
        self.server = HTTPServer(configuration: http, logger: configuration.logger) { request in
            endpoint.handle(request)
        }
    }

    public func start() throws(HTTPServerError) {
        try server.start()
    }

    public func stop() {
        server.stop()
    }

    public var port: UInt16 {
        server.port
    }

    /// The SCIM base URL clients use, such as `http://127.0.0.1:8080/scim/v2`.
    public var baseURL: String {
        server.origin + endpoint.configuration.basePath
    }

    /// The origin, such as `http://127.0.0.1:8080`; the admin route is `/_scimtape/state` under it.
    public var origin: String {
        server.origin
    }
}
