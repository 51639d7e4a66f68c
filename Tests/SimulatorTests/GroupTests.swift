import Foundation
import SCIM
import Simulator
import Testing
import Transcript

/// Assigned groups: excludedAttributes queries, creation with no members, member changes.
@Suite struct SimulatedGroups {
    static let support =
        #"{"key": "support", "objectId": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c01", "displayName": "Support team", "members": ["alice"]}"#

    func run(tenant: String = ScenarioDocuments.flaggedTenant, _ timeline: [String]) throws -> Simulation.Result {
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, users: [ScenarioDocuments.alice, ScenarioDocuments.bob], groups: [Self.support],
            timeline: [Events.assignGroup("support"), Events.start] + timeline)
        return try simulate(scenario)
    }

    @Test func groupIsQueriedCreatedThenFilled() throws {
        let transcript = try run([]).transcript

        let userId = try #require(transcript.exchanges(step: "create").first?.response.body.json?["id"]?.stringValue)
        let query = try #require(transcript.exchanges.first { $0.request.path.hasPrefix("/Groups?") })
        let create = try #require(transcript.exchanges.last { $0.step == "create" })
        #expect(transcript.steps == ["match", "create", "match", "create", "members"])
        #expect(query.request.path == "/Groups?excludedAttributes=members&filter=displayName+eq+%22Support+team%22")
        #expect(
            create.request.body.json?.serialized()
                == #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"externalId":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c01","displayName":"Support team","meta":{"resourceType":"Group"}}"#
        )
        #expect(create.response.status == 201)
        #expect(create.response.body.json?["members"] == nil || create.response.body.json?["members"] == [])
        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"$ref":null,"value":"\#(userId)"}]}]}"#
            ])
        #expect(transcript.exchanges.last?.response.status == 204)
    }

    @Test func coreSchemaOnlyWhenSwitched() throws {
        let transcript = try run(tenant: #"{"shapes": {"groupSchemas": "core"}}"#, []).transcript

        let create = try #require(transcript.exchanges.last { $0.step == "create" })
        #expect(create.request.body.json?["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Group"])
    }

    /// Expected removal bodies; `USER-ID` stands for the id the endpoint gave Alice.
    static let removals: [(String, String)] = [
        (
            ScenarioDocuments.flaggedTenant,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"USER-ID\"]"}]}"#
        ),
        (
            ScenarioDocuments.legacyTenant,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"USER-ID"}]}]}"#
        ),
    ]

    @Test(arguments: removals)
    func removedMemberIsBlockedAndRemoved(tenant: String, expected: String) throws {
        let transcript = try run(tenant: tenant, [Events.member("removeMember", "support", "alice"), Events.cycle])
            .transcript

        let userId = try #require(transcript.exchanges(step: "create").first?.response.body.json?["id"]?.stringValue)
        #expect(
            transcript.steps == ["match", "create", "match", "create", "members", "read", "disable", "read", "members"])
        #expect(transcript.patchBodies.last == expected.replacingOccurrences(of: "USER-ID", with: userId))
        #expect(transcript.exchanges.last?.response.status == 204)
    }

    @Test func newMemberIsCreatedBeforeAdded() throws {
        let transcript = try run([Events.member("addMember", "support", "bob"), Events.cycle]).transcript

        let bobCreate = transcript.exchanges(step: "create").last { $0.request.path == "/Users" }
        let bobId = try #require(bobCreate?.response.body.json?["id"]?.stringValue)
        #expect(Array(transcript.steps.suffix(4)) == ["match", "create", "read", "members"])
        #expect(transcript.patchBodies.last?.contains(#""value":"\#(bobId)""#) == true)
        #expect(transcript.exchanges.last?.request.path.hasPrefix("/Groups/") == true)
    }

    static let renames: [(String, String)] = [
        (
            ScenarioDocuments.flaggedTenant,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"Customer support"}}]}"#
        ),
        (
            ScenarioDocuments.legacyTenant,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Customer support"}]}"#
        ),
    ]

    @Test(arguments: renames)
    func renameReadsWithoutMembersThenPatches(tenant: String, expected: String) throws {
        let transcript = try run(
            tenant: tenant,
            [#"{"event": "renameGroup", "group": "support", "displayName": "Customer support"}"#, Events.cycle]
        ).transcript

        let read = try #require(transcript.exchanges(step: "read").last)
        #expect(read.request.path.hasSuffix("?excludedAttributes=members"))
        #expect(read.response.body.json?["members"] == nil)
        #expect(transcript.patchBodies.last == expected)
        #expect(transcript.exchanges.last?.response.status == 204)
    }

    @Test func unassignedGroupIsDeletedAndMembersBlocked() throws {
        let transcript = try run([Events.groupEvent("unassign", "support"), Events.cycle]).transcript

        #expect(Array(transcript.steps.suffix(3)) == ["read", "disable", "delete"])
        #expect(transcript.exchanges.last?.request.method == "DELETE")
        #expect(transcript.exchanges.last?.response.status == 204)
    }

    @Test func groupProvisioningOffSendsNoGroups() throws {
        let transcript = try run(tenant: #"{"provisionGroups": false}"#, []).transcript

        #expect(transcript.steps == ["match", "create"])
        #expect(!transcript.exchanges.contains { $0.request.path.hasPrefix("/Groups") })
    }

    @Test func probeShowsTargetMembers() throws {
        let transcript = try run([Events.groupEvent("probe", "support")]).transcript

        let userId = try #require(transcript.exchanges(step: "create").first?.response.body.json?["id"]?.stringValue)
        let members = transcript.exchanges.last?.response.body.json?["members"]?.arrayValue ?? []
        #expect(members.compactMap { $0["value"]?.stringValue } == [userId])
    }
}
