import Foundation
import SCIM
import Simulator
import Testing
import Transcript

/// Updates: a read by the cached id, then a PATCH of only what changed.
@Suite struct SimulatedUpdateBodies {
    static let aliceWithMail =
        #"{"key": "alice", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a01", "userPrincipalName": "alice.example@contoso.example", "mail": "alice@mail.contoso.example", "givenName": "Alice", "surname": "Example", "displayName": "Alice Example"}"#

    static let nameAndMailChanges =
        #"{"displayName": "Alicia Example-Smith", "givenName": "Alicia", "surname": "Example-Smith", "mail": "alicia@mail.contoso.example"}"#

    func updateTranscript(tenant: String) throws -> Transcript {
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, users: [Self.aliceWithMail],
            timeline: [
                Events.assign("alice"), Events.start, Events.update("alice", Self.nameAndMailChanges), Events.cycle,
            ])
        return try simulate(scenario).transcript
    }

    @Test func flaggedUpdateFoldsNameAttributes() throws {
        let transcript = try updateTranscript(
            tenant: #"{"aadOptscim062020": true, "adjustments": {"workEmailFromUserPrincipalName": false}}"#)

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
        let transcript = try updateTranscript(
            tenant: #"{"aadOptscim062020": false, "adjustments": {"workEmailFromUserPrincipalName": false}}"#)

        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Alicia Example-Smith"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"alicia@mail.contoso.example"},{"op":"Replace","path":"name.givenName","value":"Alicia"},{"op":"Replace","path":"name.familyName","value":"Example-Smith"}]}"#
            ])
        #expect(transcript.exchanges.last?.response.status == 200)
    }

    @Test func flaggedRenameSeparatesWorkEmail() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start,
                Events.update("alice", #"{"userPrincipalName": "alice.smith@contoso.example"}"#), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"alice.smith@contoso.example"},{"op":"replace","value":{"userName":"alice.smith@contoso.example"}}]}"#
            ])
        #expect(transcript.exchanges.last?.response.body.json?["userName"] == "alice.smith@contoso.example")
    }

    @Test func singleReplaceKeepsPathWhenSwitchedOff() throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"shapes": {"foldSingleReplace": false}}"#,
            timeline: [
                Events.assign("alice"), Events.start, Events.update("alice", #"{"displayName": "A. E."}"#),
                Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(
            transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"A. E."}]}"#
            ])
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
            timeline: [
                Events.assign("alice"), Events.start, Events.update("alice", #"{"givenName": "Alice"}"#), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.patchBodies == [expected])
    }

    @Test func unchangedUserSendsNoPatch() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start, Events.update("alice", #"{"jobTitle": "Lead"}"#), Events.cycle,
            ])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "create", "read"])
        #expect(result.transcript.patchBodies.isEmpty)
        #expect(result.log.entries.last?.action == .other)
        #expect(result.log.entries.last?.status == .skipped)
    }

    @Test func clearedAttributeIsNeverSentAsNull() throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"mapping": "entra-default"}"#,
            users: [Self.aliceWithMail],
            timeline: [
                Events.assign("alice"), Events.start, Events.update("alice", #"{"givenName": null}"#), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "read"])
        #expect(!String(decoding: transcript.encoded(), as: UTF8.self).contains(#""value": null"#))
    }

    @Test func incrementalCycleSkipsUnchangedUsers() throws {
        let scenario = try ScenarioDocuments.scenario(
            users: [ScenarioDocuments.alice, ScenarioDocuments.bob],
            timeline: [
                Events.assign("alice"), Events.assign("bob"), Events.start,
                Events.update("bob", #"{"displayName": "Robert Builder"}"#), Events.cycle, Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "match", "create", "read", "update"])
        #expect(transcript.exchanges.last?.request.body.json?["Operations"]?.arrayValue?.count == 1)
    }
}
