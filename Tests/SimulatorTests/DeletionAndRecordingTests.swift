import Foundation
import HTTP
import ReferenceServer
import SCIM
import Simulator
import Testing
import Transcript

@Suite struct SimulatedDeletion {
    @Test func hardDeleteSendsDeleteAndRFCExpectations() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start, Events.event("softDelete", "alice"), Events.cycle,
                Events.event("hardDelete", "alice"), Events.cycle, Events.event("probe", "alice"),
            ])

        let transcript = try simulate(scenario).transcript

        let id = try #require(transcript.exchanges(step: "create").first?.response.body.json?["id"]?.stringValue)
        let probes = transcript.exchanges(step: "probe")
        #expect(transcript.steps == ["match", "create", "read", "disable", "delete", "probe", "probe"])
        #expect(transcript.exchanges(step: "delete").first?.request.path == "/Users/\(id)")
        #expect(transcript.exchanges(step: "delete").first?.request.body == RecordedBody.none)
        #expect(transcript.exchanges(step: "delete").first?.response.status == 204)
        #expect(probes.first?.response.body.json?["active"] == false)
        #expect(probes.first?.expectations.profiles["rfc"]?.status == [404])
        #expect(
            probes.first?.expectations.profiles["rfc"]?.body
                == .json(["schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404"]))
        #expect(probes.last?.expectations.profiles["rfc"]?.status == [200])
        #expect(
            probes.last?.expectations.profiles["rfc"]?.body?.json?.serialized()
                == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0}"#
        )
    }

    @Test func deleteActionOffSendsNothing() throws {
        let tenant = #"{"aadOptscim062020": true, "targetObjectActions": {"delete": false}}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant,
            timeline: [
                Events.assign("alice"), Events.start, Events.event("softDelete", "alice"), Events.cycle,
                Events.event("hardDelete", "alice"), Events.cycle,
            ])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "create", "read", "disable"])
        #expect(
            result.notes == [
                "alice.example@contoso.example: permanently deleted in Entra, but the Delete action is off, so nothing is sent"
            ])
    }

    @Test func hardDeleteAdvancesClockThirtyDays() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start, Events.event("softDelete", "alice"), Events.cycle,
                Events.event("hardDelete", "alice"), Events.cycle,
            ])

        let log = try simulate(scenario).log

        let deletion = try #require(log.entries.last)
        #expect(deletion.action == .delete)
        #expect(deletion.activityDateTime - log.entries[1].activityDateTime >= 30 * 24 * 3600)
    }

    @Test func rfcProfileDeleteRemovesUser() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start, Events.event("hardDelete", "alice"), Events.cycle,
                Events.event("probe", "alice"),
            ])

        let transcript = try simulate(scenario, profile: .rfc).transcript

        let probes = transcript.exchanges(step: "probe")
        #expect(transcript.steps == ["match", "create", "delete", "probe", "probe"])
        #expect(probes.first?.response.status == 404)
        #expect(probes.last?.response.body.json?["totalResults"] == 0)
        #expect(transcript.source.profile == "rfc")
    }
}

@Suite struct SimulatedRecording {
    @Test func tokenIsSentButRedacted() throws {
        let token = "s3cr3t-token-value"
        let scenario = try ScenarioDocuments.scenario(
            front: #"{"deletedTeammates": ["nobody@contoso.example"]}"#,
            timeline: [Events.testConnection, Events.assign("alice"), Events.start])

        let transcript = try simulate(scenario, token: token).transcript

        let encoded = String(decoding: transcript.encoded(), as: UTF8.self)
        #expect(transcript.exchanges.allSatisfy { $0.request.headers["Authorization"] == "Bearer [redacted]" })
        #expect(transcript.exchanges.allSatisfy { $0.response.status != 401 })
        #expect(!encoded.contains(token))
    }

    /// A target that repeats the credentials it was sent, in the spellings JSON writers and URL
    /// encoders use, and a bearer token of its own that only the secret scan finds.
    @Test func echoedTokenIsRedacted() throws {
        let token = "tok/SECRET+abc/def0123456789XYZ=="
        let apiKey = "key/APIKEY+0123456789"
        let other = "Bearer otherTOKEN0123456789abcdefXYZ"
        let endpoint = try ReferenceEndpoint(configuration: ReferenceServerConfiguration(token: token))
        let server = HTTPServer(configuration: HTTPServerConfiguration()) { request in
            guard request.method == .post else {
                return endpoint.handle(request)
            }
            let sent = request.headers["Authorization"] ?? ""
            let escaped = sent.replacingOccurrences(of: "/", with: "\\/").replacingOccurrences(
                of: "+", with: "\\u002B")
            let encoded = RequestTarget.encodeQueryValue(token)
            let body =
                #"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400", "detail": "#
                + #""\#(sent) \#(escaped) \#(encoded) \#(apiKey)", "note": "\#(other)"}"#
            return HTTPResponse(
                status: HTTPStatus(code: 400),
                headers: [
                    ("Content-Type", "application/scim+json"), ("X-Debug-Token", token), ("X-Encoded", encoded),
                    ("WWW-Authenticate", #"Bearer error="invalid_token", token="\#(token)""#),
                ],
                body: Array(body.utf8))
        }
        try server.start()
        defer { server.stop() }
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice"), Events.start])
        let options = Simulation.Options(
            baseURL: server.origin + "/scim/v2", token: token, extraHeaders: [("X-Api-Key", apiKey)])

        let result = try Simulation.run(scenario, options: options)

        let create = try #require(result.transcript.exchanges(step: "create").first)
        #expect(create.response.status == 400)
        #expect(create.response.headers["X-Debug-Token"] == "[redacted]")
        #expect(create.response.headers["X-Encoded"] == "[redacted]")
        let detail = try #require(create.response.body.json?["detail"]?.stringValue)
        #expect(detail == "Bearer [redacted] Bearer [redacted] [redacted] [redacted]")
        #expect(create.response.body.json?["note"]?.stringValue == "Bearer [redacted]")
        #expect(SecretScan.scan(result.transcript).isEmpty)
        let files = [
            String(decoding: result.transcript.encoded(), as: UTF8.self),
            String(decoding: result.log.encoded(), as: UTF8.self),
        ]
        #expect(files[1].contains("Bearer [redacted]"), "the log gives the target's detail")
        for file in files {
            for secret in [token, "SECRET", "APIKEY", "otherTOKEN"] {
                #expect(!file.contains(secret), "\(secret) in \(file)")
            }
        }
    }

    /// A target that repeats the token upper- and lowercased and base64-encoded, in both
    /// alphabets and with and without padding, gets none of those copies into the transcript or
    /// the provisioning log.
    @Test func caseAndBase64EchoesRedacted() throws {
        let token = "Sim0late~Ab?Cd"
        let standard = Data(token.utf8).base64EncodedString()
        let urlSafe = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let copies = [
            token.uppercased(), token.lowercased(), standard, urlSafe,
            standard.replacingOccurrences(of: "=", with: ""), urlSafe.replacingOccurrences(of: "=", with: ""),
        ]
        let endpoint = try ReferenceEndpoint(configuration: ReferenceServerConfiguration(token: token))
        let server = HTTPServer(configuration: HTTPServerConfiguration()) { request in
            guard request.method == .post else {
                return endpoint.handle(request)
            }
            let document: JSONValue = [
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400",
                "detail": .string(copies.joined(separator: " ")),
            ]
            var headers: HTTPHeaders = [("Content-Type", "application/scim+json")]
            for (index, copy) in copies.enumerated() {
                headers.add(name: "X-Echo-\(index)", value: copy)
            }
            return HTTPResponse(status: HTTPStatus(code: 400), headers: headers, body: document.serializedBytes())
        }
        try server.start()
        defer { server.stop() }
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice"), Events.start])
        let options = Simulation.Options(baseURL: server.origin + "/scim/v2", token: token)

        let result = try Simulation.run(scenario, options: options)

        let create = try #require(result.transcript.exchanges(step: "create").first)
        #expect(create.response.status == 400)
        let detail = try #require(create.response.body.json?["detail"]?.stringValue)
        #expect(detail == Array(repeating: "[redacted]", count: copies.count).joined(separator: " "))
        for index in copies.indices {
            #expect(create.response.headers["X-Echo-\(index)"] == "[redacted]")
        }
        let files = [
            String(decoding: result.transcript.encoded(), as: UTF8.self),
            String(decoding: result.log.encoded(), as: UTF8.self),
        ]
        for file in files {
            for copy in copies {
                #expect(!file.contains(copy), "\(copy) in \(file)")
            }
        }
    }

    @Test func requestHeadersFollowEntra() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice"), Events.start])

        let transcript = try simulate(scenario).transcript

        let match = try #require(transcript.exchanges(step: "match").first)
        let create = try #require(transcript.exchanges(step: "create").first)
        #expect(match.request.headers.fields == [HTTPHeaders.Field(name: "Accept", value: "application/scim+json")])
        #expect(
            create.request.headers.fields == [
                HTTPHeaders.Field(name: "Accept", value: "application/scim+json"),
                HTTPHeaders.Field(name: "Content-Type", value: "application/scim+json; charset=utf-8"),
            ])
        #expect(create.response.headers.contains("Date") == false)
        #expect(create.response.headers.contains("Content-Length") == false)
        #expect(create.response.headers.contains("Location"))
    }

    @Test func sourceDescribesRun() throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: ScenarioDocuments.legacyTenant, timeline: [Events.testConnection])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.name == "simulator-test")
        #expect(transcript.description == "A test scenario")
        #expect(transcript.source.kind == .simulated)
        #expect(transcript.source.tool == "scimtape-tests")
        #expect(transcript.source.scenario == "Recordings/scenarios/test.json")
        #expect(transcript.source.dialect == "legacy")
        #expect(transcript.source.profile == "front")
        #expect(SCIMDateTime.parse(transcript.source.recordedAt ?? "") != nil)
        #expect(transcript.steps == ["testConnection", "testConnection"])
    }

    @Test func transcriptSurvivesEncodeAndDecode() throws {
        let scenario = try ScenarioDocuments.scenario(
            front: #"{"deletedTeammates": ["bob@contoso.example"]}"#,
            timeline: [
                Events.testConnection, Events.assign("alice"), Events.start, Events.event("unassign", "alice"),
                Events.cycle, Events.event("probe", "alice"),
            ])

        let transcript = try simulate(scenario).transcript

        let decoded = try Transcript(json: try JSONValue.parse(bytes: transcript.encoded()))
        #expect(decoded == transcript)
    }

    @Test func unreachableTargetFails() throws {
        let endpoint = try LoopbackEndpoint()
        let baseURL = endpoint.server.baseURL
        endpoint.server.stop()
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.testConnection])

        let error = #expect(throws: SimulationError.self) {
            try Simulation.run(scenario, options: Simulation.Options(baseURL: baseURL))
        }

        #expect(error?.isTargetUnreachable == true, "error: \(String(describing: error))")
    }
}
