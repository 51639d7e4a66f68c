import Foundation
import HTTP
import ReferenceServer
import SCIM
import Testing
import Transcript

@testable import Verifier

/// Bootstrap, state hooks, cleanup, derived checks, 429 retries, baselines and updates.
@Suite struct ReplayFeatures {
    private func transcript(_ file: String) throws -> Transcript {
        try #require(try shippedTranscripts().first { $0.file == file }).transcript
    }

    @Test func bootstrapCreatesUsersACaptureStartsWith() throws {
        var midLifecycle = try transcript("04-unassign-reassign.json")
        // Drop the match and the create, as a capture that started after the user existed.
        midLifecycle.exchanges.removeFirst(2)

        let with = try #require(try verifyEmbedded([("mid.json", midLifecycle)]).first)
        var noBootstrap = VerifyOptions()
        noBootstrap.bootstrap = false
        let without = try #require(try verifyEmbedded([("mid.json", midLifecycle)], options: noBootstrap).first)

        #expect(with.status == .passed, "\(describe([with]))")
        let note = try #require(with.findings.first { $0.rule == "bootstrap" })
        #expect(note.severity == .note)
        #expect(note.message.hasPrefix("created User"))
        #expect(without.status == .failed)
    }

    @Test func stateHookSetsUpPreconditions() throws {
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(token: "hook-token"))
        try server.start()
        defer { server.stop() }
        let deleted = try transcript("08-deleted-teammate.json")
        // The hook forwards the precondition to the admin route, as a user's own hook would call their endpoint.
        let forward =
            #"curl -sf -X POST -H "Authorization: Bearer $SCIMTAPE_TOKEN" -H "Content-Type: application/json" --data "{\"preconditions\":[$(cat)]}" "\#(server.origin)/_scimtape/state" > /dev/null"#
        var options = VerifyOptions(target: server.baseURL, token: "hook-token")
        options.stateHook = forward

        let applied = try Verifier(options: options).verify(deleted, file: "08.json")
        options.stateHook = "echo 'no deleted teammates in this tenant' >&2; exit 3"
        let skipped = try Verifier(options: options).verify(deleted, file: "08.json")
        options.stateHook = "exit 1"
        let broken = try Verifier(options: options).verify(deleted, file: "08.json")

        #expect(applied.status == .passed, "\(describe([applied]))")
        #expect(skippedReasonContains(skipped, "the state hook cannot set up"))
        #expect(skippedReasonContains(skipped, "no deleted teammates in this tenant"))
        #expect(broken.status == .failed)
        #expect(broken.errors.first?.rule == "precondition")
    }

    private func skippedReasonContains(_ outcome: TranscriptOutcome, _ text: String) -> Bool {
        if case .skipped(let reason) = outcome.status {
            return reason.contains(text)
        }
        return false
    }

    @Test func cleanupRemovesWhatTheReplayCreated() throws {
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(profile: .rfc))
        try server.start()
        defer { server.stop() }
        let transcripts = try shippedTranscripts()
        let options = VerifyOptions(profile: .rfc, target: server.baseURL)

        let outcomes = try verifyEmbedded(transcripts, options: options)
        let state = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/_scimtape/state"), url: server.origin + "/_scimtape/state")

        #expect(outcomes.allSatisfy { $0.status == .passed }, "\(describe(outcomes))")
        let existing = transcripts.flatMap(\.transcript.preconditions).filter {
            if case .existingTeammate = $0 { true } else { false }
        }
        #expect(
            try JSONValue.parse(bytes: state.body)["users"]?.intValue == existing.count,
            "only precondition users remain")
        #expect(try JSONValue.parse(bytes: state.body)["groups"]?.intValue == 0)
        #expect(outcomes.contains { $0.findings.contains { $0.rule == "cleanup" } })
    }

    @Test func derivedChecksPassOnCleanEndpoint() throws {
        let transcripts = try shippedTranscripts()
        var options = VerifyOptions()
        options.derive = true

        let outcomes = try verifyEmbedded(transcripts, options: options)

        #expect(outcomes.allSatisfy { $0.status == .passed }, "\(describe(outcomes))")
    }

    @Test(arguments: [
        (Deviation.caseSensitiveUserName, "derived-username-case"), (.deleteUnknown204, "derived-unknown-id"),
        (.deletedTeammateDuplicate, "deleted-teammate"),
    ])
    func derivedChecksCatchFaults(deviation: Deviation, rule: String) throws {
        let create = try transcript("02-create-user.json")
        var options = VerifyOptions(embeddedDeviations: [deviation])
        options.derive = true

        let outcome = try verifyEmbedded(
            [("02.json", create), ("08.json", try transcript("08-deleted-teammate.json"))], options: options)

        #expect(outcome.flatMap(\.errors).contains { $0.rule == rule }, "\(describe(outcome))")
    }

    @Test func tooManyRequestsIsRetried() throws {
        let endpoint = try ReferenceEndpoint(configuration: ReferenceServerConfiguration())
        let counter = Captured<[Int]>()
        let server = HTTPServer(configuration: HTTPServerConfiguration()) { request in
            counter.append(0)
            if (counter.value?.count ?? 0) % 2 == 1 {
                return HTTPResponse(status: HTTPStatus(code: 429), headers: [("Retry-After", "0")])
            }
            return endpoint.handle(request)
        }
        try server.start()
        defer { server.stop() }
        let create = try transcript("02-create-user.json")

        let retried = try Verifier(options: VerifyOptions(target: server.origin + "/scim/v2")).verify(
            create, file: "02.json")
        var noRetries = VerifyOptions(target: server.origin + "/scim/v2")
        noRetries.retries.maximumRetries = 0
        let failed = try Verifier(options: noRetries).verify(create, file: "02.json")

        #expect(retried.status == .passed, "\(describe([retried]))")
        #expect(retried.findings.contains { $0.rule == "retry" && $0.severity == .note })
        #expect(failed.status == .failed)
    }

    @Test(arguments: [("0", 0.0), ("2", 2.0), ("120", 30.0), ("soon", 1.0), (nil, 1.0)] as [(String?, Double)])
    func retryAfterIsBounded(header: String?, seconds: Double) {
        #expect(RetryPolicy().delay(retryAfter: header) == seconds)
    }

    @Test func baselineAcceptsKnownFindingsAndReportsUnusedOnes() throws {
        let outcomes = try verifyEmbedded(
            try shippedTranscripts(), options: VerifyOptions(embeddedDeviations: [.hardDelete]))
        let baseline = Baseline.accepting(
            outcomes, reason: "the endpoint removes on DELETE until the block feature ships")
        var stale = baseline
        stale.entries.append(
            BaselineEntry(transcript: "nothing", exchange: 1, rule: "status", path: nil, reason: "old"))
        var used = Set<Int>()

        let remaining = outcomes.map { outcome in
            stale.partition(outcome.findings, transcript: outcome.name, used: &used).remaining
        }

        #expect(!baseline.entries.isEmpty)
        #expect(remaining.allSatisfy { findings in !findings.contains { $0.severity == .error } })
        #expect(!used.contains(stale.entries.count - 1), "the stale entry matched nothing")
    }

    @Test func updateRewritesOnlyWhatChanged() throws {
        var edited = try transcript("02-create-user.json")
        let index = try #require(edited.exchanges.firstIndex { $0.request.method == "POST" })
        guard case .json(.object(var body)) = edited.exchanges[index].response.body else {
            throw TestFailure("no body")
        }
        let recordedId = body["id"]
        body["displayName"] = "Stale Name"
        edited.exchanges[index].response.body = .json(.object(body))
        let outcome = try #require(try verifyEmbedded([("edited.json", edited)]).first)

        let (updated, changes) = TranscriptUpdater.update(edited, from: outcome, profile: .front)
        let again = try #require(try verifyEmbedded([("updated.json", updated)]).first)

        #expect(changes.map(\.location) == ["$.displayName"])
        #expect(changes.first?.new == #""Alice Example""#)
        #expect(updated.exchanges[index].response.body.json?["id"] == recordedId, "ids keep their recorded values")
        #expect(again.status == .passed, "\(describe([again]))")
    }

    /// A replay accepts members the recording lacks, so an update does not add them.
    @Test func updateKeepsPassingTranscript() throws {
        var trimmed = try transcript("02-create-user.json")
        for index in trimmed.exchanges.indices {
            if case .json(.object(var body)) = trimmed.exchanges[index].response.body {
                body["meta"] = nil
                trimmed.exchanges[index].response.body = .json(.object(body))
            }
        }
        let outcome = try #require(try verifyEmbedded([("trimmed.json", trimmed)]).first)

        let (updated, changes) = TranscriptUpdater.update(trimmed, from: outcome, profile: .front)

        #expect(outcome.status == .passed, "\(describe([outcome]))")
        #expect(changes.isEmpty, "\(changes.map(\.location))")
        #expect(updated == trimmed)
    }

    /// An endpoint may use the userName as the id: the userName, emails and externalId keep their
    /// recorded values while the path and an `id eq` filter get the live id.
    @Test func idEqualToUserNameReplays() throws {
        let name = "ann@x.example"
        let user: JSONValue = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": .string(name),
            "externalId": .string(name), "active": true, "emails": [["value": .string(name), "type": "work"]],
        ]
        guard case .object(var created) = user else {
            throw TestFailure("no object")
        }
        created["id"] = .string(name)
        let filter = RequestTarget.encodeFormValue("id eq \"\(name)\"")
        let list: JSONValue = ["totalResults": 1, "Resources": [.object(created)]]
        let recorded = Transcript(
            name: "id-is-username", description: "", source: .init(kind: .handwritten),
            exchanges: [
                Exchange(
                    request: .init(method: "POST", path: "/Users", body: .json(user)),
                    response: .init(status: 201, body: .json(.object(created)))),
                Exchange(
                    request: .init(method: "GET", path: "/Users/" + name),
                    response: .init(status: 200, body: .json(.object(created)))),
                Exchange(
                    request: .init(method: "GET", path: "/Users?filter=" + filter),
                    response: .init(status: 200, body: .json(list))),
                Exchange(
                    request: .init(method: "POST", path: "/Users", body: .json(user)),
                    response: .init(status: 409)),
            ])

        let outcome = try #require(try verifyEmbedded([("id-is-username.json", recorded)]).first)

        #expect(outcome.status == .passed, "\(describe([outcome]))")
    }

    @Test func matchersReplaceDefaultComparison() throws {
        var create = try transcript("02-create-user.json")
        let index = try #require(create.exchanges.firstIndex { $0.request.method == "POST" })
        guard case .json(.object(var body)) = create.exchanges[index].response.body else {
            throw TestFailure("no body")
        }
        body["displayName"] = "Anything"
        create.exchanges[index].response.body = .json(.object(body))
        create.exchanges[index].expectations.matchers = [
            MatcherEntry(pattern: JSONPathPattern("$.displayName")!, matcher: .type("string")),
            MatcherEntry(pattern: JSONPathPattern("$.id")!, matcher: .regex("^[0-9a-f-]{36}$")),
            MatcherEntry(pattern: JSONPathPattern("$.password")!, matcher: .absent),
        ]
        var wrong = create
        wrong.exchanges[index].expectations.matchers.append(
            MatcherEntry(pattern: JSONPathPattern("$.emails[*].type")!, matcher: .oneOf(["home"])))

        let passing = try #require(try verifyEmbedded([("m.json", create)]).first)
        let failing = try #require(try verifyEmbedded([("m.json", wrong)]).first)

        #expect(passing.status == .passed, "\(describe([passing]))")
        let finding = try #require(failing.errors.first { $0.rule == "body" })
        #expect(finding.path?.description == "$.emails[0].type")
        #expect(finding.message.contains("matcher $.emails[*].type"))
    }

    /// `^(a+)+$` backtracks exponentially on a run of `a` that does not match: 19 of them take
    /// several seconds (hours at 30). The matcher gives up after its time limit, names the pattern,
    /// and the run goes on. The abandoned match finishes in the background within seconds.
    @Test func backtrackingRegexGivesUpWithinItsTimeLimit() throws {
        var create = try transcript("02-create-user.json")
        let index = try #require(create.exchanges.firstIndex { $0.request.method == "POST" })
        let slow = String(repeating: "a", count: 19) + "!"
        guard case .json(.object(var request)) = create.exchanges[index].request.body,
            case .json(.object(var response)) = create.exchanges[index].response.body
        else {
            throw TestFailure("no body")
        }
        request["displayName"] = .string(slow)
        response["displayName"] = .string(slow)
        create.exchanges[index].request.body = .json(.object(request))
        create.exchanges[index].response.body = .json(.object(response))
        create.exchanges[index].expectations.matchers = [
            MatcherEntry(pattern: JSONPathPattern("$.displayName")!, matcher: .regex("^(a+)+$"))
        ]
        let started = Date()

        let outcome = try verifyEmbedded([("slow.json", create), ("again.json", create)])

        #expect(Date().timeIntervalSince(started) < 10)
        #expect(outcome.count == 2)
        for result in outcome {
            let finding = try #require(result.errors.first { $0.rule == "body" })
            #expect(finding.message.contains("took longer than 2 s"), "\(finding.message)")
        }
    }
}

/// A value shared across threads in a test.
final class Captured<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `stored` is only touched while `lock` is held.
    private let lock = NSLock()
    private var stored: Value?

    var value: Value? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func append<Element>(_ element: Element) where Value == [Element] {
        lock.lock()
        stored = (stored ?? []) + [element]
        lock.unlock()
    }
}
