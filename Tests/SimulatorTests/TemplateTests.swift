import Foundation
import SCIM
import Simulator
import Testing
import Transcript

/// The teammate template: SingleAppRoleAssignment, applied only during object creation.
@Suite struct SimulatedTemplateMapping {
    static let teammateKey = "urn:ietf:params:scim:schemas:extension:frontapp:teammate"

    @Test func creationOnlySendsTemplateOnlyInPost() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start, Events.changeRole("alice", "template-sales"),
                Events.update("alice", #"{"displayName": "Alice E."}"#), Events.cycle,
            ])

        let result = try simulate(scenario)

        let post = try #require(result.transcript.exchanges(step: "create").first?.request.body.json)
        #expect(post[Self.teammateKey] == ["template": "template-support"])
        #expect(
            result.transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"Alice E."}}]}"#
            ])
        let steps = result.log.entries.last?.steps.map(\.description) ?? []
        #expect(steps.contains { $0.contains("the app role template-sales is not sent") })
    }

    @Test func roleChangeAloneSendsNothing() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start, Events.changeRole("alice", "template-sales"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "read"])
    }

    @Test func alwaysSendsTemplateInEveryPatch() throws {
        let tenant = #"{"aadOptscim062020": true, "templateMapping": "always"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant,
            timeline: [
                Events.assign("alice"), Events.start, Events.changeRole("alice", "template-sales"), Events.cycle,
                Events.event("probe", "alice"), Events.update("alice", #"{"displayName": "Alice E."}"#), Events.cycle,
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
            tenant: tenant,
            timeline: [
                Events.assign("alice"), Events.start, Events.changeRole("alice", "template-sales"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:frontapp:teammate:template","value":"template-sales"}]}"#
            ])
    }

    @Test func noTemplateMappingOmitsExtension() throws {
        let tenant = #"{"aadOptscim062020": true, "templateMapping": "none"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant,
            timeline: [
                Events.assign("alice"), Events.start, Events.changeRole("alice", "template-sales"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        let post = try #require(transcript.exchanges(step: "create").first?.request.body.json?.objectValue)
        #expect(post[Self.teammateKey] == nil)
        #expect(transcript.patchBodies.isEmpty)
    }

    @Test func defaultAccessCreatesWithoutTemplate() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice", role: nil), Events.start])

        let transcript = try simulate(scenario).transcript

        let create = try #require(transcript.exchanges(step: "create").first)
        #expect(create.request.body.json?.objectValue?[Self.teammateKey] == nil)
        #expect(create.description?.contains("without a teammate template") == true)
        #expect(create.response.body.json?.objectValue?[Self.teammateKey] == nil)
    }

    @Test func blockedTeammateIsMatchedNotGivenTemplate() throws {
        let front =
            #"{"existingTeammates": [{"userName": "alice.example@contoso.example", "displayName": "Alice Example", "name": {"givenName": "Alice", "familyName": "Example"}, "emails": [{"value": "alice.example@contoso.example", "type": "work", "primary": true}], "blocked": true}]}"#
        let scenario = try ScenarioDocuments.scenario(
            front: front,
            timeline: [Events.assign("alice", role: "template-sales"), Events.start, Events.event("probe", "alice")])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "enable", "probe", "probe"])
        #expect(!transcript.patchBodies.joined().contains("template"))
        #expect(transcript.exchanges(step: "probe").first?.response.body.json?[Self.teammateKey] == nil)
    }

    static let roleChoices: [(String, String)] = [("first", "template-support"), ("last", "template-sales")]

    @Test(arguments: roleChoices)
    func severalRolesPickOneAndSaySo(choice: String, expected: String) throws {
        let group =
            #"{"key": "sales", "objectId": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c02", "displayName": "Sales", "members": ["alice"]}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"roleChoice": "\#(choice)", "provisionGroups": false}"#, groups: [group],
            timeline: [
                Events.assign("alice", role: "template-support"), Events.assignGroup("sales", role: "template-sales"),
                Events.start,
            ])

        let result = try simulate(scenario)

        let post = try #require(result.transcript.exchanges(step: "create").first?.request.body.json)
        #expect(post[Self.teammateKey] == ["template": .string(expected)])
        #expect(
            result.notes == [
                "alice.example@contoso.example: several app roles are assigned (template-support, template-sales); "
                    + "SingleAppRoleAssignment picked \(expected)"
            ])
        #expect(result.log.entries.first?.steps.contains { $0.name == "RoleChoice" && $0.status == .warning } == true)
    }
}
