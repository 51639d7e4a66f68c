import Foundation
import SCIM
import Testing

/// `import`, `export`, `redact` and `show` as a user runs them.
@Suite struct SharingCommandLine {
    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLXRlc3Q"
    static let bearer = "abc123def456ghi789jkl012mno345"

    /// Writes a handwritten transcript with one exchange whose request carries a bearer token and
    /// whose response carries a JWT, as a user might paste them from a client's log.
    private func writeTranscriptWithCredentials(to path: String) throws {
        let transcript: JSONValue = [
            "format": "scimtape.transcript", "version": 1, "name": "credentials",
            "description": "A handwritten transcript with credentials in it.",
            "source": ["kind": "handwritten"],
            "exchanges": [
                [
                    "request": [
                        "method": "GET", "path": "/Users?count=1",
                        "headers": [["name": "Authorization", "value": .string("Bearer \(Self.bearer)")]],
                    ],
                    "response": [
                        "status": 200, "headers": [["name": "Content-Type", "value": "application/scim+json"]],
                        "body": [
                            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0,
                            "Resources": [], "startIndex": 1, "itemsPerPage": 0, "token": .string(Self.jwt),
                        ],
                    ],
                ]
            ],
        ]
        try transcript.serialized(.pretty).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Writes a HAR with one SCIM entry whose request carries `header` and goes to `url`.
    private func writeHAR(
        to path: String, header: (String, String),
        url: String = "https://scim.example.com/scim/v2/Users?count=1"
    ) throws {
        let har: JSONValue = [
            "log": [
                "version": "1.2", "creator": ["name": "test", "version": "1"],
                "entries": [
                    [
                        "startedDateTime": "2026-01-01T10:00:00.000Z",
                        "request": [
                            "method": "GET", "url": .string(url),
                            "headers": [["name": .string(header.0), "value": .string(header.1)]],
                        ],
                        "response": [
                            "status": 200, "headers": [["name": "Content-Type", "value": "application/scim+json"]],
                            "content": [
                                "mimeType": "application/scim+json",
                                "text":
                                    #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0}"#,
                            ],
                        ],
                    ]
                ],
            ]
        ]
        try har.serialized(.pretty).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func importRefusesUnlistedSecretHeader() throws {
        let folder = try TemporaryFolder()
        let key = "k8Zq2Lm9Xw4Rt7Vb1Nc6Hy3Jd5Gf0Ps"
        try writeHAR(to: folder.path("secret.har"), header: ("X-Api-Key", key))

        let refused = try BinaryRunner.run(["import", folder.path("secret.har"), "--out", folder.path("refused.json")])
        let listed = try BinaryRunner.run(
            ["import", folder.path("secret.har"), "--out", folder.path("listed.json"), "--redact-header", "X-Api-Key"])
        let forced = try BinaryRunner.run(
            ["import", folder.path("secret.har"), "--out", folder.path("forced.json"), "--force"])

        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "error: [secret] exchange 1: request header X-Api-Key contains a long random-looking value"))
        #expect(refused.stderr.contains("--redact-header X-Api-Key"))
        #expect(!refused.stderr.contains(key))
        #expect(!FileManager.default.fileExists(atPath: folder.path("refused.json")))
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(folder.filesContaining(key).sorted() == ["forced.json", "secret.har"])
        #expect(forced.status == 0)
        #expect(forced.stderr.contains("warning: [secret]"))
    }

    /// A header name with a space can match no header, so the option would redact nothing.
    @Test func headerNameWithSpaceWarned() throws {
        let folder = try TemporaryFolder()

        let redacted = try BinaryRunner.run(
            [
                "redact", "Recordings/11-existing-teammate-case.json", "--out", folder.path("shared.json"),
                "--redact-header", "X Api Key", "--redact-header", "X-Api-Key",
            ])

        #expect(redacted.status == 0, "\(redacted.stderr)")
        #expect(redacted.stderr.contains(#"warning: --redact-header "X Api Key" is not a header field name"#))
        #expect(!redacted.stderr.contains(#""X-Api-Key" is not"#))
    }

    @Test func redactedTranscriptStillVerifies() throws {
        let folder = try TemporaryFolder()

        let redacted = try BinaryRunner.run(
            [
                "redact", "Recordings/11-existing-teammate-case.json", "--out", folder.path("shared.json"), "--mapping",
                folder.path("mapping.json"),
            ])
        let verified = try BinaryRunner.run(["verify", folder.path("shared.json")])
        let failing = try BinaryRunner.run(
            ["verify", folder.path("shared.json"), "--deviation", "case-sensitive-username"])

        #expect(redacted.status == 0, "\(redacted.stderr)")
        #expect(redacted.stdout.contains("replaced with pseudonyms"))
        let text = try String(contentsOfFile: folder.path("shared.json"), encoding: .utf8)
        #expect(!text.lowercased().contains("carol"))
        #expect(try String(contentsOfFile: folder.path("mapping.json"), encoding: .utf8).contains("Carol"))
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("[username-filter-case]"))
    }

    /// Writes a handwritten transcript that creates a user named `users` and a group named
    /// `Users`, so that both names spell the `/Users` endpoint, and then looks both up.
    private func writeTranscriptNamingEndpoints(to path: String) throws {
        let scimJSON: JSONValue = [["name": "Content-Type", "value": "application/scim+json"]]
        let transcript: JSONValue = [
            "format": "scimtape.transcript", "version": 1, "name": "endpoint names",
            "description": "A user and a group named like the Users endpoint.",
            "source": ["kind": "handwritten"],
            "exchanges": [
                [
                    "request": [
                        "method": "POST", "path": "/Users", "headers": scimJSON,
                        "body": ["schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "users"],
                    ],
                    "response": ["status": 201, "body": ["userName": "users"]],
                ],
                [
                    "request": [
                        "method": "POST", "path": "/Groups", "headers": scimJSON,
                        "body": ["schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Users"],
                    ],
                    "response": ["status": 201, "body": ["displayName": "Users", "meta": ["resourceType": "Group"]]],
                ],
                [
                    "request": ["method": "GET", "path": "/Users?filter=userName+eq+%22users%22"],
                    "response": ["status": 200, "body": ["totalResults": 1]],
                ],
                [
                    "request": ["method": "GET", "path": "/Groups?filter=displayName+eq+%22Users%22"],
                    "response": ["status": 200, "body": ["totalResults": 1]],
                ],
            ],
        ]
        try transcript.serialized(.pretty).write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func redactKeepsEndpointNamedLikeGroup() throws {
        let folder = try TemporaryFolder()
        try writeTranscriptNamingEndpoints(to: folder.path("names.json"))

        let original = try BinaryRunner.run(["verify", folder.path("names.json")])
        let redacted = try BinaryRunner.run(["redact", folder.path("names.json"), "--out", folder.path("shared.json")])
        let verified = try BinaryRunner.run(["verify", folder.path("shared.json")])

        #expect(original.status == 0, "\(original.stdout)")
        #expect(redacted.status == 0, "\(redacted.stderr)")
        let document = try JSONValue.parse(try folder.read("shared.json"))
        let exchanges = document["exchanges"]?.arrayValue ?? []
        let paths = exchanges.map { $0["request"]?["path"]?.stringValue ?? "" }
        #expect(paths[0] == "/Users")
        #expect(paths[1] == "/Groups")
        #expect(paths[2].hasPrefix("/Users?filter=userName+eq+%22"))
        #expect(!paths[2].contains("%22users%22"))
        #expect(paths[3].hasPrefix("/Groups?filter=displayName+eq+%22"))
        #expect(!paths[3].contains("%22Users%22"))
        #expect(exchanges[1]["response"]?["body"]?["meta"]?["resourceType"] == "Group")
        #expect(verified.status == 0, "\(verified.stdout)")
    }

    @Test func redactReplacesPersonalHeaderValues() throws {
        let folder = try TemporaryFolder()
        let transcript: JSONValue = [
            "format": "scimtape.transcript", "version": 1, "name": "header",
            "description": "A request header that names the user.", "source": ["kind": "handwritten"],
            "exchanges": [
                [
                    "request": [
                        "method": "POST", "path": "/Users",
                        "headers": [
                            ["name": "Content-Type", "value": "application/scim+json"],
                            ["name": "X-Requested-For", "value": "ann.lee@x.example"],
                        ],
                        "body": [
                            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ann.lee@x.example",
                        ],
                    ],
                    "response": ["status": 201, "body": ["userName": "ann.lee@x.example"]],
                ]
            ],
        ]
        try folder.write("header.json", transcript.serialized(.pretty))

        let redacted = try BinaryRunner.run(["redact", folder.path("header.json"), "--out", folder.path("shared.json")])
        let verified = try BinaryRunner.run(["verify", folder.path("shared.json")])

        #expect(redacted.status == 0, "\(redacted.stderr)")
        let shared = try folder.read("shared.json")
        #expect(!shared.contains("ann.lee"))
        let request = try JSONValue.parse(shared)["exchanges"]?.arrayValue?.first?["request"]
        let userName = try #require(request?["body"]?["userName"]?.stringValue)
        let header = request?["headers"]?.arrayValue?.first { $0["name"] == "X-Requested-For" }
        #expect(header?["value"]?.stringValue == userName)
        #expect(verified.status == 0, "\(verified.stdout)")
    }

    @Test func exportedHARImportsAndVerifies() throws {
        let folder = try TemporaryFolder()

        let exported = try BinaryRunner.run(
            ["export", "Recordings/08-deleted-teammate.json", "--har", folder.path("out.har")])
        let imported = try BinaryRunner.run(["import", folder.path("out.har"), "--out", folder.path("back.json")])
        let original = try JSONValue.parse(
            String(contentsOfFile: "Recordings/08-deleted-teammate.json", encoding: .utf8))
        let back = try JSONValue.parse(String(contentsOfFile: folder.path("back.json"), encoding: .utf8))

        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("under detected base https://scim.example.invalid/scim/v2"))
        #expect(back["exchanges"]?.arrayValue?.count == original["exchanges"]?.arrayValue?.count)
    }

    @Test func showMarkdownHasSequenceDiagram() throws {
        let markdown = try BinaryRunner.run(["show", "Recordings/02-create-user.json", "--format", "markdown"])
        let text = try BinaryRunner.run(["show", "Recordings/02-create-user.json"])
        let invalid = try BinaryRunner.run(["show", "Recordings/02-create-user.json", "--format", "html"])

        #expect(markdown.status == 0)
        #expect(markdown.stdout.contains("```mermaid\nsequenceDiagram"))
        #expect(markdown.stdout.contains("C->>E: POST /Users"))
        #expect(markdown.stdout.contains("<details><summary>Request: JSON body"))
        #expect(text.status == 0)
        #expect(text.stdout.contains("[4] POST /Users -> 201 Created (create)"))
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("--format must be text or markdown"))
    }

    @Test(arguments: ["text", "markdown"])
    func showHidesCredentials(format: String) throws {
        let folder = try TemporaryFolder()
        try writeTranscriptWithCredentials(to: folder.path("credentials.json"))

        let shown = try BinaryRunner.run(["show", folder.path("credentials.json"), "--format", format])

        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(!shown.stdout.contains(Self.bearer))
        #expect(!shown.stdout.contains(Self.jwt))
        #expect(shown.stdout.contains("Authorization: Bearer [redacted]"))
        #expect(shown.stdout.contains(#""token": "[redacted]""#))
        #expect(
            shown.stderr.contains("warning: [secret] exchange 1: request header Authorization contains a bearer token"))
        #expect(shown.stderr.contains("warning: [secret] exchange 1: response body $.token contains a JWT"))
        #expect(!shown.stderr.contains(Self.bearer))
        #expect(!shown.stderr.contains(Self.jwt))
        #expect(try String(contentsOfFile: folder.path("credentials.json"), encoding: .utf8).contains(Self.jwt))
    }

    /// The scan flags a token only after `Bearer `. Its other copies, in the same string, in
    /// another spelling and in another exchange, are hidden too.
    @Test(arguments: ["text", "markdown"])
    func showHidesEveryCopyOfToken(format: String) throws {
        let folder = try TemporaryFolder()
        let token = "tok/COPYSECRET+0123456789"
        let escaped = token.replacingOccurrences(of: "/", with: "%2F").replacingOccurrences(of: "+", with: "%2B")
        func exchange(detail: String) -> JSONValue {
            [
                "request": ["method": "GET", "path": "/Users"],
                "response": [
                    "status": 401, "body": ["detail": .string(detail)],
                ],
            ]
        }
        let transcript: JSONValue = [
            "format": "scimtape.transcript", "version": 1, "name": "copies",
            "description": "A target that repeats the token it was sent.", "source": ["kind": "handwritten"],
            "exchanges": [
                exchange(detail: "bad token \(token); encoded \(escaped); header Bearer \(token)"),
                exchange(detail: "session \(token)"),
            ],
        ]
        try transcript.serialized(.pretty).write(toFile: folder.path("copies.json"), atomically: true, encoding: .utf8)

        let shown = try BinaryRunner.run(["show", folder.path("copies.json"), "--format", format])

        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stderr.contains("exchange 1: response body $.detail contains a bearer token"))
        #expect(shown.stderr.contains("exchange 2: copies of a value flagged in another exchange shown as [redacted]"))
        #expect(shown.stdout.contains("bad token [redacted]; encoded [redacted]; header Bearer [redacted]"))
        #expect(shown.stdout.contains("session [redacted]"))
        #expect(!shown.stdout.contains("COPYSECRET"))
        #expect(!shown.stderr.contains("COPYSECRET"))
    }

    /// Credential headers and listed JSON members are hidden even where their values do not look
    /// like tokens: a short cookie, Basic credentials, a password.
    @Test func showAppliesSecretPolicy() throws {
        let folder = try TemporaryFolder()
        let transcript: JSONValue = [
            "format": "scimtape.transcript", "version": 1, "name": "policy",
            "description": "A handwritten transcript with secrets that do not look like tokens.",
            "source": ["kind": "handwritten"],
            "exchanges": [
                [
                    "request": [
                        "method": "POST", "path": "/Users",
                        "headers": [
                            ["name": "Cookie", "value": "sid=SHOWCOOKIE1"],
                            ["name": "Proxy-Authorization", "value": "Basic U0hPV0JBU0lDOnB3"],
                        ],
                        "body": ["userName": "shown@example.com", "password": "SHOWPW-0020"],
                    ],
                    "response": ["status": 201],
                ]
            ],
        ]
        try transcript.serialized(.pretty).write(toFile: folder.path("policy.json"), atomically: true, encoding: .utf8)

        let shown = try BinaryRunner.run(["show", folder.path("policy.json"), "--format", "markdown"])

        #expect(shown.status == 0, "\(shown.stderr)")
        for secret in ["SHOWCOOKIE1", "U0hPV0JBU0lDOnB3", "SHOWPW-0020"] {
            #expect(!shown.stdout.contains(secret), "\(secret) shown")
        }
        #expect(shown.stderr.contains("listed JSON members shown as [redacted]"))
    }

    /// A transcript from a stranger must not drive the reader's terminal.
    @Test(arguments: ["text", "markdown"])
    func showEscapesControlCharacters(format: String) throws {
        let copy = try RecordingsCopy()
        var document = try JSONValue.parse(try copy.read("02-create-user.json")).objectValue ?? JSONObject()
        document["name"] = "\u{1B}[31mred\u{1B}[2J"
        try copy.write("escape.json", JSONValue.object(document).serialized(.pretty))

        let shown = try BinaryRunner.run(["show", copy.path("escape.json"), "--format", format])

        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(!shown.stdout.contains("\u{1B}"))
        #expect(shown.stdout.contains(#"\u{1B}[31mred\u{1B}[2J"#))
    }

    @Test func exportRedactsListedHeader() throws {
        let folder = try TemporaryFolder()
        let key = "k8Zq2Lm9Xw4Rt7Vb1Nc6Hy3Jd5Gf0Ps"
        try writeHAR(to: folder.path("secret.har"), header: ("X-Api-Key", key))
        let imported = try BinaryRunner.run(
            ["import", folder.path("secret.har"), "--out", folder.path("forced.json"), "--force"])

        let refused = try BinaryRunner.run(["export", folder.path("forced.json"), "--har", folder.path("refused.har")])
        let listed = try BinaryRunner.run(
            [
                "export", folder.path("forced.json"), "--har", folder.path("listed.har"), "--redact-header",
                "X-Api-Key",
            ])

        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Add --redact-header X-Api-Key to replace them"))
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(try folder.read("listed.har").contains("[redacted]"))
        #expect(folder.filesContaining(key).sorted() == ["forced.json", "secret.har"])
    }

    /// Every verb whose secret scan can reject its input must accept the options its advice names.
    @Test func secretAdviceNamesOnlyAcceptedOptions() throws {
        let folder = try TemporaryFolder()
        try writeTranscriptWithCredentials(to: folder.path("credentials.json"))
        let runs = [
            ("redact", ["redact", folder.path("credentials.json"), "--out", folder.path("redacted.json")]),
            ("export", ["export", folder.path("credentials.json"), "--har", folder.path("out.har")]),
        ]
        for (verb, arguments) in runs {
            let refused = try BinaryRunner.run(arguments)
            #expect(refused.status == 1, "\(verb): \(refused.stderr)")
            #expect(refused.stderr.contains("Add --redact-field token to replace them"), "\(verb): \(refused.stderr)")

            let advised = try BinaryRunner.run(arguments + ["--redact-field", "token"])
            #expect(advised.status == 0, "\(verb): \(advised.stderr)")
        }
        for verb in ["import", "record", "redact", "export", "recover"] {
            let help = try BinaryRunner.run([verb, "--help"])
            #expect(help.stdout.contains("--redact-header <name>"), "\(verb) --help")
            #expect(help.stdout.contains("--redact-field <name>"), "\(verb) --help")
        }
    }

    @Test func importReplacesTokenInQuery() throws {
        let folder = try TemporaryFolder()
        let url =
            "https://scim.example.com/scim/v2/Users?filter=userName+eq+%22a%40b.example%22&access_token=\(Self.jwt)"
        try writeHAR(to: folder.path("query.har"), header: ("Accept", "application/scim+json"), url: url)

        let imported = try BinaryRunner.run(["import", folder.path("query.har"), "--out", folder.path("query.json")])

        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(!imported.stderr.contains("[secret]"))
        #expect(folder.filesContaining(Self.jwt) == ["query.har"])
        let document = try JSONValue.parse(try folder.read("query.json"))
        let path = document["exchanges"]?.arrayValue?.first?["request"]?["path"]?.stringValue
        #expect(path == "/Users?filter=userName+eq+%22a%40b.example%22&access_token=%5Bredacted%5D")
    }

    @Test func redactReplacesEndpointHost() throws {
        let folder = try TemporaryFolder()
        let original = try String(contentsOfFile: "Recordings/02-create-user.json", encoding: .utf8)
        let hostPattern = try Regex(#"http://(127\.0\.0\.1:[0-9]+|localhost)"#)
        try folder.write("customer.json", original.replacing(hostPattern, with: "https://scim.acme-corp.com"))

        let redacted = try BinaryRunner.run(
            [
                "redact", folder.path("customer.json"), "--out", folder.path("shared.json"), "--mapping",
                folder.path("map.json"),
            ])
        let verified = try BinaryRunner.run(["verify", folder.path("shared.json")])

        #expect(redacted.status == 0, "\(redacted.stderr)")
        let shared = try folder.read("shared.json")
        #expect(try folder.read("customer.json").contains("https://scim.acme-corp.com/scim/v2/Users/"))
        #expect(!shared.contains("acme-corp"))
        #expect(shared.contains("https://scim.example.invalid/scim/v2/Users/"))
        #expect(try folder.read("map.json").contains("scim.acme-corp.com"))
        #expect(verified.status == 0, "\(verified.stdout)")
    }

    @Test func redactReplacesEncodedValues() throws {
        let folder = try TemporaryFolder()
        let user: JSONValue = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "dora.fischer@fabrikam.example",
            "displayName": "Dora Fischer",
        ]
        let transcript: JSONValue = [
            "format": "scimtape.transcript", "version": 1, "name": "encoded",
            "description": "A user named percent-encoded in headers and in a form body.",
            "source": ["kind": "handwritten"],
            "exchanges": [
                [
                    "request": [
                        "method": "POST", "path": "/Users",
                        "headers": [
                            ["name": "Content-Type", "value": "application/scim+json"],
                            [
                                "name": "Referer",
                                "value": "https://portal.example/users?email=dora.fischer%40fabrikam.example",
                            ],
                        ],
                        "body": user,
                    ],
                    "response": [
                        "status": 201,
                        "headers": [
                            ["name": "X-Debug", "value": "user=dora.fischer%40FABRIKAM.EXAMPLE; Dora%20Fischer"]
                        ],
                        "body": user,
                    ],
                ],
                [
                    "request": [
                        "method": "POST", "path": "/Users",
                        "headers": [["name": "Content-Type", "value": "application/x-www-form-urlencoded"]],
                        "bodyText": "userName=dora.fischer%40fabrikam.example&displayName=Dora+Fischer",
                    ],
                    "response": ["status": 415],
                ],
            ],
        ]
        try folder.write("encoded.json", transcript.serialized(.pretty))

        let original = try BinaryRunner.run(["verify", folder.path("encoded.json")])
        let redacted = try BinaryRunner.run(
            [
                "redact", folder.path("encoded.json"), "--out", folder.path("shared.json"), "--mapping",
                folder.path("map.json"),
            ])
        let verified = try BinaryRunner.run(["verify", folder.path("shared.json")])

        #expect(original.status == 0, "\(original.stdout)")
        #expect(redacted.status == 0, "\(redacted.stderr)")
        let shared = try folder.read("shared.json")
        for name in ["dora", "fischer", "fabrikam"] {
            #expect(!shared.lowercased().contains(name), "\(name) is still in the shared transcript")
        }
        let exchanges = try JSONValue.parse(shared)["exchanges"]?.arrayValue ?? []
        let userName = try #require(exchanges.first?["request"]?["body"]?["userName"]?.stringValue)
        let email = userName.replacingOccurrences(of: "@", with: "%40")
        let referer = exchanges.first?["request"]?["headers"]?.arrayValue?.first { $0["name"] == "Referer" }
        #expect(referer?["value"]?.stringValue == "https://scim.example.invalid/users?email=\(email)")
        #expect(exchanges.last?["request"]?["bodyText"]?.stringValue?.hasPrefix("userName=\(email)&") == true)
        #expect(try folder.read("map.json").contains("dora.fischer@fabrikam.example"))
        #expect(verified.status == 0, "\(verified.stdout)")
    }

    @Test func redactedPartialFilterStillVerifies() throws {
        let folder = try TemporaryFolder()
        let user: JSONValue = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "dora@fabrikam.example",
            "name": ["givenName": "Dora", "familyName": "Fischer"],
        ]
        let found: JSONValue = [
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1, "Resources": [user],
        ]
        let transcript: JSONValue = [
            "format": "scimtape.transcript", "version": 1, "name": "partial filter",
            "description": "A user found by part of the family name.", "source": ["kind": "handwritten"],
            "exchanges": [
                [
                    "request": ["method": "POST", "path": "/Users", "body": user],
                    "response": ["status": 201, "body": user],
                ],
                [
                    "request": ["method": "GET", "path": "/Users?filter=name.familyName%20co%20%22Fisch%22"],
                    "response": ["status": 200, "body": found],
                ],
            ],
        ]
        try folder.write("partial.json", transcript.serialized(.pretty))

        let original = try BinaryRunner.run(["verify", folder.path("partial.json")])
        let redacted = try BinaryRunner.run(
            [
                "redact", folder.path("partial.json"), "--out", folder.path("shared.json"), "--mapping",
                folder.path("map.json"),
            ])
        let verified = try BinaryRunner.run(["verify", folder.path("shared.json")])

        #expect(original.status == 0, "\(original.stdout)")
        #expect(redacted.status == 0, "\(redacted.stderr)")
        #expect(!(try folder.read("shared.json")).contains("Fisch"))
        #expect(!(try folder.read("map.json")).contains("\"Fisch\""))
        #expect(verified.status == 0, "\(verified.stdout)")
    }
}
