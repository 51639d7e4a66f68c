import HTTP
import SCIM

/// The checks that keep the proxy from forwarding a request it must not send.
enum ProxyChecks {
    /// Returns why a request is rejected before it is forwarded, or `nil`.
    ///
    /// The target is appended to the upstream origin, so a target that is not a path could name
    /// another host. `@evil.example/Users` turns the origin into user information, and the
    /// client's bearer token would go to evil.example. So only origin-form targets (RFC 9112
    /// section 3.2.1) are forwarded.
    static func rejection(of request: HTTPRequest) -> String? {
        guard request.target.hasPrefix("/") else {
            return
                "the request target \(JSONValue.string(request.target).serialized()) is not a path starting with '/'"
        }
        return nil
    }

    /// Returns a response with an RFC 7644 section 3.12 error body, because the client is a SCIM client.
    static func errorResponse(_ status: HTTPStatus, detail: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "\(SCIMMediaType.scimJSON); charset=utf-8")],
            body: SCIMError(status: status.code, detail: detail).json.serializedBytes())
    }
}
