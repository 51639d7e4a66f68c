import Foundation
import HTTP
import ReferenceServer
import SCIM
import Testing

/// A reference endpoint on a free loopback port with a JSON client for it.
final class Harness {
    let server: ReferenceServer
    let client = HTTPClient()
    let token: String?

    init(
        profile: ServerProfile = .front, deviations: Set<Deviation> = [], token: String? = nil,
        booleanStrings: BooleanStringPolicy = .anyCase, storePath: String? = nil, idSeed: UInt64? = nil
    ) throws {
        self.token = token
        server = try ReferenceServer(
            configuration: ReferenceServerConfiguration(
                profile: profile, deviations: deviations, token: token, booleanStrings: booleanStrings,
                storePath: storePath, idSeed: idSeed))
        try server.start()
    }

    deinit {
        server.stop()
    }

    struct Reply {
        let status: Int
        let headers: HTTPHeaders
        let json: JSONValue?
        let text: String

        var object: JSONObject {
            json?.objectValue ?? JSONObject()
        }
    }

    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, json body: JSONValue? = nil,
        contentType: String? = "application/scim+json",
        headers extra: HTTPHeaders = [], authorize: Bool = true
    ) throws -> Reply {
        var headers = HTTPHeaders()
        if body != nil, let contentType {
            headers.add(name: "Content-Type", value: contentType)
        }
        if authorize, let token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        for field in extra {
            headers.add(name: field.name, value: field.value)
        }
        let target = path.hasPrefix("/_scimtape") ? path : "/scim/v2" + path
        let request = HTTPRequest(method: method, target: target, headers: headers, body: body?.serializedBytes() ?? [])
        let response = try client.send(request, url: server.origin + target)
        let json = response.body.isEmpty ? nil : try? JSONValue.parse(bytes: response.body)
        return Reply(status: response.status.code, headers: response.headers, json: json, text: response.bodyText)
    }

    /// Sends a filter query, percent-encoding the filter as Entra does.
    func filter(_ filter: String, resource: String = "/Users", extra: String = "") throws -> Reply {
        try send(.get, "\(resource)?\(extra)filter=\(RequestTarget.encodeQueryValue(filter))")
    }

    @discardableResult
    func patch(_ id: String, _ operations: [JSONValue], resource: String = "/Users") throws -> Reply {
        try send(
            .patch, "\(resource)/\(id)",
            json: ["schemas": [.string(SCIMURN.patchOp)], "Operations": .array(operations)])
    }

    /// Creates a user and returns its id.
    func createUser(
        _ userName: String = "alice@example.com", externalId: String = "00000000-0000-0000-0000-0000000000a1",
        extra: [(String, JSONValue)] = []
    ) throws -> String {
        var body: JSONObject = JSONObject([
            ("schemas", [.string(SCIMURN.user)]),
            ("externalId", .string(externalId)),
            ("userName", .string(userName)),
            ("active", true),
            ("displayName", "Alice Example"),
            ("emails", [["value": .string(userName), "type": "work", "primary": true]]),
            ("name", ["givenName": "Alice", "familyName": "Example", "formatted": "Alice Example"]),
        ])
        for (key, value) in extra {
            body[key] = value
        }
        let reply = try send(.post, "/Users", json: .object(body))
        try #require(reply.status == 201, "create failed: \(reply.text)")
        return try #require(reply.object["id"]?.stringValue)
    }
}

func patchOperation(_ op: String, path: String? = nil, value: JSONValue? = nil) -> JSONValue {
    var object = JSONObject([("op", .string(op))])
    if let path {
        object["path"] = .string(path)
    }
    if let value {
        object["value"] = value
    }
    return .object(object)
}

/// Checks the RFC 7644 section 3.12 error shape and returns the body for further checks.
@discardableResult
func expectSCIMError(
    _ reply: Harness.Reply, status: Int, scimType: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
)
    -> JSONObject
{
    #expect(reply.status == status, "body: \(reply.text)", sourceLocation: sourceLocation)
    #expect(reply.headers["Content-Type"]?.hasPrefix("application/scim+json") == true, sourceLocation: sourceLocation)
    let body = reply.object
    #expect(body["schemas"] == [.string(SCIMURN.error)], sourceLocation: sourceLocation)
    #expect(body["status"] == .string(String(status)), sourceLocation: sourceLocation)
    #expect(body["scimType"]?.stringValue == scimType, sourceLocation: sourceLocation)
    #expect(body["detail"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(
        body.count == (scimType == nil ? 3 : 4), "nothing may be wrapped around the error",
        sourceLocation: sourceLocation)
    return body
}
