import Foundation
import SCIM
import Simulator
import Testing
import Transcript

/// Provision on demand, restarts and the provisioning log.
@Suite struct SimulatedCycles {
    @Test func onDemandIgnoresFlag() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.event("provisionOnDemand", "alice"),
                Events.update("alice", #"{"displayName": "A. E."}"#), Events.event("provisionOnDemand", "alice"),
                Events.start, Events.update("alice", #"{"displayName": "Alice Example"}"#), Events.cycle,
            ])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "create", "read", "update", "read", "read", "update"])
        #expect(
            result.transcript.patchBodies == [
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"A. E."}]}"#,
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"Alice Example"}}]}"#,
            ])
        #expect(result.log.cycles.map(\.kind) == [.onDemand, .onDemand, .initial, .incremental])
        #expect(result.log.entries.first?.onDemand == true)
    }

    @Test func onDemandOfUnassignedUserIsSkipped() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.event("provisionOnDemand", "alice")])

        let result = try simulate(scenario)

        #expect(result.transcript.exchanges.isEmpty)
        #expect(result.log.entries.first?.status == .skipped)
    }

    @Test func restartKeepsLinksAndReadsEveryUser() throws {
        let scenario = try ScenarioDocuments.scenario(
            users: [ScenarioDocuments.alice, ScenarioDocuments.bob],
            timeline: [Events.assign("alice"), Events.assign("bob"), Events.start, Events.restart()])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "create", "match", "create", "read", "read"])
        #expect(result.log.cycles.map(\.kind) == [.initial, .initial])
    }

    @Test func fullRestartMatchesAgain() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [Events.assign("alice"), Events.start, Events.restart(full: true)])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.steps == ["match", "create", "match"])
    }

    @Test func cyclesRunFortyMinutesApart() throws {
        let document = ScenarioDocuments.document(
            timeline: [Events.assign("alice"), Events.start, Events.cycle, Events.cycle],
            members: #""startTime": "2025-03-01T08:00:00Z", "#)
        let scenario = try Scenario(json: try JSONValue.parse(document))

        let log = try simulate(scenario).log

        #expect(
            log.cycles.map { SCIMDateTime.format($0.startedAt) } == [
                "2025-03-01T08:00:00.000Z", "2025-03-01T08:40:00.000Z", "2025-03-01T09:20:00.000Z",
            ])
    }

    @Test func accountDisabledBlocksAndEnabledUnblocks() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start, Events.event("disableAccount", "alice"), Events.cycle,
                Events.event("enableAccount", "alice"), Events.cycle,
            ])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "create", "read", "disable", "read", "enable"])
        #expect(result.log.entries.map(\.action) == [.create, .disable, .update])
        #expect(result.log.entries[1].steps.contains { $0.description.contains("the account is disabled in Entra") })
    }
}

@Suite struct SimulatedProvisioningLog {
    @Test func entryHasGraphShape() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.assign("alice"), Events.start])

        let result = try simulate(scenario)

        let json = result.log.json
        let entry = try #require(json["value"]?.arrayValue?.first?.objectValue)
        #expect(json["format"] == "scimtape.provisioning-log")
        #expect(json["targetSystem"] == "Front")
        #expect(
            entry.keys == [
                "id", "activityDateTime", "changeId", "cycleId", "durationInMilliseconds", "initiatedBy", "jobId",
                "modifiedProperties", "provisioningAction", "provisioningStatusInfo", "provisioningSteps",
                "sourceIdentity", "sourceSystem", "targetIdentity", "targetSystem",
            ])
        #expect(entry["provisioningAction"] == "create")
        #expect(entry["provisioningStatusInfo"] == ["status": "success"])
        #expect(entry["sourceIdentity"]?["id"] == "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a01")
        #expect(entry["targetIdentity"]?["id"] == result.transcript.exchanges.last?.response.body.json?["id"])
        #expect(
            entry["provisioningSteps"]?.arrayValue?.compactMap { $0["provisioningStepType"]?.stringValue } == [
                "import", "scoping", "matching", "export",
            ])
    }

    @Test func failureCarriesErrorInformation() throws {
        let scenario = try ScenarioDocuments.scenario(
            front: #"{"deletedTeammates": ["alice.example@contoso.example"]}"#,
            timeline: [Events.assign("alice"), Events.start])

        let log = try simulate(scenario).log

        let error = try #require(log.entries.first?.error)
        #expect(log.entries.first?.action == .create)
        #expect(log.entries.first?.status == .failure)
        #expect(error.errorCode == "EntryConflict")
        #expect(
            error.additionalDetails.hasPrefix(
                "POST /Users returned 409: alice.example@contoso.example belongs to a teammate"))
    }

    @Test func logIsReproducibleApartFromDurations() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [Events.assign("alice"), Events.start, Events.event("unassign", "alice"), Events.cycle])

        let first = try simulate(scenario).log
        let second = try simulate(scenario).log

        #expect(first.jobId == second.jobId)
        #expect(first.entries.map(\.id) == second.entries.map(\.id))
        #expect(first.entries.map(\.activityDateTime) == second.entries.map(\.activityDateTime))
        #expect(first.cycles.map(\.id) == second.cycles.map(\.id))
    }

    @Test func logPathSitsBesideTranscript() {
        #expect(
            ProvisioningLog.path(forTranscript: "Recordings/02-create-user.json")
                == "Recordings/02-create-user.provisioning-log.json")
        #expect(ProvisioningLog.path(forTranscript: "out") == "out.provisioning-log.json")
    }
}
