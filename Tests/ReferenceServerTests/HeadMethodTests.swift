import Foundation
import HTTP
import ReferenceServer
import SCIM
import Testing

/// HEAD wherever GET works (RFC 9110 section 9.3.2): the same status and header fields, no body.
@Suite struct HeadMethod {
    /// Checks that HEAD on `path` gets GET's status and header fields, including the
    /// `Content-Length` of GET's body, and no body.
    private func expectHeadMatchesGet(
        _ harness: Harness, _ path: String, status: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let get = try harness.send(.get, path)
        let head = try harness.send(.head, path)

        #expect(get.status == status, "GET \(path): \(get.text)", sourceLocation: sourceLocation)
        #expect(head.status == status, "HEAD \(path)", sourceLocation: sourceLocation)
        #expect(head.text.isEmpty, "HEAD \(path): \(head.text)", sourceLocation: sourceLocation)
        #expect(!get.text.isEmpty, "GET \(path)", sourceLocation: sourceLocation)
        #expect(
            head.headers["Content-Length"] == String(get.text.utf8.count), "HEAD \(path)",
            sourceLocation: sourceLocation)
        for name in ["Content-Type", "ETag", "Location"] {
            #expect(head.headers[name] == get.headers[name], "HEAD \(path): \(name)", sourceLocation: sourceLocation)
        }
    }

    @Test func headOnUserMatchesGet() throws {
        let harness = try Harness(token: "head-token")
        let id = try harness.createUser()

        try expectHeadMatchesGet(harness, "/Users/\(id)", status: 200)
        #expect(try harness.send(.head, "/Users/\(id)").headers["ETag"] != nil)
    }

    @Test func headOnListMatchesGet() throws {
        let harness = try Harness(token: "head-token")
        _ = try harness.createUser()

        try expectHeadMatchesGet(harness, "/Users?count=1", status: 200)
        try expectHeadMatchesGet(harness, "/Groups", status: 200)
    }

    /// `.search` under a resource type takes only POST, so GET and HEAD get 405, not a 404 for an id.
    @Test func searchEndpointAllowsOnlyPost() throws {
        let harness = try Harness(token: "head-token")

        for method in [HTTPMethod.get, .head, .delete] {
            let response = try harness.send(method, "/Users/.search")
            #expect(response.status == 405, "\(method.rawValue)")
            #expect(response.headers["Allow"] == "POST", "\(method.rawValue)")
        }
    }

    @Test func headOnMissingUserIs404() throws {
        let harness = try Harness(token: "head-token")

        try expectHeadMatchesGet(harness, "/Users/00000000-0000-0000-0000-000000000000", status: 404)
    }

    @Test func headOnDiscoveryMatchesGet() throws {
        let harness = try Harness(token: "head-token")

        for path in [
            "/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/User", "/Schemas",
            "/Schemas/\(SCIMURN.user)",
        ] {
            try expectHeadMatchesGet(harness, path, status: 200)
        }
        try expectHeadMatchesGet(harness, "/ResourceTypes/Printer", status: 404)
        try expectHeadMatchesGet(harness, "/_scimtape/state", status: 200)
    }

    @Test func headWithoutTokenIs401() throws {
        let harness = try Harness(token: "head-token")

        let head = try harness.send(.head, "/Users", authorize: false)

        #expect(head.status == 401)
        #expect(head.headers["WWW-Authenticate"] != nil)
        #expect(head.text.isEmpty)
    }

    /// Every `Allow` header that lists GET lists HEAD as well.
    @Test func allowListsHeadWithGet() throws {
        let harness = try Harness(token: "head-token")
        let id = try harness.createUser()
        let cases: [(method: HTTPMethod, path: String, allow: String)] = [
            (.delete, "/Users", "GET, HEAD, POST"),
            (.post, "/Users/\(id)", "GET, HEAD, PUT, PATCH, DELETE"),
            (.post, "/ServiceProviderConfig", "GET, HEAD"),
            (.delete, "/Schemas", "GET, HEAD"),
            (.put, "/_scimtape/state", "GET, HEAD, POST, DELETE"),
        ]

        for (method, path, allow) in cases {
            let reply = try harness.send(method, path)

            #expect(reply.status == 405, "\(method) \(path)")
            #expect(reply.headers["Allow"] == allow, "\(method) \(path)")
        }
    }
}
