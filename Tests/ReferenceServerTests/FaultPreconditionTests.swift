import HTTP
import ReferenceServer
import SCIM
import Testing

/// The `fault` precondition: chosen requests fail, so transcripts can show Entra's retries.
@Suite struct FaultPreconditions {
    func inject(_ harness: Harness, _ fault: JSONValue) throws -> Harness.Reply {
        var object = fault.objectValue ?? JSONObject()
        object["kind"] = "fault"
        return try harness.send(.post, "/_scimtape/state", json: ["preconditions": [.object(object)]])
    }

    @Test func throttledCreateCarriesRetryAfter() throws {
        let harness = try Harness()
        let setup = try inject(harness, ["method": "POST", "path": "/Users", "status": 429, "retryAfter": 2])

        let throttled = try harness.send(
            .post, "/Users", json: ["schemas": [.string(SCIMURN.user)], "userName": "alice@example.com"])
        let created = try harness.send(
            .post, "/Users", json: ["schemas": [.string(SCIMURN.user)], "userName": "alice@example.com"])

        #expect(setup.status == 200)
        expectSCIMError(throttled, status: 429)
        #expect(throttled.headers["Retry-After"] == "2")
        #expect(created.status == 201, "the fault covers one request")
    }

    @Test func afterAndCountSetTheWindow() throws {
        let harness = try Harness()
        _ = try inject(harness, ["method": "GET", "path": "/Users", "status": 503, "after": 1, "count": 2])

        let statuses = try (0..<4).map { _ in try harness.send(.get, "/Users").status }

        #expect(statuses == [200, 503, 503, 200])
    }

    static let coverage: [(path: String, request: String, covered: Bool)] = [
        ("/Users", "/Users", true),
        ("/Users", "/Users/abc", true),
        ("/Users/", "/Users", false),
        ("/Users/", "/Users/abc", true),
        ("/Users", "/UsersX", false),
        ("/", "/Groups/abc", true),
    ]

    @Test(arguments: coverage)
    func pathCoversItselfAndBelow(path: String, request: String, covered: Bool) {
        let fault = InjectedFault(method: "*", path: path, status: 500)

        #expect(fault.matches(method: "GET", path: request) == covered)
    }

    @Test func methodMustMatchUnlessStar() {
        let post = InjectedFault(method: "post", path: "/Users", status: 500)

        #expect(post.matches(method: "POST", path: "/Users"))
        #expect(!post.matches(method: "GET", path: "/Users"))
    }

    @Test func unauthorizedFaultAsksForBearer() throws {
        let harness = try Harness()
        _ = try inject(harness, ["method": "*", "path": "/", "status": 401, "detail": "the bearer token has expired"])

        let rejected = try harness.send(.get, "/Users")

        let body = expectSCIMError(rejected, status: 401)
        #expect(body["detail"] == "the bearer token has expired")
        #expect(rejected.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
    }

    @Test func resetRemovesFaults() throws {
        let harness = try Harness()
        _ = try inject(harness, ["method": "GET", "path": "/Users", "status": 500, "count": 5])

        let reset = try harness.send(.delete, "/_scimtape/state")
        let list = try harness.send(.get, "/Users")

        #expect(reset.status == 204)
        #expect(list.status == 200)
    }

    @Test func adminRouteIsNeverFaulted() throws {
        let harness = try Harness()
        _ = try inject(harness, ["method": "*", "path": "/", "status": 503, "count": 10])

        let state = try harness.send(.get, "/_scimtape/state")

        #expect(state.status == 200)
    }

    @Test func invalidFaultNamesTheMember() throws {
        let harness = try Harness()

        let reply = try inject(harness, ["method": "GET", "path": "/Users", "status": 200])

        let body = expectSCIMError(reply, status: 400, scimType: "invalidValue")
        #expect(body["detail"]?.stringValue?.contains("preconditions[0].status") == true)
    }

    /// `after + count` must not overflow: such a window is rejected, and the server keeps serving.
    @Test(arguments: [
        #"{"after": 1, "count": 9223372036854775807}"#, #"{"after": 9223372036854775807, "count": 1}"#,
        #"{"retryAfter": 9223372036854775807}"#,
    ])
    func hugeWindowIsRejected(members: String) throws {
        let harness = try Harness()
        var fault = JSONObject()
        fault["method"] = "GET"
        fault["path"] = "/Users"
        fault["status"] = 500
        for (key, value) in try JSONValue.parse(members).objectValue ?? JSONObject() {
            fault[key] = value
        }

        let reply = try inject(harness, .object(fault))
        let first = try harness.send(.get, "/Users")
        let second = try harness.send(.get, "/Users")

        _ = expectSCIMError(reply, status: 400, scimType: "invalidValue")
        #expect(first.status == 200)
        #expect(second.status == 200)
    }
}
