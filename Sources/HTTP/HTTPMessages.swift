/// A status code with the reason phrase that came with it.
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let reasonPhrase: String

    public init(code: Int, reasonPhrase: String? = nil) {
        self.code = code
        self.reasonPhrase = reasonPhrase ?? HTTPStatus.standardReasonPhrase(for: code)
    }

    public static let ok = HTTPStatus(code: 200)
    public static let created = HTTPStatus(code: 201)
    public static let noContent = HTTPStatus(code: 204)
    public static let badRequest = HTTPStatus(code: 400)
    public static let unauthorized = HTTPStatus(code: 401)
    public static let notFound = HTTPStatus(code: 404)
    public static let methodNotAllowed = HTTPStatus(code: 405)
    public static let conflict = HTTPStatus(code: 409)
    public static let payloadTooLarge = HTTPStatus(code: 413)
    public static let unsupportedMediaType = HTTPStatus(code: 415)
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431)
    public static let internalServerError = HTTPStatus(code: 500)
    public static let badGateway = HTTPStatus(code: 502)
    public static let serviceUnavailable = HTTPStatus(code: 503)
    public static let gatewayTimeout = HTTPStatus(code: 504)

    public var description: String {
        "\(code) \(reasonPhrase)"
    }

    /// The reason phrases of RFC 9110 section 15, used when a response is built locally.
    public static func standardReasonPhrase(for code: Int) -> String {
        switch code {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 409: "Conflict"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}

/// A request as a server received it or as a client sends it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as sent: the path and query string, still percent-encoded.
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The protocol version the client used, such as `HTTP/1.1`, when known.
    public var version: String?

    public init(
        method: HTTPMethod, target: String, headers: HTTPHeaders = [], body: [UInt8] = [], version: String? = nil
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.version = version
    }

    /// The target without its query string, still percent-encoded.
    public var path: String {
        RequestTarget.split(target).path
    }

    /// The query string without the `?`, or `nil` when the target has none.
    public var query: String? {
        RequestTarget.split(target).query
    }

    /// Decoded query parameters in order.
    public var queryItems: [(name: String, value: String)] {
        RequestTarget.queryItems(query ?? "")
    }

    /// Bytes of the request line and the header block as an HTTP/1.1 client sends them.
    public var headerBlockSize: Int {
        // "METHOD target HTTP/1.1\r\n", the fields, and the empty line.
        method.rawValue.utf8.count + 1 + target.utf8.count + 11 + headers.lineBytes + 2
    }
}

/// A response as a server sends it or as a client received it.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }

    /// Bytes of the status line and the header block as an HTTP/1.1 server sends them, without
    /// the fields the server adds itself.
    public var headerBlockSize: Int {
        // "HTTP/1.1 200 OK\r\n", the fields, and the empty line.
        13 + status.reasonPhrase.utf8.count + 2 + headers.lineBytes + 2
    }
}

extension HTTPHeaders {
    /// Bytes the fields take as `name: value` lines.
    fileprivate var lineBytes: Int {
        fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }
}
