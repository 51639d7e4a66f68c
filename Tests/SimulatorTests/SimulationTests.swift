import Foundation
import HTTP
import ReferenceServer
import SCIM
import Simulator
import Testing
import Transcript

/// A reference endpoint on a free loopback port, stopped when the value is released.
final class LoopbackEndpoint {
    let server: ReferenceServer

    init(profile: ServerProfile = .front, token: String? = nil) throws {
        server = try ReferenceServer(configuration: ReferenceServerConfiguration(profile: profile, token: token))
        try server.start()
    }

    deinit {
        server.stop()
    }
}

/// Runs the scenario against a fresh reference endpoint in the given profile.
func simulate(_ scenario: Scenario, profile: ServerProfile = .front, token: String? = nil) throws
    -> Simulation.Result
{
    let endpoint = try LoopbackEndpoint(profile: profile, token: token)
    let options = Simulation.Options(
        baseURL: endpoint.server.baseURL, token: token, scenarioPath: "Recordings/scenarios/test.json",
        profile: profile.rawValue, tool: "scimtape-tests")
    return try withExtendedLifetime(endpoint) {
        try Simulation.run(scenario, options: options)
    }
}

/// Timeline events in the scenario format.
enum Events {
    static let testConnection = #"{"event": "testConnection"}"#

    static func assign(_ user: String, role: String? = "template-support") -> String {
        guard let role else {
            return #"{"event": "assign", "user": "\#(user)"}"#
        }
        return #"{"event": "assign", "user": "\#(user)", "role": "\#(role)"}"#
    }

    static func event(_ kind: String, _ user: String) -> String {
        #"{"event": "\#(kind)", "user": "\#(user)"}"#
    }

    static func update(_ user: String, _ changes: String) -> String {
        #"{"event": "update", "user": "\#(user)", "changes": \#(changes)}"#
    }

    static func changeRole(_ user: String, _ role: String) -> String {
        #"{"event": "changeRole", "user": "\#(user)", "role": "\#(role)"}"#
    }
}

extension Transcript {
    var steps: [String] {
        exchanges.map { $0.step ?? "" }
    }

    /// The compact text of every PATCH body, in the order sent.
    var patchBodies: [String] {
        exchanges.filter { $0.request.method == "PATCH" }.map { $0.request.body.json?.serialized() ?? "" }
    }

    func exchanges(step: String) -> [Exchange] {
        exchanges.filter { $0.step == step }
    }
}

@Suite struct SimulatedDisableBodies {
    @Test func flaggedDisableSendsJSONBoolean() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [
            Events.assign("alice"), Events.event("unassign", "alice"),
        ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "read", "disable"])
        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#
            ])
        #expect(transcript.exchanges.last?.response.status == 200)
        #expect(transcript.exchanges.last?.response.body.json?["active"] == false)
    }

    static let legacyDisables: [(Bool, String)] = [
        (
            false,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#
        ),
        (
            true,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"false"}]}"#
        ),
    ]

    @Test(arguments: legacyDisables)
    func legacyDisableFollowsToLowerAdjustment(toLowerActive: Bool, expected: String) throws {
        let tenant = #"{"aadOptscim062020": false, "adjustments": {"toLowerActive": \#(toLowerActive)}}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, timeline: [Events.assign("alice"), Events.event("unassign", "alice")])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.patchBodies == [expected])
        #expect(transcript.exchanges.last?.response.body.json?["active"] == false)
    }

    static let reassignments: [(String, String, String)] = [
        (
            ScenarioDocuments.flaggedTenant,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}"#
        ),
        (
            ScenarioDocuments.legacyTenant,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"false"}]}"#,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"true"}]}"#
        ),
        (
            #"{"aadOptscim062020": false, "adjustments": {"toLowerActive": false}}"#,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}"#
        ),
    ]

    @Test(arguments: reassignments)
    func reassignmentUnblocksSameTeammate(tenant: String, disable: String, enable: String) throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant,
            timeline: [Events.assign("alice"), Events.event("unassign", "alice"), Events.assign("alice")])

        let transcript = try simulate(scenario).transcript

        let id = try #require(transcript.exchanges(step: "create").first?.response.body.json?["id"]?.stringValue)
        #expect(transcript.steps == ["match", "create", "read", "disable", "match", "enable"])
        #expect(transcript.patchBodies == [disable, enable])
        #expect(transcript.exchanges(step: "disable").first?.request.path == "/Users/\(id)")
        #expect(transcript.exchanges(step: "enable").first?.request.path == "/Users/\(id)")
        #expect(transcript.exchanges(step: "enable").first?.response.body.json?["active"] == true)
    }

    @Test func softDeleteAndRestoreKeepCachedId() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [Events.assign("alice"), Events.event("softDelete", "alice"), Events.event("restore", "alice")])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "read", "disable", "read", "enable"])
        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#,
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}"#,
            ])
    }
}

@Suite struct SimulatedUpdateBodies {
    static let aliceWithMail =
        #"{"key": "alice", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a01", "userPrincipalName": "alice.example@contoso.example", "mail": "alice@mail.contoso.example", "givenName": "Alice", "surname": "Example", "displayName": "Alice Example"}"#

    static let nameAndMailChanges =
        #"{"displayName": "Alicia Example-Smith", "givenName": "Alicia", "surname": "Example-Smith", "mail": "alicia@mail.contoso.example"}"#

    @Test func flaggedUpdateFoldsNameAttributes() throws {
        let tenant = #"{"aadOptscim062020": true, "adjustments": {"workEmailFromUserPrincipalName": false}}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, users: [Self.aliceWithMail],
            timeline: [Events.assign("alice"), Events.update("alice", Self.nameAndMailChanges)])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "read", "update"])
        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"alicia@mail.contoso.example"},{"op":"replace","value":{"displayName":"Alicia Example-Smith","name.givenName":"Alicia","name.familyName":"Example-Smith"}}]}"#
            ])
        #expect(transcript.exchanges.last?.response.status == 200)
        #expect(
            transcript.exchanges.last?.response.body.json?["name"] == [
                "givenName": "Alicia", "familyName": "Example-Smith",
            ])
    }

    @Test func legacyUpdateSendsOneOpPerAttribute() throws {
        let tenant = #"{"aadOptscim062020": false, "adjustments": {"workEmailFromUserPrincipalName": false}}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, users: [Self.aliceWithMail],
            timeline: [Events.assign("alice"), Events.update("alice", Self.nameAndMailChanges)])

        let transcript = try simulate(scenario).transcript

        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Alicia Example-Smith"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"alicia@mail.contoso.example"},{"op":"Replace","path":"name.givenName","value":"Alicia"},{"op":"Replace","path":"name.familyName","value":"Example-Smith"}]}"#
            ])
        #expect(transcript.exchanges.last?.response.status == 200)
    }

    @Test func flaggedRenameSeparatesWorkEmail() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"),
                Events.update("alice", #"{"userPrincipalName": "alice.smith@contoso.example"}"#),
            ])

        let transcript = try simulate(scenario).transcript

        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"alice.smith@contoso.example"},{"op":"replace","value":{"userName":"alice.smith@contoso.example"}}]}"#
            ])
        #expect(transcript.exchanges.last?.response.body.json?["userName"] == "alice.smith@contoso.example")
    }

    static let additions: [(String, String)] = [
        (
            ScenarioDocuments.flaggedTenant,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"name.givenName","value":"Alice"}]}"#
        ),
        (
            ScenarioDocuments.legacyTenant,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"name.givenName","value":"Alice"}]}"#
        ),
    ]

    @Test(arguments: additions)
    func missingTargetAttributeIsAdded(tenant: String, expected: String) throws {
        let alice =
            #"{"key": "alice", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a01", "userPrincipalName": "alice.example@contoso.example", "surname": "Example", "displayName": "Alice Example"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, users: [alice],
            timeline: [Events.assign("alice"), Events.update("alice", #"{"givenName": "Alice"}"#)])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.patchBodies == [expected])
    }

    @Test func unchangedUserSendsNoPatch() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [Events.assign("alice"), Events.update("alice", #"{"jobTitle": "Lead"}"#)])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "read"])
        #expect(transcript.patchBodies.isEmpty)
    }
}

@Suite struct SimulatedTemplateMapping {
    static let teammateKey = "urn:ietf:params:scim:schemas:extension:frontapp:teammate"

    @Test func creationOnlySendsTemplateOnlyInPost() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.changeRole("alice", "template-sales"),
                Events.update("alice", #"{"displayName": "Alice E."}"#),
            ])

        let transcript = try simulate(scenario).transcript

        let post = try #require(transcript.exchanges(step: "create").first?.request.body.json)
        #expect(post[Self.teammateKey] == ["template": "template-support"])
        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"Alice E."}}]}"#
            ])
    }

    @Test func alwaysSendsTemplateInEveryPatch() throws {
        let tenant = #"{"aadOptscim062020": true, "templateMapping": "always"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant,
            timeline: [
                Events.assign("alice"), Events.changeRole("alice", "template-sales"), Events.event("probe", "alice"),
                Events.update("alice", #"{"displayName": "Alice E."}"#),
            ])

        let transcript = try simulate(scenario).transcript

        let post = try #require(transcript.exchanges(step: "create").first?.request.body.json)
        let probe = try #require(transcript.exchanges(step: "probe").first?.response.body.json)
        #expect(post[Self.teammateKey] == ["template": "template-support"])
        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:frontapp:teammate:template":"template-sales"}}]}"#,
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"Alice E.","urn:ietf:params:scim:schemas:extension:frontapp:teammate:template":"template-sales"}}]}"#,
            ])
        #expect(probe[Self.teammateKey] == ["template": "template-support"], "Front keeps the creation template")
    }

    @Test func legacyAlwaysSendsTemplatePath() throws {
        let tenant = #"{"aadOptscim062020": false, "templateMapping": "always"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, timeline: [Events.assign("alice"), Events.changeRole("alice", "template-sales")])

        let transcript = try simulate(scenario).transcript

        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:frontapp:teammate:template","value":"template-sales"}]}"#
            ])
    }

    @Test func noTemplateMappingOmitsExtension() throws {
        let tenant = #"{"aadOptscim062020": true, "templateMapping": "none"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, timeline: [Events.assign("alice"), Events.changeRole("alice", "template-sales")])

        let transcript = try simulate(scenario).transcript

        let post = try #require(transcript.exchanges(step: "create").first?.request.body.json?.objectValue)
        #expect(post[Self.teammateKey] == nil)
        #expect(transcript.patchBodies.isEmpty)
    }

    @Test func assignmentWithoutRoleSendsNoTemplate() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice", role: nil)])

        let transcript = try simulate(scenario).transcript

        let post = try #require(transcript.exchanges(step: "create").first?.request.body.json?.objectValue)
        #expect(post[Self.teammateKey] == nil)
    }
}

@Suite struct SimulatedCreateBody {
    @Test func postBodyMatchesMicrosoftLayout() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice")])

        let transcript = try simulate(scenario).transcript

        let create = try #require(transcript.exchanges(step: "create").first)
        #expect(create.request.method == "POST")
        #expect(create.request.path == "/Users")
        #expect(
            create.request.body.json?.serialized()
                == #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"alice.example","userName":"alice.example@contoso.example","active":true,"displayName":"Alice Example","emails":[{"primary":true,"type":"work","value":"alice.example@contoso.example"}],"meta":{"resourceType":"User"},"name":{"familyName":"Example","givenName":"Alice"},"urn:ietf:params:scim:schemas:extension:frontapp:teammate":{"template":"template-support"}}"#
        )
        #expect(create.response.status == 201)
    }

    @Test func postKeysKeepMicrosoftRelativeOrder() throws {
        let microsoftOrder = ["schemas", "externalId", "userName", "active", "emails", "meta", "name"]
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice")])

        let transcript = try simulate(scenario).transcript

        let keys = try #require(transcript.exchanges(step: "create").first?.request.body.json?.objectValue?.keys)
        #expect(Array(keys.prefix(4)) == ["schemas", "externalId", "userName", "active"])
        #expect(keys.filter { microsoftOrder.contains($0) } == microsoftOrder)
    }

    @Test func matchQueryPrecedesCreate() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice")])

        let transcript = try simulate(scenario).transcript

        let match = try #require(transcript.exchanges.first)
        #expect(match.step == "match")
        #expect(match.request.method == "GET")
        #expect(match.request.path == "/Users?filter=userName+eq+%22alice.example%40contoso.example%22")
        #expect(match.request.body == RecordedBody.none)
    }
}

@Suite struct SimulatedFrontPreconditions {
    static let bob =
        #"{"key": "bob", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a02", "userPrincipalName": "bob.builder@contoso.example", "mailNickname": "bob.builder", "givenName": "Bob", "surname": "Builder", "displayName": "Bob Builder"}"#

    @Test func deletedTeammateCreateIsConflictWithNote() throws {
        let scenario = try ScenarioDocuments.scenario(
            front: #"{"deletedTeammates": ["bob.builder@contoso.example"]}"#, users: [Self.bob],
            timeline: [Events.assign("bob"), Events.event("probe", "bob")])

        let result = try simulate(scenario)

        let create = try #require(result.transcript.exchanges(step: "create").first)
        let probe = try #require(result.transcript.exchanges(step: "probe").last)
        #expect(result.transcript.steps == ["match", "create", "probe"])
        #expect(create.response.status == 409)
        #expect(create.response.body.json?["scimType"] == "uniqueness")
        #expect(create.response.body.json?["status"] == "409")
        #expect(
            result.notes == [
                "bob.builder@contoso.example: create failed with 409 (EntryConflict); Entra retries in the next cycle"
            ])
        #expect(result.transcript.preconditions == [.deletedTeammate(email: "bob.builder@contoso.example")])
        #expect(probe.response.body.json?["totalResults"] == 0)
    }

    @Test func blockedExistingTeammateIsMatchedAndEnabled() throws {
        let carol =
            #"{"key": "carol", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a03", "userPrincipalName": "carol@contoso.example", "givenName": "Carol", "surname": "Example", "displayName": "Carol Example"}"#
        let front =
            #"{"existingTeammates": [{"userName": "carol@contoso.example", "displayName": "Carol Example", "name": {"givenName": "Carol", "familyName": "Example"}, "emails": [{"value": "carol@contoso.example", "type": "work", "primary": true}], "blocked": true}]}"#
        let scenario = try ScenarioDocuments.scenario(
            front: front, users: [carol], timeline: [Events.assign("carol")])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "enable"])
        #expect(
            result.transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}"#
            ])
        #expect(result.notes.isEmpty)
    }
}

@Suite struct SimulatedTestConnection {
    func testConnectionPaths(name: String = "guid-check", seed: Int? = nil) throws -> [String] {
        let members = seed.map { #""seed": \#($0), "# } ?? ""
        let document = ScenarioDocuments.document(
            name: name, timeline: [Events.testConnection, Events.testConnection], members: members)
        let scenario = try Scenario(json: try JSONValue.parse(document))
        return try simulate(scenario).transcript.exchanges.map(\.request.path)
    }

    @Test func guidsRepeatAcrossRuns() throws {
        let first = try testConnectionPaths()
        let second = try testConnectionPaths()

        #expect(first.count == 2)
        #expect(first == second)
        #expect(first[0] != first[1], "each Test Connection sends a new GUID")
    }

    @Test func guidIsLowercaseVersionFourUUID() throws {
        let uuidQuery =
            /\/Users\?filter=userName\+eq\+%22[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}%22/

        let paths = try testConnectionPaths()

        for path in paths {
            #expect(path.wholeMatch(of: uuidQuery) != nil, "path: \(path)")
        }
    }

    @Test func guidDependsOnNameAndSeed() throws {
        let base = try testConnectionPaths()
        let renamed = try testConnectionPaths(name: "guid-check-2")
        let reseeded = try testConnectionPaths(seed: 2)

        #expect(renamed[0] != base[0])
        #expect(reseeded[0] != base[0])
    }

    @Test func responseIsEmptyListResponse() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.testConnection])

        let transcript = try simulate(scenario).transcript

        let exchange = try #require(transcript.exchanges.first)
        #expect(exchange.step == "testConnection")
        #expect(exchange.response.status == 200)
        #expect(
            exchange.response.body.json?.serialized()
                == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0}"#
        )
    }
}

@Suite struct SimulatedDeletion {
    @Test func hardDeleteSendsDeleteAndRFCExpectations() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.event("softDelete", "alice"), Events.event("hardDelete", "alice"),
                Events.event("probe", "alice"),
            ])

        let transcript = try simulate(scenario).transcript

        let id = try #require(transcript.exchanges(step: "create").first?.response.body.json?["id"]?.stringValue)
        let probes = transcript.exchanges(step: "probe")
        #expect(transcript.steps == ["match", "create", "read", "disable", "delete", "probe", "probe"])
        #expect(transcript.exchanges(step: "delete").first?.request.path == "/Users/\(id)")
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
        let tenant = #"{"aadOptscim062020": true, "deleteAction": false}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, timeline: [Events.assign("alice"), Events.event("hardDelete", "alice")])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "create", "read", "disable"])
        #expect(
            result.notes == [
                "alice.example@contoso.example: permanently deleted in Entra, but the Delete action is off, so nothing is sent"
            ])
    }

    @Test func rfcProfileDeleteRemovesUser() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [Events.assign("alice"), Events.event("hardDelete", "alice"), Events.event("probe", "alice")])

        let transcript = try simulate(scenario, profile: .rfc).transcript

        let probes = transcript.exchanges(step: "probe")
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
            timeline: [Events.testConnection, Events.assign("alice")])

        let transcript = try simulate(scenario, token: token).transcript

        let encoded = String(decoding: transcript.encoded(), as: UTF8.self)
        #expect(transcript.exchanges.allSatisfy { $0.request.headers["Authorization"] == "Bearer [redacted]" })
        #expect(transcript.exchanges.allSatisfy { $0.response.status != 401 })
        #expect(!encoded.contains(token))
    }

    @Test func requestHeadersFollowEntra() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice")])

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
            tenant: ScenarioDocuments.legacyTenant, timeline: [#"{"event": "testConnection"}"#])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.name == "simulator-test")
        #expect(transcript.description == "A test scenario")
        #expect(transcript.source.kind == .simulated)
        #expect(transcript.source.tool == "scimtape-tests")
        #expect(transcript.source.scenario == "Recordings/scenarios/test.json")
        #expect(transcript.source.dialect == "legacy")
        #expect(transcript.source.profile == "front")
        #expect(SCIMDateTime.parse(transcript.source.recordedAt ?? "") != nil)
        #expect(transcript.exchanges.map(\.step) == ["testConnection"])
    }

    @Test func transcriptSurvivesEncodeAndDecode() throws {
        let scenario = try ScenarioDocuments.scenario(
            front: #"{"deletedTeammates": ["bob@contoso.example"]}"#,
            timeline: [
                Events.testConnection, Events.assign("alice"), Events.event("unassign", "alice"),
                Events.event("probe", "alice"),
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

extension SimulationError {
    var isTargetUnreachable: Bool {
        if case .targetUnreachable = self { true } else { false }
    }
}
