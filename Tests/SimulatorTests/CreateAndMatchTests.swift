import Foundation
import HTTP
import SCIM
import Simulator
import Testing
import Transcript

/// Matching queries in precedence order, then the POST of an unmatched user.
@Suite struct SimulatedCreateBody {
    @Test func postBodyMatchesMicrosoftLayout() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice"), Events.start])

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
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice"), Events.start])

        let transcript = try simulate(scenario).transcript

        let keys = try #require(transcript.exchanges(step: "create").first?.request.body.json?.objectValue?.keys)
        #expect(Array(keys.prefix(4)) == ["schemas", "externalId", "userName", "active"])
        #expect(keys.filter { microsoftOrder.contains($0) } == microsoftOrder)
    }

    @Test func entraDefaultPostCarriesEnterpriseExtension() throws {
        let user =
            #"{"key": "alice", "objectId": "1", "userPrincipalName": "alice@contoso.example", "mail": "alice@mail.contoso.example", "givenName": "Alice", "surname": "Example", "displayName": "Alice Example", "jobTitle": "Lead", "department": "Support", "employeeId": "E-1"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"mapping": "entra-default"}"#, users: [user],
            timeline: [Events.assign("alice", role: nil), Events.start])

        let transcript = try simulate(scenario).transcript

        let body = try #require(transcript.exchanges(step: "create").first?.request.body.json)
        #expect(body["emails"] == [["primary": true, "type": "work", "value": "alice@mail.contoso.example"]])
        #expect(body["title"] == "Lead")
        #expect(body["externalId"] == "alice")
        #expect(
            body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] == [
                "department": "Support", "employeeNumber": "E-1",
            ])
        #expect(body["urn:ietf:params:scim:schemas:extension:frontapp:teammate"] == nil)
    }

    @Test func createActiveFollowsMappingWhenSwitched() throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"aadOptscim062020": false, "shapes": {"createActive": "mapped"}}"#,
            timeline: [Events.assign("alice"), Events.start])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.exchanges(step: "create").first?.request.body.json?["active"] == "true")
        #expect(transcript.exchanges(step: "create").first?.response.body.json?["active"] == true)
    }

    @Test func matchQueryPrecedesCreate() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice"), Events.start])

        let transcript = try simulate(scenario).transcript

        let match = try #require(transcript.exchanges.first)
        #expect(match.step == "match")
        #expect(match.request.method == "GET")
        #expect(match.request.path == "/Users?filter=userName+eq+%22alice.example%40contoso.example%22")
        #expect(match.request.body == RecordedBody.none)
    }

    @Test func matchingFollowsPrecedenceAndStops() throws {
        let front =
            #"{"existingTeammates": [{"userName": "alice.old@contoso.example", "externalId": "alice.example"}]}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"matching": ["userName", "externalId"]}"#, front: front,
            timeline: [Events.assign("alice"), Events.start])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "match", "update"])
        #expect(transcript.exchanges[1].request.path == "/Users?filter=externalId+eq+%22alice.example%22")
        #expect(transcript.exchanges[1].description?.contains("matching precedence 2") == true)
        #expect(transcript.exchanges.last?.response.body.json?["userName"] == "alice.example@contoso.example")
    }

    @Test func firstMatchSkipsLaterAttributes() throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"matching": ["userName", "externalId"]}"#,
            timeline: [
                Events.assign("alice"), Events.start, Events.event("unassign", "alice"), Events.cycle,
                Events.assign("alice"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "match", "create", "read", "disable", "match", "enable"])
    }

    @Test func createActionOffSkipsUnmatchedUser() throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"targetObjectActions": {"create": false}}"#, timeline: [Events.assign("alice"), Events.start])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match"])
        #expect(result.log.entries.first?.status == .skipped)
    }

    @Test func requiredExternalIdBlocksCreate() throws {
        let user =
            #"{"key": "alice", "objectId": "1", "userPrincipalName": "alice@contoso.example", "mailNickname": ""}"#
        let scenario = try ScenarioDocuments.scenario(users: [user], timeline: [Events.assign("alice"), Events.start])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match"])
        #expect(result.log.entries.first?.error?.errorCode == "MandatoryFieldsMissing")
    }

    @Test func duplicateMatchIsAFailure() throws {
        let front =
            #"{"existingTeammates": [{"userName": "a1@contoso.example", "externalId": "alice.example"}, {"userName": "a2@contoso.example", "externalId": "alice.example"}]}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"matching": ["externalId"]}"#, front: front, timeline: [Events.assign("alice"), Events.start])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match"])
        #expect(result.log.entries.first?.error?.errorCode == "DuplicateTargetEntries")
    }
}

@Suite struct SimulatedFrontPreconditions {
    @Test func deletedTeammateConflictsEachCycle() throws {
        let scenario = try ScenarioDocuments.scenario(
            front: #"{"deletedTeammates": ["bob.builder@contoso.example"]}"#, users: [ScenarioDocuments.bob],
            timeline: [Events.assign("bob"), Events.start, Events.cycle, Events.event("probe", "bob")])

        let result = try simulate(scenario)

        let creates = result.transcript.exchanges(step: "create")
        #expect(result.transcript.steps == ["match", "create", "match", "create", "probe"])
        #expect(creates.map(\.response.status) == [409, 409])
        #expect(creates.first?.response.body.json?["scimType"] == "uniqueness")
        #expect(result.log.entries.map { $0.error?.errorCode } == ["EntryConflict", "EntryConflict"])
        #expect(
            result.notes
                == Array(
                    repeating: "bob.builder@contoso.example: EntryConflict; Entra retries it in the next cycle",
                    count: 2))
        #expect(result.transcript.preconditions == [.deletedTeammate(email: "bob.builder@contoso.example")])
        #expect(result.transcript.exchanges.last?.response.body.json?["totalResults"] == 0)
    }

    @Test func caseVariantTeammateIsMatched() throws {
        let carol =
            #"{"key": "carol", "objectId": "3", "userPrincipalName": "Carol@Contoso.example", "givenName": "Carol", "surname": "Example", "displayName": "Carol Example"}"#
        let front =
            #"{"existingTeammates": [{"userName": "carol@contoso.example", "displayName": "Carol Example", "name": {"givenName": "Carol", "familyName": "Example"}, "emails": [{"value": "carol@contoso.example", "type": "work", "primary": true}]}]}"#
        let scenario = try ScenarioDocuments.scenario(
            front: front, users: [carol], timeline: [Events.assign("carol"), Events.start])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "update"])
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

        #expect(first.count == 4)
        #expect(first == second)
        #expect(Set(first).count == 4, "each query sends a new GUID")
    }

    @Test func guidIsLowercaseVersionFourUUID() throws {
        let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
        let userQuery = try Regex(#"/Users\?filter=userName\+eq\+%22"# + uuid + "%22")
        let groupQuery = try Regex(#"/Groups\?excludedAttributes=members&filter=displayName\+eq\+%22"# + uuid + "%22")

        let paths = try testConnectionPaths()

        #expect(paths[0].wholeMatch(of: userQuery) != nil, "path: \(paths[0])")
        #expect(paths[1].wholeMatch(of: groupQuery) != nil, "path: \(paths[1])")
    }

    @Test func guidDependsOnNameAndSeed() throws {
        let base = try testConnectionPaths()
        let renamed = try testConnectionPaths(name: "guid-check-2")
        let reseeded = try testConnectionPaths(seed: 2)

        #expect(renamed[0] != base[0])
        #expect(reseeded[0] != base[0])
    }

    @Test func groupQueryFollowsSwitches() throws {
        let withoutGroups = try ScenarioDocuments.scenario(
            tenant: #"{"provisionGroups": false}"#, timeline: [Events.testConnection])
        let switchedOff = try ScenarioDocuments.scenario(
            tenant: #"{"shapes": {"testConnectionGroups": false}}"#, timeline: [Events.testConnection])

        #expect(try simulate(withoutGroups).transcript.exchanges.count == 1)
        #expect(try simulate(switchedOff).transcript.exchanges.count == 1)
    }

    @Test func responsesAreEmptyListResponses() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.testConnection])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["testConnection", "testConnection"])
        for exchange in result.transcript.exchanges {
            #expect(exchange.response.status == 200)
            #expect(
                exchange.response.body.json?.serialized()
                    == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0}"#
            )
        }
        #expect(result.notes.isEmpty)
    }

    @Test func failedConnectionIsNoted() throws {
        let scenario = try ScenarioDocuments.scenario(
            front: #"{"faults": [{"method": "GET", "path": "/", "status": 401, "count": 2}]}"#,
            timeline: [Events.testConnection])

        let result = try simulate(scenario)

        #expect(result.notes.count == 2)
        #expect(result.notes.first?.hasPrefix("Test Connection failed: GET /Users?filter=") == true)
    }
}
