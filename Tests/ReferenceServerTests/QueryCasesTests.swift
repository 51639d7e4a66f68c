import HTTP
import ReferenceServer
import SCIM
import Testing

/// Filters, list responses and error bodies.
@Suite struct QueryCases {
    @Test(arguments: [
        #"userName eq "ALICE@example.com""#,
        #"userName eq "alice@EXAMPLE.COM""#,
        #"USERNAME EQ "alice@example.com""#,
        #"UserName Eq "Alice@Example.Com""#,
        #"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ALICE@example.com""#,
        #"emails[type eq "work"].value eq "ALICE@EXAMPLE.COM""#,
        #"emails.value eq "Alice@Example.com""#,
    ])
    func userNameAndEmailFiltersIgnoreCase(filter: String) throws {
        let harness = try Harness()
        let id = try harness.createUser("alice@example.com")
        _ = try harness.createUser("bob@example.com", externalId: "b")

        let reply = try harness.filter(filter)

        #expect(reply.status == 200)
        #expect(reply.object["totalResults"] == 1)
        #expect(reply.object["Resources"]?.arrayValue?.first?["id"] == .string(id))
    }

    @Test func externalIdFilterIsCaseExact() throws {
        let harness = try Harness()
        let externalId = "00000000-0000-0000-0000-0000000000a1"
        let id = try harness.createUser(externalId: externalId)

        let exact = try harness.filter(#"externalId eq "\#(externalId)""#)
        let otherCase = try harness.filter(
            #"externalId eq "\#(externalId.uppercased().replacingOccurrences(of: "A1", with: "A1"))""#)
        let upper = try harness.filter(#"externalId eq "00000000-0000-0000-0000-0000000000A1""#)

        #expect(exact.object["totalResults"] == 1)
        #expect(exact.object["Resources"]?.arrayValue?.first?["id"] == .string(id))
        #expect(otherCase.status == 200)
        #expect(upper.status == 200)
        #expect(upper.object["totalResults"] == 0)
    }

    @Test(arguments: [
        #"nosuch eq "x""#, #"userName eq"#, #"userName xx "a""#, #"(userName eq "a""#, #"userName eq unquoted"#,
        #"active gt true"#, #"emails[type eq "work""#, "",
    ])
    func unsupportedFilterIsInvalidFilter(filter: String) throws {
        let harness = try Harness()
        _ = try harness.createUser()

        let reply = try harness.send(.get, "/Users?filter=\(RequestTarget.encodeQueryValue(filter))")

        if filter.isEmpty {
            #expect(reply.status == 200, "an empty filter lists everything")
        } else {
            expectSCIMError(reply, status: 400, scimType: "invalidFilter")
        }
    }

    @Test func filterWithEscapesAndLogic() throws {
        let harness = try Harness()
        let quoted = try harness.createUser(#"o"brien@example.com"#, externalId: "q")
        let plain = try harness.createUser("plain@example.com", externalId: "p")

        let escaped = try harness.filter(#"userName eq "o\"brien@example.com""#)
        let either = try harness.filter(#"(userName eq "plain@example.com" or externalId eq "q") and active eq true"#)
        let negated = try harness.filter(#"not (userName sw "plain") and userName pr"#)

        #expect(escaped.object["Resources"]?.arrayValue?.map { $0["id"] } == [.string(quoted)])
        #expect(either.object["totalResults"] == 2)
        #expect(negated.object["Resources"]?.arrayValue?.map { $0["id"] } == [.string(quoted)])
        _ = plain
    }

    @Test func noMatchIsEmptyListResponse() throws {
        let harness = try Harness()

        let users = try harness.filter(#"userName eq "nobody-7f3c@example.com""#)
        let groups = try harness.filter(
            #"displayName eq "nogroup""#, resource: "/Groups", extra: "excludedAttributes=members&")

        for reply in [users, groups] {
            #expect(reply.status == 200)
            #expect(reply.headers["Content-Type"]?.hasPrefix("application/scim+json") == true)
            #expect(
                reply.json
                    == [
                        "schemas": [.string(SCIMURN.listResponse)], "totalResults": 0, "Resources": [], "startIndex": 1,
                        "itemsPerPage": 0,
                    ])
        }
    }

    @Test func paginationIsOneBased() throws {
        let harness = try Harness()
        for index in 0..<5 {
            _ = try harness.createUser("user\(index)@example.com", externalId: "e\(index)")
        }

        let second = try harness.send(.get, "/Users?startIndex=2&count=2")
        let zero = try harness.send(.get, "/Users?count=0")
        let beyond = try harness.send(.get, "/Users?startIndex=99")
        let below = try harness.send(.get, "/Users?startIndex=-3&count=1")

        #expect(second.object["totalResults"] == 5)
        #expect(second.object["startIndex"] == 2)
        #expect(
            second.object["Resources"]?.arrayValue?.map { $0["userName"] } == [
                "user1@example.com", "user2@example.com",
            ])
        #expect(zero.object["totalResults"] == 5)
        #expect(zero.object["itemsPerPage"] == 0)
        #expect(beyond.object["Resources"] == [])
        #expect(below.object["startIndex"] == 1)
        #expect(below.object["itemsPerPage"] == 1)
    }

    @Test func unknownIdIs404WithErrorBody() throws {
        let harness = try Harness()

        let get = try harness.send(.get, "/Users/u-9999")
        let delete = try harness.send(.delete, "/Users/u-9999")
        let patch = try harness.patch("u-9999", [patchOperation("replace", path: "displayName", value: "x")])
        let route = try harness.send(.get, "/Nothing")

        for reply in [get, delete, patch, route] {
            expectSCIMError(reply, status: 404)
        }
    }

    @Test(arguments: [
        "application/scim+json; charset=utf-8", "application/scim+json", "application/json",
        "APPLICATION/JSON; charset=UTF-8",
    ])
    func postAcceptsSCIMAndJSONMediaTypes(contentType: String) throws {
        let harness = try Harness()
        let body: JSONValue = ["schemas": [.string(SCIMURN.user)], "userName": "alice@example.com"]

        let reply = try harness.send(.post, "/Users", json: body, contentType: contentType)

        #expect(reply.status == 201)
        #expect(reply.headers["Content-Type"]?.hasPrefix("application/scim+json") == true)
        let id = try #require(reply.object["id"]?.stringValue)
        #expect(reply.headers["Location"]?.hasSuffix("/scim/v2/Users/\(id)") == true)
        #expect(reply.object["meta"]?["location"]?.stringValue == reply.headers["Location"])
    }

    @Test func otherMediaTypeIs415() throws {
        let harness = try Harness()

        let reply = try harness.send(.post, "/Users", json: ["userName": "a"], contentType: "text/plain")

        expectSCIMError(reply, status: 415)
    }

    @Test func malformedJSONIsInvalidSyntax() throws {
        let harness = try Harness()
        let request = HTTPRequest(
            method: .post, target: "/scim/v2/Users", headers: [("Content-Type", "application/scim+json")],
            body: Array(#"{"userName": "#.utf8))

        let response = try harness.client.send(request, url: harness.server.origin + request.target)

        #expect(response.status.code == 400)
        #expect(try JSONValue.parse(bytes: response.body)["scimType"] == "invalidSyntax")
    }

    @Test func tokenIsRequiredWhenSet() throws {
        let harness = try Harness(token: "s3cret-token")

        let missing = try harness.send(.get, "/Users", authorize: false)
        let wrong = try harness.send(.get, "/Users", headers: [("Authorization", "Bearer nope")], authorize: false)
        let right = try harness.send(.get, "/Users")
        let admin = try harness.send(.get, "/_scimtape/state", authorize: false)

        expectSCIMError(missing, status: 401)
        expectSCIMError(wrong, status: 401)
        #expect(missing.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
        #expect(!wrong.text.contains("s3cret-token"))
        #expect(right.status == 200)
        expectSCIMError(admin, status: 401)
    }

    @Test func discoveryEndpointsDescribeTheTemplate() throws {
        let harness = try Harness()

        let config = try harness.send(.get, "/ServiceProviderConfig")
        let types = try harness.send(.get, "/ResourceTypes")
        let teammate = try harness.send(.get, "/Schemas/\(SCIMURN.frontTeammate)")

        #expect(config.object["patch"]?["supported"] == true)
        #expect(types.object["totalResults"] == 2)
        let template = teammate.object["attributes"]?.arrayValue?.first
        #expect(template?["name"] == "template")
        #expect(template?["mutability"] == "immutable")
    }
}
