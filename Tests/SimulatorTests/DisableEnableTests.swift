import Foundation
import SCIM
import Simulator
import Testing
import Transcript

/// PATCH bodies Entra sends when a user leaves and re-enters scope, in both dialects.
@Suite struct SimulatedDisableBodies {
    static let patchOp = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":"#

    static func activeBody(op: String, value: String) -> String {
        patchOp + #"[{"op":"\#(op)","path":"active","value":\#(value)}]}"#
    }

    @Test func flaggedDisableSendsJSONBoolean() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [
            Events.assign("alice"), Events.start, Events.event("unassign", "alice"), Events.cycle,
        ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "read", "disable"])
        #expect(transcript.patchBodies == [Self.activeBody(op: "replace", value: "false")])
        #expect(transcript.exchanges.last?.response.status == 200)
        #expect(transcript.exchanges.last?.response.body.json?["active"] == false)
    }

    /// The ToLower adjustment decides the string in the legacy dialect; the flag makes it a boolean.
    static let toLowerCases: [(tenant: String, disable: String, enable: String)] = [
        (
            #"{"aadOptscim062020": false, "adjustments": {"toLowerActive": false}}"#,
            activeBody(op: "Replace", value: #""False""#), activeBody(op: "Replace", value: #""True""#)
        ),
        (
            #"{"aadOptscim062020": false, "adjustments": {"toLowerActive": true}}"#,
            activeBody(op: "Replace", value: #""false""#), activeBody(op: "Replace", value: #""true""#)
        ),
        (
            #"{"aadOptscim062020": true, "adjustments": {"toLowerActive": false}}"#,
            activeBody(op: "replace", value: "false"), activeBody(op: "replace", value: "true")
        ),
        (
            #"{"aadOptscim062020": true, "adjustments": {"toLowerActive": true}}"#,
            activeBody(op: "replace", value: "false"), activeBody(op: "replace", value: "true")
        ),
    ]

    @Test(arguments: toLowerCases)
    func toLowerAndDialectPickActiveValue(tenant: String, disable: String, enable: String) throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant,
            timeline: [
                Events.assign("alice"), Events.start, Events.event("disableAccount", "alice"), Events.cycle,
                Events.event("enableAccount", "alice"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.patchBodies == [disable, enable])
        #expect(transcript.exchanges(step: "disable").first?.response.body.json?["active"] == false)
        #expect(transcript.exchanges(step: "enable").first?.response.body.json?["active"] == true)
    }

    static let reassignments: [(String, String, String)] = [
        (
            ScenarioDocuments.flaggedTenant, activeBody(op: "replace", value: "false"),
            activeBody(op: "replace", value: "true")
        ),
        (
            ScenarioDocuments.legacyTenant, activeBody(op: "Replace", value: #""false""#),
            activeBody(op: "Replace", value: #""true""#)
        ),
    ]

    @Test(arguments: reassignments)
    func reassignmentUnblocksSameTeammate(tenant: String, disable: String, enable: String) throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant,
            timeline: [
                Events.assign("alice"), Events.start, Events.event("unassign", "alice"), Events.cycle,
                Events.assign("alice"), Events.cycle,
            ])

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
            timeline: [
                Events.assign("alice"), Events.start, Events.event("softDelete", "alice"), Events.cycle,
                Events.event("restore", "alice"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "read", "disable", "read", "enable"])
        #expect(
            transcript.patchBodies == [
                Self.activeBody(op: "replace", value: "false"), Self.activeBody(op: "replace", value: "true"),
            ])
    }

    @Test func disableWithoutReadWhenSwitchedOff() throws {
        let tenant = #"{"shapes": {"readBeforeDisable": false}}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant,
            timeline: [Events.assign("alice"), Events.start, Events.event("softDelete", "alice"), Events.cycle])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "disable"])
    }

    @Test func unassignedUserIsNotDeletedLater() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start, Events.event("unassign", "alice"), Events.cycle,
                Events.event("hardDelete", "alice"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "read", "disable"], "Entra no longer manages the user")
    }

    @Test func updateActionOffSendsNoDisable() throws {
        let tenant = #"{"targetObjectActions": {"update": false}}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant,
            timeline: [Events.assign("alice"), Events.start, Events.event("softDelete", "alice"), Events.cycle])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "create"])
        #expect(result.log.entries.last?.status == .skipped)
    }
}
