/// A failure response the target returns for some requests: throttling (429 with `Retry-After`),
/// an outage (5xx), rejected credentials (401) or an id that no longer resolves (404).
///
/// SCIM cannot ask an endpoint to fail, so a transcript that shows how Entra reacts to failures
/// sets them up as a precondition. The JSON form is
/// `{"kind": "fault", "method": "POST", "path": "/Users", "status": 429, "retryAfter": 1,
/// "after": 0, "count": 1}`.
public struct InjectedFault: Sendable, Equatable {
    /// The request method the fault applies to, or `*` for every method.
    public var method: String
    /// A path relative to the SCIM base, without query. It matches that path and every path below
    /// it, so `/Users` covers `POST /Users` and `GET /Users/{id}`, while `/Users/` covers only the
    /// second; `/` covers every request.
    public var path: String
    /// The HTTP status of the failure, 400 to 599.
    public var status: Int
    /// Seconds sent in a `Retry-After` header, if any.
    public var retryAfter: Int?
    /// Matching requests that succeed before the failures start.
    public var after: Int
    /// Matching requests that fail. Later ones succeed again.
    public var count: Int
    /// The `detail` of the SCIM error body.
    public var detail: String?

    public init(
        method: String, path: String, status: Int, retryAfter: Int? = nil, after: Int = 0, count: Int = 1,
        detail: String? = nil
    ) {
        self.method = method
        self.path = path
        self.status = status
        self.retryAfter = retryAfter
        self.after = after
        self.count = count
        self.detail = detail
    }

    /// Whether a request with this method and relative path (without query) is one the fault covers.
    public func matches(method requestMethod: String, path requestPath: String) -> Bool {
        guard method == "*" || method.uppercased() == requestMethod.uppercased() else {
            return false
        }
        if path == "/" || path == requestPath {
            return true
        }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        return requestPath.hasPrefix(prefix)
    }

    /// Parses the members of a `fault` precondition; errors name the member at fault.
    init(json object: JSONObject) throws(PreconditionError) {
        guard let method = object["method"]?.stringValue, !method.isEmpty else {
            throw PreconditionError(
                path: JSONPath([.key("method")]), message: "fault needs a 'method' such as \"POST\", or \"*\"")
        }
        guard method == "*" || Self.isToken(method) else {
            throw PreconditionError(
                path: JSONPath([.key("method")]),
                message: "\(JSONValue.string(method).serialized()) is not an HTTP method such as \"POST\", or \"*\"")
        }
        guard let path = object["path"]?.stringValue, path.hasPrefix("/") else {
            throw PreconditionError(
                path: JSONPath([.key("path")]),
                message: "fault needs a 'path' relative to the SCIM base, such as \"/Users\"")
        }
        guard path.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw PreconditionError(
                path: JSONPath([.key("path")]),
                message:
                    "path \(JSONValue.string(path).serialized()) contains a space or control character, so no request path matches it"
            )
        }
        guard let status = object["status"]?.intValue, (400...599).contains(status) else {
            throw PreconditionError(path: JSONPath([.key("status")]), message: "fault needs a 'status' from 400 to 599")
        }
        self.init(method: method, path: path, status: status)
        retryAfter = try Self.count(object, "retryAfter", in: 0...Self.maximumRetryAfter)
        after = try Self.count(object, "after", in: 0...Self.maximumRequests) ?? 0
        count = try Self.count(object, "count", in: 1...Self.maximumRequests) ?? 1
        if let value = object["detail"] {
            guard let text = value.stringValue else {
                throw PreconditionError(path: JSONPath([.key("detail")]), message: "'detail' must be a string")
            }
            detail = text
        }
    }

    /// Returns whether `text` is a token of RFC 9110 section 5.6.2, the form of a method name.
    private static func isToken(_ text: String) -> Bool {
        let symbols = Set("!#$%&'*+-.^_`|~".utf8)
        return text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || symbols.contains(byte)
        }
    }

    /// The largest `after` and `count`: far more requests than any transcript sends.
    public static let maximumRequests = 1_000_000
    /// The largest `Retry-After`, one hour: a client that honours it waits that long.
    public static let maximumRetryAfter = 3600

    private static func count(_ object: JSONObject, _ key: String, in range: ClosedRange<Int>) throws(PreconditionError)
        -> Int?
    {
        guard let value = object[key] else {
            return nil
        }
        guard let number = value.intValue, range.contains(number) else {
            throw PreconditionError(
                path: JSONPath([.key(key)]),
                message: "'\(key)' must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    var json: JSONValue {
        var object = JSONObject()
        object["kind"] = "fault"
        object["method"] = .string(method)
        object["path"] = .string(path)
        object["status"] = .number(JSONNumber(status))
        object["retryAfter"] = retryAfter.map { .number(JSONNumber($0)) }
        object["after"] = .number(JSONNumber(after))
        object["count"] = .number(JSONNumber(count))
        object["detail"] = detail.map(JSONValue.string)
        return .object(object)
    }

    var summary: String {
        let requests = count == 1 ? "request" : "\(count) requests"
        let skipped = after == 0 ? "" : " after the first \(after)"
        let retry = retryAfter.map { " and Retry-After: \($0)" } ?? ""
        let methods = method == "*" ? "any method" : method
        let paths = path == "/" ? "any path" : path
        return "the target answers the next \(requests) (\(methods), \(paths))\(skipped) with \(status)\(retry)"
    }
}
