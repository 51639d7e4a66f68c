import Foundation
import HTTP
import Logging
import SCIM

/// The Front-compatible SCIM endpoint: routing, authentication, media types and the Front
/// semantics, independent of the HTTP server that carries it.
///
/// Front semantics, in one place:
/// - `active: false` blocks a teammate. A blocked teammate stays retrievable by id and by filter.
/// - DELETE blocks in the `front` profile (204, then `active: false`) and removes in `rfc`.
/// - The teammate `template` is applied when the user is created and returned on reads. A later
///   PATCH or PUT that carries it succeeds, but the template is left unchanged.
/// - Emails in the deleted-teammate registry cannot be used for a new user: POST returns 409
///   `uniqueness` saying the teammate was deleted in Front.
public final class ReferenceEndpoint: Sendable {
    public let configuration: ReferenceServerConfiguration
    let store: ResourceStore
    let logger: Logger
    /// Failures set through the admin route's `fault` preconditions.
    let faults = FaultSchedule()
    /// The origin used in `meta.location` when a request has no `Host` header.
    let fallbackOrigin: String

    static let adminPath = "/_scimtape/state"
    static let resourceTypes: [ResourceType] = [UserSchemas.resourceType, GroupSchemas.resourceType]

    public init(configuration: ReferenceServerConfiguration, fallbackOrigin: String = "http://127.0.0.1")
        throws(StoreError)
    {
        self.configuration = configuration
        let durable = try configuration.storePath.map { path throws(StoreError) in
            try SQLiteStore(path: path, synchronous: configuration.storeSurvivesPowerLoss ? .full : .normal)
        }
        self.store = try ResourceStore(durable: durable, idSeed: configuration.idSeed)
        self.logger = configuration.logger
        self.fallbackOrigin = fallbackOrigin
    }

    var profile: ServerProfile {
        configuration.profile
    }

    func has(_ deviation: Deviation) -> Bool {
        configuration.deviations.contains(deviation)
    }

    // MARK: - Entry point

    /// Handles one request. Every failure becomes a response; nothing here traps on bad input.
    /// HEAD gets the response GET would get, body included, and the HTTP server leaves the body
    /// out on the wire but keeps its `Content-Length` (RFC 9110 section 9.3.2). A fault
    /// precondition for GET does not cover HEAD, because faults match the method as sent.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        if let rejection = authenticate(request) {
            return rejection
        }
        let path = RequestTarget.percentDecode(request.path)
        if path == Self.adminPath {
            return handleAdmin(request)
        }
        // Error messages may quote the path, and a client may send its token in the path. The
        // secrets are collected only for an error, because most requests succeed.
        let base = configuration.basePath
        guard path == base || path.hasPrefix(base + "/") || base.isEmpty else {
            return errorResponse(
                SCIMError.notFound("no route for \(path); the SCIM base path is \(base.isEmpty ? "/" : base)"),
                redacting: secrets(of: request))
        }
        var relative = String(path.dropFirst(base.count))
        while relative.hasSuffix("/") {
            relative.removeLast()
        }
        if let fault = faults.failure(method: request.method.rawValue, path: relative.isEmpty ? "/" : relative) {
            return faultResponse(
                fault, method: request.method.rawValue, path: relative, redacting: secrets(of: request))
        }
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        do {
            return try route(request, segments: segments, relativePath: relative)
        } catch {
            return errorResponse(error, redacting: secrets(of: request))
        }
    }

    private func route(_ request: HTTPRequest, segments: [String], relativePath: String) throws(SCIMError)
        -> HTTPResponse
    {
        let context = RequestContext(request: request, baseURL: baseURL(for: request))
        if let first = segments.first, let type = Self.resourceTypes.first(where: { $0.endpoint == "/" + first }) {
            switch (segments.count, request.method) {
            case (1, .get), (1, .head):
                return try list(type, query: QueryParameters(queryItems: request.queryItems), context: context)
            case (1, .post):
                return try create(type, context: context)
            case (2, .post) where segments[1] == ".search":
                return try search(type, context: context)
            case (2, _) where segments[1] == ".search":
                // `.search` is no id (RFC 7644 section 3.4.3), so another method gets 405, not 404.
                return methodNotAllowed(request.method, allowed: "POST")
            case (2, .get), (2, .head):
                return try get(type, id: segments[1], context: context)
            case (2, .put):
                return try replace(type, id: segments[1], context: context)
            case (2, .patch):
                return try patch(type, id: segments[1], context: context)
            case (2, .delete):
                return try delete(type, id: segments[1], context: context)
            case (1, _):
                return methodNotAllowed(request.method, allowed: "GET, HEAD, POST")
            case (2, _):
                return methodNotAllowed(request.method, allowed: "GET, HEAD, PUT, PATCH, DELETE")
            default:
                break
            }
        }
        if segments == [".search"] {
            guard request.method == .post else {
                return methodNotAllowed(request.method, allowed: "POST")
            }
            return try searchAllTypes(context: context)
        }
        if let discovery = try discoveryResponse(request, segments: segments, context: context) {
            return discovery
        }
        throw SCIMError.notFound("no route for \(configuration.basePath)\(relativePath)")
    }

    // MARK: - Authentication

    private func authenticate(_ request: HTTPRequest) -> HTTPResponse? {
        guard let token = configuration.token else {
            return nil
        }
        let header = request.headers["Authorization"] ?? ""
        let parts = header.split(separator: " ", maxSplits: 1)
        if parts.count == 2, parts[0].lowercased() == "bearer",
            constantTimeEqual(Array(parts[1].utf8), Array(token.utf8))
        {
            return nil
        }
        var response = errorResponse(
            SCIMError(
                status: 401,
                detail: header.isEmpty
                    ? "the request has no Authorization header; send 'Authorization: Bearer <token>'"
                    : "the bearer token is not valid for this endpoint"))
        response.headers.add(name: "WWW-Authenticate", value: #"Bearer realm="scimtape""#)
        return response
    }

    /// Returns the credentials that no log line about `request` may show: the endpoint's token and
    /// the credential of the request's `Authorization` header, which may differ from it.
    func secrets(of request: HTTPRequest) -> [String] {
        var secrets: [String] = []
        if let token = configuration.token, !token.isEmpty {
            secrets.append(token)
        }
        for value in request.headers.values(named: "Authorization") {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            let credential =
                trimmed.firstIndex(of: " ").map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
            let word = credential.trimmingCharacters(in: .whitespaces)
            if !word.isEmpty && !secrets.contains(word) {
                secrets.append(word)
            }
        }
        // A longer secret first, so that a secret containing another is replaced whole.
        return secrets.sorted { $0.count > $1.count }
    }

    /// Returns the path for the debug log line of a handled request, with `secrets(of:)` replaced by
    /// `[redacted]`. A path whose percent-decoded form contains a secret is shown decoded, so that a
    /// percent-encoded secret is replaced too.
    func loggedPath(of request: HTTPRequest) -> String {
        guard request.target.hasPrefix("/") else {
            return "(not a path)"
        }
        let secrets = secrets(of: request)
        let decoded = RequestTarget.percentDecode(request.path)
        if secrets.contains(where: { decoded.contains($0) }) {
            return Self.redacting(secrets, in: decoded)
        }
        return Self.redacting(secrets, in: request.path)
    }

    /// Returns `text` with each of `secrets` replaced by `[redacted]`.
    static func redacting(_ secrets: [String], in text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return result
    }

    private func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }

    // MARK: - Responses

    func baseURL(for request: HTTPRequest) -> String {
        let scheme = configuration.http.tls == nil ? "http" : "https"
        if let host = request.headers["Host"], !host.isEmpty,
            !host.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: " ") })
        {
            return "\(scheme)://\(host)\(configuration.basePath)"
        }
        return fallbackOrigin + configuration.basePath
    }

    func jsonResponse(_ status: HTTPStatus, _ body: JSONValue, headers extra: HTTPHeaders = []) -> HTTPResponse {
        var headers: HTTPHeaders = [("Content-Type", "\(SCIMMediaType.scimJSON); charset=utf-8")]
        for field in extra {
            headers.add(name: field.name, value: field.value)
        }
        return HTTPResponse(status: status, headers: headers, body: body.serializedBytes())
    }

    /// Builds the RFC 7644 section 3.12 response for an error. `logged` is false for failures that a
    /// fault precondition requests, because the fault logs them as expected. The log line shows the
    /// message with each of `secrets` replaced by `[redacted]`, and the response shows it as it is.
    func errorResponse(_ error: SCIMError, logged: Bool = true, redacting secrets: [String] = []) -> HTTPResponse {
        var body = error.json
        if has(.numericErrorStatus), case .object(var object) = body {
            object["status"] = .number(JSONNumber(error.status))
            body = .object(object)
        }
        if !logged {
            // The caller logs the injected fault.
        } else if error.status >= 500 {
            logger.error("request failed", metadata: ["scim.error": Self.redacting(secrets, in: error.description)])
        } else {
            logger.debug("request rejected", metadata: ["scim.error": Self.redacting(secrets, in: error.description)])
        }
        return jsonResponse(HTTPStatus(code: error.status), body)
    }

    private func methodNotAllowed(_ method: HTTPMethod, allowed: String) -> HTTPResponse {
        var response = errorResponse(SCIMError(status: 405, detail: "\(method) is not supported here; use \(allowed)"))
        response.headers.add(name: "Allow", value: allowed)
        return response
    }

    /// Parses a request body as JSON after checking its media type.
    func jsonBody(_ request: HTTPRequest) throws(SCIMError) -> JSONValue {
        if let contentType = request.headers["Content-Type"], !SCIMMediaType.isJSON(contentType) {
            throw SCIMError(
                status: 415,
                detail: "Content-Type '\(contentType)' is not supported; send application/scim+json or application/json"
            )
        }
        guard !request.body.isEmpty else {
            throw SCIMError.invalidSyntax("the request has no body; send a JSON object")
        }
        do {
            return try JSONValue.parse(bytes: request.body)
        } catch {
            throw SCIMError.invalidSyntax(
                "the request body is not valid JSON: \(error.reason) at line \(error.line), column \(error.column)")
        }
    }

    static func now() -> Double {
        Date().timeIntervalSince1970
    }
}

/// Per-request values the handlers share.
struct RequestContext {
    let request: HTTPRequest
    let baseURL: String
}
