import Foundation
import SCIM
import Simulator
import Testing
import Transcript

/// Target failures: throttling, server errors, lost ids, credentials and quarantine.
@Suite struct SimulatedFailures {
    static let throttle = #"{"faults": [{"method": "POST", "path": "/Users", "status": 429, "retryAfter": 1}]}"#

    @Test func retryAfterIsHonoured() throws {
        let scenario = try ScenarioDocuments.scenario(
            front: Self.throttle, timeline: [Events.assign("alice"), Events.start])
        let started = Date()

        let result = try simulate(scenario)

        let creates = result.transcript.exchanges(step: "create")
        #expect(Date().timeIntervalSince(started) >= 1, "Entra waits the Retry-After seconds")
        #expect(creates.map(\.response.status) == [429, 201])
        #expect(creates.first?.response.headers["Retry-After"] == "1")
        #expect(creates.last?.description?.contains("after waiting 1 s") == true)
        #expect(result.log.entries.first?.status == .success)
        #expect(result.log.entries.first?.steps.contains { $0.name == "Throttled" } == true)
    }

    @Test func ignoredRetryAfterRetriesNextCycle() throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"retryAfter": "ignore"}"#, front: Self.throttle,
            timeline: [Events.assign("alice"), Events.start, Events.cycle])

        let result = try simulate(scenario)

        #expect(result.transcript.steps == ["match", "create", "match", "create"])
        #expect(result.transcript.exchanges(step: "create").map(\.response.status) == [429, 201])
        #expect(result.log.entries.map { $0.error?.errorCode } == ["TooManyRequests", nil])
        #expect(result.log.cycles[1].startedAt - result.log.cycles[0].startedAt == 40 * 60)
    }

    @Test func longRetryAfterIsNotAwaited() throws {
        let front = #"{"faults": [{"method": "POST", "path": "/Users", "status": 429, "retryAfter": 3600}]}"#
        let scenario = try ScenarioDocuments.scenario(front: front, timeline: [Events.assign("alice"), Events.start])

        let result = try simulate(scenario)

        #expect(result.transcript.exchanges(step: "create").count == 1)
        #expect(result.log.entries.first?.error?.errorCode == "TooManyRequests")
    }

    @Test func repeatedThrottlingGivesUpAfterRetries() throws {
        let front = #"{"faults": [{"method": "POST", "path": "/Users", "status": 429, "retryAfter": 0, "count": 5}]}"#
        let scenario = try ScenarioDocuments.scenario(front: front, timeline: [Events.assign("alice"), Events.start])

        let result = try simulate(scenario)

        #expect(result.transcript.exchanges(step: "create").count == 4)
        #expect(result.log.entries.first?.error?.errorCode == "TooManyRequests")
    }

    static let serverErrors: [(Int, String)] = [
        (500, "InternalServerError"), (503, "InternalServerError"), (501, "NotImplemented"),
    ]

    @Test(arguments: serverErrors)
    func serverErrorRetriesNextCycle(status: Int, code: String) throws {
        let front = #"{"faults": [{"method": "POST", "path": "/Users", "status": \#(status)}]}"#
        let scenario = try ScenarioDocuments.scenario(
            front: front, timeline: [Events.assign("alice"), Events.start, Events.cycle])

        let result = try simulate(scenario)

        #expect(result.transcript.exchanges(step: "create").map(\.response.status) == [status, 201])
        #expect(result.log.entries.first?.error?.errorCode == code)
        #expect(result.log.entries.first?.error?.errorCategory == "nonServiceFailure")
        #expect(result.log.entries.last?.action == .create)
        #expect(result.log.entries.last?.status == .success)
    }

    @Test func lostIdIsInvalidAnchorUntilRestart() throws {
        let front = #"{"faults": [{"method": "GET", "path": "/Users/", "status": 404, "count": 2}]}"#
        let scenario = try ScenarioDocuments.scenario(
            front: front,
            timeline: [
                Events.assign("alice"), Events.start, Events.update("alice", #"{"displayName": "A. E."}"#),
                Events.cycle,
                Events.cycle, Events.restart(full: true),
            ])

        let result = try simulate(scenario)

        let reads = result.transcript.exchanges(step: "read")
        #expect(result.transcript.steps == ["match", "create", "read", "read", "match", "update"])
        #expect(reads.first?.request.path == reads.last?.request.path, "Entra keeps the id until the restart")
        #expect(result.log.entries.compactMap { $0.error?.errorCode } == ["InvalidAnchor", "InvalidAnchor"])
    }

    @Test func rejectedCredentialsQuarantineJob() throws {
        let front = #"{"faults": [{"method": "*", "path": "/", "status": 401, "count": 2}]}"#
        let scenario = try ScenarioDocuments.scenario(
            front: front, timeline: [Events.assign("alice"), Events.start, Events.cycle, Events.restart()])

        let result = try simulate(scenario)

        let cycles = result.log.cycles
        #expect(cycles.map(\.quarantine) == ["EncounteredQuarantineException", "EncounteredQuarantineException", nil])
        #expect(cycles[1].startedAt - cycles[0].startedAt == 6 * 3600)
        #expect(cycles[1].nextCycleAt == cycles[0].startedAt + 12 * 3600)
        #expect(result.notes.contains { $0.hasPrefix("the job is in quarantine (EncounteredQuarantineException)") })
        #expect(result.transcript.steps.suffix(2) == ["match", "create"])
    }

    @Test func escrowThresholdQuarantinesJob() throws {
        let front = #"{"faults": [{"method": "POST", "path": "/Users", "status": 409, "count": 2}]}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"quarantine": {"minimumFailures": 2}}"#, front: front,
            users: [ScenarioDocuments.alice, ScenarioDocuments.bob],
            timeline: [Events.assign("alice"), Events.assign("bob"), Events.start, Events.cycle])

        let result = try simulate(scenario)

        #expect(result.log.cycles.first?.quarantine == "EncounteredEscrowProportionThreshold")
        #expect(result.log.cycles.last?.quarantine == nil)
        #expect(
            result.notes.contains(
                "the cycle succeeded, so the job leaves quarantine (EncounteredEscrowProportionThreshold)"))
    }

    @Test func fourWeeksInQuarantineDisableJob() throws {
        let front = #"{"faults": [{"method": "*", "path": "/", "status": 401, "count": 100}]}"#
        let cycles = Array(repeating: Events.cycle, count: 33)
        let scenario = try ScenarioDocuments.scenario(
            front: front, timeline: [Events.assign("alice"), Events.start] + cycles)

        let result = try simulate(scenario)

        let skipped = result.log.cycles.filter(\.skipped)
        #expect(!skipped.isEmpty)
        #expect(result.notes.contains("the job stayed in quarantine for four weeks and is disabled"))
        let lastRun = try #require(result.log.cycles.last { !$0.skipped })
        #expect(lastRun.startedAt - result.log.cycles[0].startedAt <= 28 * 24 * 3600)
    }
}
