import HTTP
import SCIM
import Testing
import Transcript

@Suite struct PersonalDataPseudonyms {
    static let user: JSONValue = [
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "userName": "Alice.Smith@Contoso.com",
        "externalId": "alice.smith",
        "displayName": "Alice Smith",
        "name": ["givenName": "Alice", "familyName": "Smith"],
        "emails": [["value": "alice.smith@contoso.com", "type": "work", "primary": true]],
        "phoneNumbers": [["value": "+44 20 7946 0000", "type": "work"]],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": [
            "manager": ["value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "Bob Jones"]
        ],
        "meta": [
            "resourceType": "User",
            "location": "https://scim.example.com/scim/v2/Users/0f8fad5b-d9cb-469f-a165-70867728950e",
        ],
    ]

    private func makeTranscript() throws -> Transcript {
        let patch: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                ["op": "replace", "path": "emails[type eq \"work\"].value", "value": "alice.smith@contoso.com"],
                ["op": "replace", "value": ["name.givenName": "Alice", "displayName": "Alice Smith"]],
                ["op": "Remove", "path": "emails[value eq \"alice.smith@contoso.com\"]"],
            ],
        ]
        let error: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "409", "scimType": "uniqueness",
            "detail": "userName alice.smith@contoso.com is already taken by Alice Smith",
        ]
        return Transcript(
            name: "pseudonyms", description: "Alice.Smith@Contoso.com is created and updated.",
            source: Transcript.Source(kind: .proxied),
            preconditions: [.deletedTeammate(email: "bob.jones@contoso.com")],
            exchanges: [
                Exchange(
                    request: Exchange.Request(
                        method: "GET", path: "/Users?filter=userName+eq+%22alice.smith%40contoso.com%22"),
                    response: Exchange.Response(status: 200, body: .json(["totalResults": 0, "Resources": []]))),
                Exchange(
                    request: Exchange.Request(method: "POST", path: "/Users", body: .json(Self.user)),
                    response: Exchange.Response(
                        status: 201,
                        headers: [("Location", "https://scim.example.com/scim/v2/Users/Alice.Smith%40Contoso.com")],
                        body: .json(Self.user))),
                Exchange(
                    request: Exchange.Request(
                        method: "PATCH", path: "/Users/Alice.Smith@Contoso.com", body: .json(patch)),
                    response: Exchange.Response(status: 409, body: .json(error))),
            ])
    }

    /// A filter whose spaces were sent as `%20` keeps `%20`, so that an endpoint that reads `+`
    /// literally responds to the redacted request as it responded to the original.
    @Test(arguments: [
        ("userName%20eq%20%22dana.kim%40contoso.com%22", "%20"), ("userName+eq+%22dana.kim%40contoso.com%22", "+"),
    ])
    func filterKeepsSpaceEncoding(query: String, space: String) throws {
        let transcript = Transcript(
            name: "space", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: [
                Exchange(
                    request: Exchange.Request(method: "GET", path: "/Users?filter=" + query),
                    response: Exchange.Response(status: 200, body: .json(["totalResults": 0, "Resources": []])))
            ])

        let (redacted, table) = PersonalDataRedaction.redact(transcript)

        let email = try #require(table.entries.first { $0.original == "dana.kim@contoso.com" }?.pseudonym)
        let expected = ["userName", "eq", "%22\(RequestTarget.encodeQueryValue(email))%22"].joined(separator: space)
        #expect(redacted.exchanges.first?.request.path == "/Users?filter=" + expected)
    }

    @Test func sameValueGetsSamePseudonymEverywhere() throws {
        let (redacted, table) = PersonalDataRedaction.redact(try makeTranscript())

        let text = redacted.json.serialized()
        for original in ["alice", "Alice", "Smith", "contoso", "Contoso", "Bob Jones", "7946", "bob.jones"] {
            #expect(!text.contains(original), "\(original) is still in the transcript")
        }
        let email = try #require(table.entries.first { $0.original == "alice.smith@contoso.com" }?.pseudonym)
        #expect(email.hasSuffix(".example"))
        let exchanges = redacted.exchanges
        #expect(exchanges[0].request.path == "/Users?filter=userName+eq+%22\(RequestTarget.encodeQueryValue(email))%22")
        #expect(exchanges[1].request.body.json?["emails"]?.arrayValue?.first?["value"] == .string(email))
        let operations = exchanges[2].request.body.json?["Operations"]?.arrayValue ?? []
        #expect(operations[0]["value"] == .string(email))
        #expect(operations[2]["path"] == .string("emails[value eq \"\(email)\"]"))
        #expect(exchanges[2].response.body.json?["detail"]?.stringValue?.contains(email) == true)
        #expect(redacted.preconditions.first?.summary.contains("bob.jones") == false)
    }

    @Test func caseVariantsStayDistinctButEqualIgnoringCase() throws {
        let (redacted, _) = PersonalDataRedaction.redact(try makeTranscript())

        let created = try #require(redacted.exchanges[1].request.body.json)
        let userName = try #require(created["userName"]?.stringValue)
        let email = try #require(created["emails"]?.arrayValue?.first?["value"]?.stringValue)
        #expect(userName != email)
        #expect(userName.lowercased() == email.lowercased())
        let segment = String(redacted.exchanges[2].request.path.split(separator: "/").last ?? "")
        #expect(RequestTarget.percentDecode(segment) == userName)
        #expect(
            redacted.exchanges[1].response.headers["Location"]?.hasSuffix(
                "/Users/\(RequestTarget.encodePathSegment(userName))") == true)
    }

    @Test func endpointHostsGetNeutralNames() throws {
        let resource: JSONValue = [
            "id": "1", "meta": ["location": "https://scim.acme-corp.com/scim/v2/Users/1"],
            "manager": ["$ref": "https://user:secret@scim.acme-corp.com:8443/scim/v2/Users/2"],
        ]
        let error: JSONValue = [
            "detail":
                "see https://SCIM.acme-corp.com/scim/v2/Users/1, not http://scim.acme-corp.com.other.example/Users"
        ]
        let transcript = Transcript(
            name: "hosts", description: "Recorded against https://scim.acme-corp.com/scim/v2.",
            source: Transcript.Source(kind: .proxied),
            exchanges: [
                Exchange(
                    request: Exchange.Request(
                        method: "POST", path: "/Users", headers: [("Host", "scim.acme-corp.com")]),
                    response: Exchange.Response(
                        status: 201, headers: [("Location", "https://scim.acme-corp.com/scim/v2/Users/1")],
                        body: .json(resource))),
                Exchange(
                    request: Exchange.Request(method: "GET", path: "/Users/1"),
                    response: Exchange.Response(status: 400, body: .json(error))),
            ])

        let (redacted, table) = PersonalDataRedaction.redact(transcript)

        let created = redacted.exchanges[0]
        #expect(created.request.headers["Host"] == "scim.example.invalid")
        #expect(created.response.headers["Location"] == "https://scim.example.invalid/scim/v2/Users/1")
        #expect(created.response.body.json?["meta"]?["location"] == "https://scim.example.invalid/scim/v2/Users/1")
        #expect(
            created.response.body.json?["manager"]?["$ref"] == "https://scim2.example.invalid/scim/v2/Users/2")
        #expect(
            redacted.exchanges[1].response.body.json?["detail"]
                == "see https://scim.example.invalid/scim/v2/Users/1, not http://scim.acme-corp.com.other.example/Users"
        )
        #expect(redacted.description == "Recorded against https://scim.example.invalid/scim/v2.")
        #expect(table.entries.map(\.original).contains("scim.acme-corp.com:8443"))
        #expect(!redacted.json.serialized().contains("secret"))
    }

    @Test func protocolStringsAndIdsAreUntouched() throws {
        let (redacted, _) = PersonalDataRedaction.redact(try makeTranscript())

        let created = try #require(redacted.exchanges[1].request.body.json)
        #expect(created["schemas"] == Self.user["schemas"])
        #expect(created["id"] == Self.user["id"])
        #expect(created["emails"]?.arrayValue?.first?["type"] == "work")
        #expect(
            created["meta"]?["location"]
                == "https://scim.example.invalid/scim/v2/Users/0f8fad5b-d9cb-469f-a165-70867728950e")
        let manager = created["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]?["manager"]
        #expect(manager?["value"] == "26118915-6090-4610-87e4-49d8ca9f808d")
        #expect(manager?["displayName"] != "Bob Jones")
        let operations = redacted.exchanges[2].request.body.json?["Operations"]?.arrayValue ?? []
        #expect(operations.map { $0["op"] } == ["replace", "replace", "Remove"])
        #expect(redacted.exchanges[2].response.body.json?["scimType"] == "uniqueness")
    }

    @Test func pathlessPatchKeysAreRedacted() throws {
        let (redacted, _) = PersonalDataRedaction.redact(try makeTranscript())

        let value = redacted.exchanges[2].request.body.json?["Operations"]?.arrayValue?[1]["value"]
        #expect(value?["name.givenName"] != "Alice")
        #expect(value?["displayName"] != "Alice Smith")
        #expect(value?["name.givenName"] == redacted.exchanges[1].request.body.json?["name"]?["givenName"])
    }

    @Test func headerValuesGetSamePseudonyms() throws {
        let transcript = Transcript(
            name: "headers", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: [
                Exchange(
                    request: Exchange.Request(
                        method: "POST", path: "/Users",
                        headers: [
                            ("X-Requested-For", "ann.lee@x.example"), ("X-Note", "created for Ann Lee by hand"),
                            ("Referer", "https://scim.example.com/scim/v2/Users/ann.lee@x.example"),
                        ],
                        body: .json(["userName": "ann.lee@x.example", "displayName": "Ann Lee"])),
                    response: Exchange.Response(
                        status: 201, headers: [("X-Owner", "Ann Lee"), ("Warning", "199 - \"ANN.LEE@X.EXAMPLE\"")]))
            ])

        let (redacted, _) = PersonalDataRedaction.redact(transcript)

        let exchange = try #require(redacted.exchanges.first)
        let userName = try #require(exchange.request.body.json?["userName"]?.stringValue)
        let displayName = try #require(exchange.request.body.json?["displayName"]?.stringValue)
        #expect(userName != "ann.lee@x.example")
        #expect(exchange.request.headers["X-Requested-For"] == userName)
        #expect(exchange.request.headers["X-Note"] == "created for \(displayName) by hand")
        #expect(
            exchange.request.headers["Referer"]
                == "https://scim.example.invalid/scim/v2/Users/\(RequestTarget.encodePathSegment(userName))")
        #expect(exchange.response.headers["X-Owner"] == displayName)
        #expect(exchange.response.headers["Warning"] == "199 - \"\(userName.uppercased())\"")
        #expect(!redacted.json.serialized().lowercased().contains("ann"))
    }

    private func headers(_ fields: [(String, String)]) -> HTTPHeaders {
        HTTPHeaders(fields.map { HTTPHeaders.Field(name: $0.0, value: $0.1) })
    }

    /// Media types, versions, dates and credentials stay, because replay sends the request headers
    /// again and compares versions, even when people are named like words in them.
    @Test func structuralHeadersStay() throws {
        let person: JSONValue = [
            "userName": "json", "name": ["givenName": "Jan", "familyName": "Bearer"], "nickName": "close",
            "externalId": "abc123", "displayName": "gzip",
        ]
        let structural: [(String, String)] = [
            ("Content-Type", "application/scim+json; charset=utf-8"), ("Accept", "application/scim+json"),
            ("Accept-Encoding", "gzip"), ("Authorization", "Bearer [redacted]"), ("Connection", "close"),
            ("If-Match", "W/\"abc123\""), ("Date", "Mon, 05 Jan 2026 10:00:00 GMT"), ("Content-Length", "123"),
        ]
        let transcript = Transcript(
            name: "structural headers", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: [
                Exchange(
                    request: Exchange.Request(
                        method: "PUT", path: "/Users/1", headers: headers(structural + [("X-Trace", "Jan json")]),
                        body: .json(person)),
                    response: Exchange.Response(
                        status: 200, headers: headers(structural + [("ETag", "W/\"abc123\"")]), body: .json(person)))
            ])

        let (redacted, _) = PersonalDataRedaction.redact(transcript)

        let exchange = try #require(redacted.exchanges.first)
        #expect(exchange.request.headers["X-Trace"] != "Jan json")
        for (name, value) in structural {
            #expect(exchange.request.headers[name] == value, "request header \(name)")
            #expect(exchange.response.headers[name] == value, "response header \(name)")
        }
        #expect(exchange.response.headers["ETag"] == "W/\"abc123\"")
    }

    @Test func invalidFilterKeepsItsShape() {
        let transcript = Transcript(
            name: "broken", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: [
                Exchange(
                    request: Exchange.Request(
                        method: "POST", path: "/Users", body: .json(["userName": "carol@x.example"])),
                    response: Exchange.Response(status: 201)),
                Exchange(
                    request: Exchange.Request(
                        method: "GET", path: "/Users?filter=userName+eq+%22carol%40x.example%22+and+(bogus"),
                    response: Exchange.Response(status: 400)),
            ])

        let (redacted, _) = PersonalDataRedaction.redact(transcript)

        let filter = RequestTarget.queryItems(RequestTarget.split(redacted.exchanges[1].request.path).query ?? "")
        #expect(filter.first?.value.hasSuffix("\" and (bogus") == true)
        #expect(filter.first?.value.contains("carol") == false)
    }
}

@Suite struct TranscriptRendering {
    private let transcript = Transcript(
        name: "render", description: "Rendering under test.",
        source: Transcript.Source(kind: .proxied, tool: "scimtape 0.1.0"),
        exchanges: [
            Exchange(
                description: "Looks the user up",
                request: Exchange.Request(
                    method: "GET", path: "/Users?filter=userName+eq+%22a%3Bb%23c%40d.example%22",
                    headers: [("Accept", "application/scim+json")]),
                response: Exchange.Response(status: 200, body: .json(["totalResults": 0, "note": "```fenced```"]))),
            Exchange(
                request: Exchange.Request(method: "DELETE", path: "/Users/u1"),
                response: Exchange.Response(status: 204)),
        ])

    @Test func textShowsRequestsAndResponses() {
        let text = TranscriptTextRendering.render(transcript)

        #expect(text.contains("[1] GET /Users?filter=userName eq \"a;b#c@d.example\" -> 200 OK"))
        #expect(text.contains("    > Accept: application/scim+json"))
        #expect(text.contains("    < {\"totalResults\": 0, \"note\": \"```fenced```\"}"))
        #expect(text.contains("[2] DELETE /Users/u1 -> 204 No Content"))
    }

    @Test func markdownHasDiagramAndCollapsedBodies() {
        let markdown = TranscriptMarkdownRendering.render(transcript)

        #expect(markdown.contains("```mermaid\nsequenceDiagram\n    autonumber"))
        #expect(markdown.contains("    C->>E: GET /Users?filter=userName eq \"a#59;b#35;c@d.example\""))
        #expect(markdown.contains("    E-->>C: 200 OK, totalResults 0"))
        #expect(markdown.contains("    E-->>C: 204 No Content"))
        #expect(markdown.contains("<details><summary>Response: JSON body"))
        #expect(markdown.contains("````json"))
        #expect(markdown.contains("</details>"))
    }
}

/// People and groups named like endpoints, resource types, attributes and operations: their
/// values get pseudonyms, and the protocol names they spell stay, so the transcript still replays.
@Suite struct ProtocolNamesInRedaction {
    static let userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
    static let groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
    static let groupId = "5f0e8a3c-2b1d-4c6e-9f7a-1d2c3b4a5e6f"
    static let names = [
        "Users", "Groups", "Me", "Schemas", "ResourceTypes", "ServiceProviderConfig", "Bulk", ".search", "User",
        "Group", "active", "members", "userName", "replace", "work",
    ]

    /// Returns an exchange that creates a group named `name`.
    private func createGroup(_ name: String) -> Exchange {
        Exchange(
            request: Exchange.Request(
                method: "POST", path: "/Groups",
                body: .json(["schemas": [.string(Self.groupSchema)], "displayName": .string(name)])),
            response: Exchange.Response(status: 201))
    }

    /// Returns the pseudonym that the created user's userName got.
    private func userNamePseudonym(_ redacted: Transcript) -> String? {
        redacted.exchanges[0].request.body.json?["userName"]?.stringValue
    }

    /// Returns the pseudonym that the group created with `name` got.
    private func groupPseudonym(_ redacted: Transcript, _ name: String) -> String? {
        guard let index = Self.names.firstIndex(of: name) else {
            return nil
        }
        return redacted.exchanges[index + 1].request.body.json?["displayName"]?.stringValue
    }

    private func redact(_ exchanges: [Exchange]) -> (transcript: Transcript, table: PseudonymTable) {
        let created = [
            Exchange(
                request: Exchange.Request(
                    method: "POST", path: "/Users",
                    body: .json(["schemas": [.string(Self.userSchema)], "userName": "users"])),
                response: Exchange.Response(status: 201))
        ]
        let transcript = Transcript(
            name: "protocol names", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: created + Self.names.map(createGroup) + exchanges)
        return PersonalDataRedaction.redact(transcript)
    }

    @Test func endpointPathSegmentsStay() throws {
        let paths = [
            "/Users", "/users", "/Users/0f8fad5b-d9cb-469f-a165-70867728950e", "/Groups/\(Self.groupId)", "/Me",
            "/Schemas", "/Schemas/\(Self.userSchema)", "/ResourceTypes", "/ResourceTypes/User", "/ResourceTypes/Group",
            "/ServiceProviderConfig", "/Bulk", "/Users/.search", "/.search", "/GROUPS", "/Users?attributes=userName",
        ]
        let exchanges = paths.map {
            Exchange(request: Exchange.Request(method: "GET", path: $0), response: Exchange.Response(status: 200))
        }

        let (redacted, _) = redact(exchanges)

        for name in Self.names {
            #expect(groupPseudonym(redacted, name) != name, "the group \(name) kept its name")
        }
        let redactedPaths = redacted.exchanges.suffix(paths.count).map(\.request.path)
        for (original, path) in zip(paths, redactedPaths) {
            #expect(path == original)
        }
    }

    @Test func filterLiteralStillReplaced() throws {
        let exchanges = [
            Exchange(
                request: Exchange.Request(method: "GET", path: "/Groups?filter=displayName+eq+%22Users%22"),
                response: Exchange.Response(status: 200)),
            Exchange(
                request: Exchange.Request(method: "GET", path: "/Users?filter=userName+eq+%22users%22"),
                response: Exchange.Response(status: 200)),
        ]

        let (redacted, _) = redact(exchanges)

        let groupName = try #require(groupPseudonym(redacted, "Users"))
        let userName = try #require(userNamePseudonym(redacted))
        let groupFilter = redacted.exchanges[redacted.exchanges.count - 2].request.path
        let userFilter = redacted.exchanges[redacted.exchanges.count - 1].request.path
        #expect(groupName != "Users")
        #expect(groupFilter == "/Groups?filter=displayName+eq+%22\(RequestTarget.encodeQueryValue(groupName))%22")
        #expect(userFilter == "/Users?filter=userName+eq+%22\(RequestTarget.encodeQueryValue(userName))%22")
    }

    /// An endpoint that uses the userName as its id puts it after `/Users/`, so that segment
    /// changes as the `id` member and the `Location` header do, even when it spells `users`.
    @Test func idSegmentNamedUsersReplaced() throws {
        let location = "https://scim.example.com/scim/v2/Users/users"
        let exchanges = [
            Exchange(
                request: Exchange.Request(method: "GET", path: "/Users/users"),
                response: Exchange.Response(
                    status: 200, headers: [("Location", location)],
                    body: .json(["id": "users", "userName": "users", "meta": ["location": .string(location)]])))
        ]

        let (redacted, _) = redact(exchanges)

        let pseudonym = try #require(userNamePseudonym(redacted))
        let read = try #require(redacted.exchanges.last)
        let expectedLocation = "https://scim.example.invalid/scim/v2/Users/\(pseudonym)"
        #expect(read.request.path == "/Users/\(pseudonym)")
        #expect(read.response.body.json?["id"] == .string(pseudonym))
        #expect(read.response.headers["Location"] == expectedLocation)
        #expect(read.response.body.json?["meta"]?["location"] == .string(expectedLocation))
    }

    @Test func structuralBodyValuesStay() throws {
        let patch: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                ["op": "replace", "path": "active", "value": false],
                ["op": "replace", "path": "userName", "value": "users"],
                ["op": "add", "path": "members", "value": [["value": .string(Self.groupId), "type": "Group"]]],
                ["op": "remove", "path": .string("members[value eq \"\(Self.groupId)\"]")],
                ["op": "replace", "path": "emails[type eq \"work\"].value", "value": "a@work.example"],
            ],
        ]
        let group: JSONValue = [
            "schemas": [.string(Self.groupSchema)], "id": .string(Self.groupId), "displayName": "Group",
            "members": [["value": "0f8fad5b-d9cb-469f-a165-70867728950e", "type": "User", "display": "User"]],
            "meta": ["resourceType": "Group"],
        ]
        let error: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400",
            "detail": "Group members of urn:ietf:params:scim:schemas:core:2.0:Group are invalid",
        ]
        let exchanges = [
            Exchange(
                request: Exchange.Request(method: "PATCH", path: "/Groups/\(Self.groupId)", body: .json(patch)),
                response: Exchange.Response(status: 200, body: .json(group))),
            Exchange(
                request: Exchange.Request(
                    method: "GET",
                    path: "/Users?filter=emails%5Btype+eq+%22work%22%5D+and+meta.resourceType+eq+%22User%22"),
                response: Exchange.Response(status: 400, body: .json(error))),
        ]

        let (redacted, _) = redact(exchanges)

        let patched = try #require(redacted.exchanges[redacted.exchanges.count - 2].request.body.json)
        let operations = try #require(patched["Operations"]?.arrayValue)
        #expect(patched["schemas"] == patch["schemas"])
        #expect(operations.map { $0["op"] } == ["replace", "replace", "add", "remove", "replace"])
        #expect(operations.map { $0["path"] } == patch["Operations"]?.arrayValue?.map { $0["path"] })
        #expect(operations[1]["value"] == userNamePseudonym(redacted).map(JSONValue.string))
        #expect(operations[2]["value"]?.arrayValue?.first?["type"] == "Group")
        let returned = try #require(redacted.exchanges[redacted.exchanges.count - 2].response.body.json)
        #expect(returned["schemas"] == group["schemas"])
        #expect(returned["meta"]?["resourceType"] == "Group")
        #expect(returned["members"]?.arrayValue?.first?["type"] == "User")
        #expect(returned["displayName"] == groupPseudonym(redacted, "Group").map(JSONValue.string))
        #expect(returned["displayName"] != "Group")
        let failed = try #require(redacted.exchanges.last)
        #expect(failed.request.path == exchanges[1].request.path)
        let detail = try #require(failed.response.body.json?["detail"]?.stringValue)
        #expect(detail.hasSuffix(" of urn:ietf:params:scim:schemas:core:2.0:Group are invalid"))
        #expect(!detail.hasPrefix("Group "))
    }

    @Test func discoveryResourcesStay() throws {
        let resourceType: JSONValue = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User",
            "endpoint": "/Users", "schema": .string(Self.userSchema),
            "meta": [
                "resourceType": "ResourceType", "location": "https://scim.example.com/scim/v2/ResourceTypes/User",
            ],
        ]
        let schema: JSONValue = [
            "id": .string(Self.userSchema), "name": "User",
            "attributes": [["name": "userName", "type": "string", "uniqueness": "server", "returned": "default"]],
        ]
        let exchanges = [
            Exchange(
                request: Exchange.Request(method: "GET", path: "/"),
                response: Exchange.Response(status: 200, body: .json(resourceType))),
            Exchange(
                request: Exchange.Request(method: "GET", path: "/Schemas"),
                response: Exchange.Response(
                    status: 200, body: .json(["totalResults": 1, "Resources": [schema]]))),
        ]

        let (redacted, _) = redact(exchanges)

        let listed = redacted.exchanges[redacted.exchanges.count - 2].response.body.json
        var expected = resourceType.objectValue ?? JSONObject()
        expected["meta"] = [
            "resourceType": "ResourceType", "location": "https://scim.example.invalid/scim/v2/ResourceTypes/User",
        ]
        #expect(listed == .object(expected))
        #expect(redacted.exchanges.last?.response.body.json?["Resources"]?.arrayValue?.first == schema)
    }

    /// A bulk operation's `data` is a resource, so its personal attributes are found there too.
    @Test func bulkDataIsRedacted() throws {
        let bulk: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            "Operations": [
                [
                    "method": "POST", "path": "/Users", "bulkId": "b1",
                    "data": ["userName": "only.in.bulk@x.example", "displayName": "Only Inbulk"],
                ]
            ],
        ]
        let exchanges = [
            Exchange(
                request: Exchange.Request(method: "POST", path: "/Bulk", body: .json(bulk)),
                response: Exchange.Response(status: 200))
        ]

        let (redacted, _) = redact(exchanges)

        let operation = try #require(redacted.exchanges.last?.request.body.json?["Operations"]?.arrayValue?.first)
        #expect(operation["data"]?["userName"]?.stringValue?.contains("only.in.bulk") == false)
        #expect(operation["data"]?["displayName"]?.stringValue?.contains("Inbulk") == false)
        #expect(operation["bulkId"] == "b1")
    }

    @Test func bulkPathsAndMethodsStay() throws {
        let bulk: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
            "Operations": [
                ["method": "POST", "path": "/Users", "bulkId": "b1", "data": ["userName": "ann@x.example"]],
                ["method": "DELETE", "path": .string("/Groups/\(Self.groupId)")],
                ["method": "DELETE", "path": "/Users/users"],
            ],
        ]
        let exchanges = [
            Exchange(
                request: Exchange.Request(method: "POST", path: "/Bulk", body: .json(bulk)),
                response: Exchange.Response(status: 200))
        ]

        let (redacted, _) = redact(exchanges)

        let operations = try #require(redacted.exchanges.last?.request.body.json?["Operations"]?.arrayValue)
        let pseudonym = try #require(userNamePseudonym(redacted))
        #expect(operations.map { $0["method"] } == ["POST", "DELETE", "DELETE"])
        #expect(
            operations.map { $0["path"] } == [
                "/Users", .string("/Groups/\(Self.groupId)"), .string("/Users/\(pseudonym)"),
            ])
    }
}

/// Filter literals compared with `co`, `sw` or `ew` are parts of values, not values, so they get
/// no pseudonym of their own.
@Suite struct PartialFilterLiterals {
    static let userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"

    /// Redacts a transcript that creates users with the family names `Fischer` and `Fischbacher`
    /// and then sends `filter` to `/Users`, and returns the redacted filter and table.
    private func redact(filter: String) -> (filter: String, table: PseudonymTable) {
        let users: [JSONValue] = [
            [
                "schemas": [.string(Self.userSchema)], "userName": "dora@fabrikam.example",
                "name": ["givenName": "Dora", "familyName": "Fischer"],
            ],
            [
                "schemas": [.string(Self.userSchema)], "userName": "emil@fabrikam.example",
                "name": ["givenName": "Emil", "familyName": "Fischbacher"],
            ],
        ]
        let created = users.map { user in
            Exchange(
                request: Exchange.Request(method: "POST", path: "/Users", body: .json(user)),
                response: Exchange.Response(status: 201, body: .json(user)))
        }
        let search = Exchange(
            request: Exchange.Request(method: "GET", path: "/Users?filter=" + RequestTarget.encodeFormValue(filter)),
            response: Exchange.Response(status: 200))
        let transcript = Transcript(
            name: "partial", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: created + [search])

        let (redacted, table) = PersonalDataRedaction.redact(transcript)

        let query = RequestTarget.split(redacted.exchanges.last?.request.path ?? "").query ?? ""
        return (RequestTarget.queryItems(query).first?.value ?? "", table)
    }

    /// Returns the pseudonym that `original` got.
    private func pseudonym(_ table: PseudonymTable, _ original: String) -> String? {
        table.entries.first { $0.original == original }?.pseudonym
    }

    @Test(arguments: ["co", "sw", "ew", "CO"])
    func partialLiteralKept(comparison: String) {
        let literal = comparison.lowercased() == "ew" ? "cher" : "Fisch"
        let filter = "name.familyName \(comparison) \"\(literal)\""

        let (redacted, table) = redact(filter: filter)

        #expect(redacted == filter)
        #expect(!table.entries.contains { $0.original == literal })
    }

    @Test func wholeValueLiteralGetsPseudonym() throws {
        let (familyFilter, table) = redact(filter: "name.familyName sw \"Fischer\"")
        let (domainFilter, _) = redact(filter: "userName ew \"fabrikam.example\"")

        let family = try #require(pseudonym(table, "Fischer"))
        let domain = try #require(pseudonym(table, "fabrikam.example"))
        #expect(familyFilter == "name.familyName sw \"\(family)\"")
        #expect(domainFilter == "userName ew \"\(domain)\"")
    }

    @Test func equalityLiteralStillCollected() throws {
        let (filter, table) = redact(filter: "name.familyName eq \"Fisch\" or name.familyName co \"isch\"")

        let equal = try #require(pseudonym(table, "Fisch"))
        #expect(filter == "name.familyName eq \"\(equal)\" or name.familyName co \"isch\"")
        #expect(!table.entries.contains { $0.original == "isch" })
    }

    @Test func singleMatchLiteralGetsPseudonym() throws {
        let (familyFilter, table) = redact(filter: "name.familyName co \"bach\"")
        let (userFilter, _) = redact(filter: "userName sw \"DORA\"")

        let family = try #require(pseudonym(table, "Fischbacher"))
        let userName = try #require(pseudonym(table, "dora@fabrikam.example"))
        #expect(familyFilter == "name.familyName co \"\(family.lowercased())\"")
        #expect(userFilter == "userName sw \"\(userName.uppercased())\"")
        #expect(!table.entries.contains { $0.original == "bach" })
    }
}
