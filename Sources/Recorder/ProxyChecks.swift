import HTTP
import SCIM
import Transcript

/// Checks that keep the proxy from forwarding a request it must not send, and that keep every
/// journaled exchange readable, because the proxy records only what a transcript can store.
enum ProxyChecks {
    /// Returns why a request is rejected before it is forwarded, or `nil`.
    ///
    /// The target is appended to the upstream origin, so a target that is not a path could name
    /// another host. `@evil.example/Users` turns the origin into user information, and the
    /// client's bearer token would go to evil.example. So only origin-form targets (RFC 9112
    /// section 3.2.1) are forwarded. Header fields that RFC 9110 section 5.5 and RFC 9112
    /// section 5.1 make invalid, such as a name with a space or a value with a control character,
    /// are rejected too, because a transcript cannot store them.
    ///
    /// libmicrohttpd joins a folded header line (obs-fold, RFC 9112 section 5.2) to the field's
    /// name: `Authorization: Bearer` followed by a line `\tTOKEN` arrives as a field named
    /// `AuthorizationTOKEN`. A name that starts with a redacted header's name and goes on is
    /// rejected, and the message does not repeat it, because it may carry the credential.
    ///
    /// A header name that contains the credential of a listed header (a folded line after another
    /// field) is rejected too, because names are not redacted.
    static func rejection(of request: HTTPRequest, policy: SecretPolicy, sent: [String]) -> String? {
        guard request.target.hasPrefix("/") else {
            // The message goes to the log, so credentials in the target are replaced first.
            let redactedTarget = SecretScan.redactCredentials(inPath: request.target)
            return "the request target \(JSONValue.string(redactedTarget).serialized()) is not a path starting with '/'"
        }
        for field in request.headers {
            if let listed = policy.headerNames.listedPrefix(of: field.name) {
                return
                    "a header field name starts with \(listed) and goes on, as libmicrohttpd writes a folded header line (obs-fold, RFC 9112 section 5.2). The name is not shown because it may contain a credential"
            }
        }
        if policy.headerNameContainsSentCredential(request.headers, sent: sent) {
            return "a header field name contains the credential of a redacted header"
        }
        return headerProblem(in: request.headers, kind: "request")
    }

    /// Returns why an upstream response is invalid, or `nil`. RFC 9110 section 15 makes status
    /// codes outside 100...599 invalid, and header fields are checked as in `rejection(of:)`. A
    /// header name that contains the client's credential is invalid too, because names are not redacted.
    static func problem(in response: HTTPResponse, policy: SecretPolicy, sent: [String]) -> String? {
        guard Exchange.statusCodes.contains(response.status.code) else {
            return "status \(response.status.code) is not between 100 and 599"
        }
        if policy.headerNameContainsSentCredential(response.headers, sent: sent) {
            return "a response header field name contains the client's credential"
        }
        return headerProblem(in: response.headers, kind: "response")
    }

    private static func headerProblem(in headers: HTTPHeaders, kind: String) -> String? {
        for field in headers {
            if let problem = Exchange.problem(inHeaderName: field.name) {
                return "\(kind) header field \(problem)"
            }
            if let problem = Exchange.problem(inHeaderValue: field.value) {
                return "\(kind) header field \(field.name): \(problem)"
            }
        }
        return nil
    }

    /// Connection memory, in bytes, that a request must leave for the response's header block beyond
    /// the proxy's own 502 or 504, for the upstream's fields. 1 KiB is a choice, not a measurement.
    static let upstreamHeaderRoom = 1024

    /// Returns why a request is rejected with 431 instead of being forwarded, or `nil`. After
    /// forwarding, the proxy must still be able to respond: with the upstream's response, or with a
    /// 502 or 504. A request whose header block leaves less connection memory than that 502 or 504
    /// needs with `upstreamHeaderRoom` to spare would reach the upstream, which may act on it, and
    /// the client would get a 500 or a closed connection.
    static func headerRoomProblem(in request: HTTPRequest, connectionMemoryLimit: Int) -> String? {
        let left = HTTPServerConfiguration.responseMemory(leftBy: request, connectionMemoryLimit: connectionMemoryLimit)
        let needed = errorHeaderBlockSize + upstreamHeaderRoom
        guard left < needed else {
            return nil
        }
        return
            "the request's header block (\(request.headerBlockSize) bytes in \(request.headers.fields.count) fields) leaves \(max(0, left)) bytes of the connection's \(connectionMemoryLimit) for the response's header block, and the proxy needs \(needed)"
    }

    /// The larger header block of the proxy's own 502 and 504, computed once instead of per request.
    private static let errorHeaderBlockSize =
        [HTTPStatus.badGateway, .gatewayTimeout].map { errorResponse($0, detail: "").headerBlockSize }.max() ?? 0

    /// Returns a response with an RFC 7644 section 3.12 error body, because the client is a SCIM client.
    static func errorResponse(_ status: HTTPStatus, detail: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "\(SCIMMediaType.scimJSON); charset=utf-8")],
            body: SCIMError(status: status.code, detail: detail).json.serializedBytes())
    }
}
