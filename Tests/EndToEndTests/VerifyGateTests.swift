import Foundation
import FoundationXML
import HTTP
import SCIM
import Testing

/// verify as a CI gate: reports, shards, baselines, updates and lint, through the built binary.
@Suite(.serialized) struct VerifyGate {
    @Test func junitHasOneTestCasePerTranscript() throws {
        let copy = try RecordingsCopy()
        let junit = copy.path("report.xml")
        let json = copy.path("report.json")
        let markdown = copy.path("report.md")

        let result = try BinaryRunner.run(
            ["verify", "--deviation", "hard-delete", "--junit", junit, "--json", json, "--markdown", markdown],
            environment: ["GITHUB_STEP_SUMMARY": copy.path("summary.md")])

        #expect(result.status == 1)
        let xml = try Data(contentsOf: URL(fileURLWithPath: junit))
        let counter = TestCaseCounter()
        let parser = XMLParser(data: xml)
        parser.delegate = counter
        #expect(parser.parse(), "the JUnit file is well-formed XML")
        let transcripts = try FileManager.default.contentsOfDirectory(
            atPath: "\(BinaryRunner.packageRoot.path)/Recordings"
        )
        .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".provisioning-log.json") }.count
        #expect(counter.testCases == transcripts)
        #expect(counter.failures >= 1)
        let report = try JSONValue.parse(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: json))))
        #expect(report["format"] == "scimtape.report")
        #expect(report["summary"]?["failed"]?.intValue == counter.failures)
        let text = try String(contentsOfFile: markdown, encoding: .utf8)
        #expect(text.contains("```mermaid"))
        #expect(text.contains("sequenceDiagram"))
        let summary = try String(contentsOfFile: copy.path("summary.md"), encoding: .utf8)
        #expect(summary == text)
    }

    @Test func shardsCoverEveryTranscriptOnce() throws {
        var seen: [String] = []
        for shard in 1...3 {
            let result = try BinaryRunner.run(["verify", "--shard", "\(shard)/3"])
            #expect(result.status == 0)
            seen += result.stdout.split(separator: "\n").filter { $0.hasPrefix("PASS ") }.map {
                String($0.split(separator: " ")[1])
            }
        }
        let all = try BinaryRunner.run(["verify"]).stdout.split(separator: "\n").filter { $0.hasPrefix("PASS ") }
            .map { String($0.split(separator: " ")[1]) }

        #expect(seen.sorted() == all.sorted())
        #expect(Set(seen).count == seen.count)
    }

    @Test func baselineTurnsKnownFailuresGreen() throws {
        let copy = try RecordingsCopy()
        let baseline = copy.path("baseline.json")

        let written = try BinaryRunner.run(["verify", "--deviation", "hard-delete", "--write-baseline", baseline])
        let accepted = try BinaryRunner.run(["verify", "--deviation", "hard-delete", "--baseline", baseline])
        let unused = try BinaryRunner.run(["verify", "--baseline", baseline])

        #expect(written.status == 1)
        #expect(accepted.status == 0, "\(accepted.stdout)")
        #expect(accepted.stdout.contains("accepted by the baseline"))
        #expect(!accepted.stdout.contains("FAIL "), "\(accepted.stdout)")
        #expect(!accepted.stdout.contains("error: ["), "\(accepted.stdout)")
        #expect(unused.status == 0)
        #expect(unused.stdout.contains("no longer occurs"))
    }

    /// Each shard replays only its own transcripts, so it must not report another shard's entries
    /// as stale.
    @Test func shardsReportNoOtherShardsEntriesAsStale() throws {
        let copy = try RecordingsCopy()
        let baseline = copy.path("baseline.json")
        _ = try BinaryRunner.run(["verify", "--deviation", "hard-delete", "--write-baseline", baseline])

        for shard in 1...3 {
            let run = try BinaryRunner.run([
                "verify", "--deviation", "hard-delete", "--baseline", baseline, "--shard", "\(shard)/3",
            ])

            #expect(run.status == 0, "\(run.stdout)")
            #expect(!run.stdout.contains("no longer occurs"), "shard \(shard): \(run.stdout)")
        }
    }

    @Test func missingBaselineNamesTheWayToWriteOne() throws {
        let result = try BinaryRunner.run(["verify", "--baseline", "/nonexistent/scim-baseline.json"])

        #expect(result.status == 2)
        #expect(
            result.stderr.contains(
                "no such baseline file; write one with --write-baseline /nonexistent/scim-baseline.json"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"))
    }

    @Test func updateRewritesTheExpectation() throws {
        let copy = try RecordingsCopy()
        let index = try Self.recordOutdatedDisplayName(in: copy)

        let update = try BinaryRunner.run(["verify", "--update", copy.path("02-create-user.json")])
        let after = try BinaryRunner.run(["verify", copy.path("02-create-user.json")])

        #expect(update.status == 0)
        #expect(update.stdout.contains("updated 1 expectation"))
        #expect(update.stdout.contains(#"exchange \#(index + 1): $.displayName: "Outdated" → "Alice Example""#))
        #expect(after.status == 0, "\(after.stdout)")
    }

    @Test func updateReplaysRewrittenTranscript() throws {
        let copy = try RecordingsCopy()
        _ = try Self.recordOutdatedDisplayName(in: copy)
        let path = copy.path("02-create-user.json")

        let update = try BinaryRunner.run(["verify", "--update", path])

        #expect(update.status == 0, "\(update.stdout)")
        #expect(update.stdout.contains("\(path): updated 1 expectation"), "\(update.stdout)")
        #expect(
            update.stdout.contains("\(path): replayed the rewritten transcript once more, and it passed"),
            "\(update.stdout)")
        #expect(update.stdout.contains("PASS \(path) (6 exchanges)"), "\(update.stdout)")
        #expect(!update.stdout.contains("FAIL "), "\(update.stdout)")
        #expect(update.stdout.contains("1 transcript: 1 passed, 0 failed"), "\(update.stdout)")
    }

    /// The second replay goes to the same target with identities of its own. Cleanup in the front
    /// profile only blocks a user, so the target keeps one user per replay, each created with 201.
    @Test func updateReplaysAgainstTargetIsolated() throws {
        let copy = try RecordingsCopy()
        _ = try Self.recordOutdatedDisplayName(in: copy)
        let path = copy.path("02-create-user.json")
        let serve = try ServeProcess()

        let update = try BinaryRunner.run(["verify", "--update", "--target", serve.baseURL, path])
        let state = try Self.adminState(of: serve)

        #expect(update.status == 0, "\(update.stdout)")
        #expect(update.stdout.contains("updated 1 expectation"), "\(update.stdout)")
        #expect(
            update.stdout.contains("\(path): replayed the rewritten transcript once more, and it passed"),
            "\(update.stdout)")
        #expect(update.stdout.contains("PASS \(path)"), "\(update.stdout)")
        #expect(state["users"]?.intValue == 2, "\(state.serialized())")
    }

    /// The target's responses change between the two replays. A fault scheduled on the target lets
    /// the first POST /Users through and fails the second with 500, so the rewrite from the first
    /// replay does not hold on the second.
    @Test func updateFailsWhenRewriteStillFails() throws {
        let copy = try RecordingsCopy()
        let index = try Self.recordOutdatedDisplayName(in: copy)
        let path = copy.path("02-create-user.json")
        let serve = try ServeProcess()
        let fault: JSONValue = [
            "preconditions": [
                ["kind": "fault", "method": "POST", "path": "/Users", "status": 500, "after": 1, "count": 1]
            ]
        ]
        let scheduled = try HTTPClient().send(
            HTTPRequest(
                method: .post, target: "/_scimtape/state", headers: [("Content-Type", "application/json")],
                body: fault.serializedBytes()),
            url: Self.adminURL(of: serve))
        try #require(scheduled.status.code == 200, "\(String(decoding: scheduled.body, as: UTF8.self))")

        let update = try BinaryRunner.run(["verify", "--update", "--target", serve.baseURL, path])

        #expect(update.status == 1, "\(update.stdout)")
        #expect(update.stdout.contains("\(path): updated 1 expectation"), "\(update.stdout)")
        #expect(
            update.stdout.contains("\(path): replayed the rewritten transcript once more, and it failed"),
            "\(update.stdout)")
        #expect(update.stdout.contains("FAIL \(path)"), "\(update.stdout)")
        #expect(update.stdout.contains("\(path): exchange \(index + 1): error: [status]"), "\(update.stdout)")
        #expect(update.stdout.contains("1 transcript: 0 passed, 1 failed"), "\(update.stdout)")
        let rewritten = try JSONValue.parse(try copy.read("02-create-user.json"))
        #expect(rewritten["exchanges"]?.arrayValue?[index]["response"]?["body"]?["displayName"] == "Alice Example")
    }

    /// Against a long-running target, each update replays with identities of its own, so a user
    /// left by the previous run cannot turn the recorded 201 into a 409.
    @Test func repeatedUpdateAgainstOneTargetKeepsTheTranscript() throws {
        let copy = try RecordingsCopy()
        let original = try copy.read("02-create-user.json")
        let serve = try ServeProcess()

        let first = try BinaryRunner.run([
            "verify", "--update", "--target", serve.baseURL, copy.path("02-create-user.json"),
        ])
        let second = try BinaryRunner.run([
            "verify", "--update", "--target", serve.baseURL, copy.path("02-create-user.json"),
        ])

        #expect(first.status == 0, "\(first.stdout)")
        #expect(second.status == 0, "\(second.stdout)")
        #expect(second.stdout.contains("expectations unchanged"), "\(second.stdout)")
        #expect(try copy.read("02-create-user.json") == original)
    }

    /// A replay that breaks a contract rule, or could not send every exchange, is no record to keep.
    @Test func updateLeavesTranscriptThatBreaksARule() throws {
        let copy = try RecordingsCopy()
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: copy.path("")).first {
                $0.hasPrefix("07-") && !$0.contains("provisioning-log")
            })
        let original = try copy.read(name)
        let serve = try ServeProcess(["--deviation", "reapply-template"])

        let update = try BinaryRunner.run([
            "verify", "--update", "--target", serve.baseURL, copy.path(name),
        ])

        #expect(update.status == 1, "\(update.stdout)")
        #expect(update.stdout.contains("not updated"), "\(update.stdout)")
        #expect(update.stdout.contains("create-only-template"))
        #expect(try copy.read(name) == original)
    }

    /// A deviation makes the embedded endpoint faulty on purpose, so `--update` must not write its
    /// responses into a transcript, even where no contract rule catches the fault.
    @Test func updateRejectsDeviation() throws {
        let copy = try RecordingsCopy()
        let name = "21-template-matched-not-created.json"
        let original = try copy.read(name)

        let update = try BinaryRunner.run([
            "verify", "--update", "--deviation", "hide-blocked", copy.path(name),
        ])

        #expect(update.status == 2, "\(update.stdout)\(update.stderr)")
        #expect(update.stderr.contains("--update cannot be combined with --deviation"), "\(update.stderr)")
        #expect(update.stderr.contains("faulty on purpose"), "\(update.stderr)")
        #expect(try copy.read(name) == original)
    }

    /// Changes the recorded displayName in the response to POST /Users of `02-create-user.json`,
    /// the only difference from what the reference endpoint returns, and returns that exchange's
    /// 0-based index.
    static func recordOutdatedDisplayName(in copy: RecordingsCopy) throws -> Int {
        var document = try JSONValue.parse(try copy.read("02-create-user.json")).objectValue ?? JSONObject()
        var exchanges = document["exchanges"]?.arrayValue ?? []
        let index = try #require(exchanges.firstIndex { $0["request"]?["method"] == "POST" })
        var exchange = exchanges[index].objectValue ?? JSONObject()
        var response = exchange["response"]?.objectValue ?? JSONObject()
        var body = response["body"]?.objectValue ?? JSONObject()
        body["displayName"] = "Outdated"
        response["body"] = .object(body)
        exchange["response"] = .object(response)
        exchanges[index] = .object(exchange)
        document["exchanges"] = .array(exchanges)
        try copy.write("02-create-user.json", JSONValue.object(document).serialized(.pretty))
        return index
    }

    /// Returns the URL of the admin route of a `scimtape serve` process, beside its SCIM base
    /// `/scim/v2`.
    static func adminURL(of serve: ServeProcess) -> String {
        String(serve.baseURL.dropLast("/scim/v2".count)) + "/_scimtape/state"
    }

    static func adminState(of serve: ServeProcess) throws -> JSONValue {
        let response = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/_scimtape/state"), url: adminURL(of: serve))
        return try JSONValue.parse(bytes: response.body)
    }

    @Test func lintFindsUnredactedCredentials() throws {
        let copy = try RecordingsCopy()
        let original = try copy.read("01-test-connection.json")
        let leaked = original.replacingOccurrences(
            of: #""headers": ["#, with: #""headers": [{"name": "Authorization", "value": "Bearer abc.def.ghi"}, "#)
        try #require(leaked != original)
        try copy.write("01-test-connection.json", leaked)

        let clean = try BinaryRunner.run(["lint"])
        let dirty = try BinaryRunner.run(["lint", copy.path("01-test-connection.json")])

        #expect(clean.status == 0)
        #expect(clean.stdout.contains("0 errors"))
        #expect(dirty.status == 2)
        #expect(
            dirty.stderr.contains(
                "exchange 1: error: $.exchanges[0].request.headers[0].value: the Authorization header holds a credential"
            ))
        #expect(!dirty.stdout.contains("abc.def.ghi"))
    }

    /// A credential the target echoed, or one in a query, is flagged as `show` and `redact` flag it.
    @Test func lintFindsEchoedCredentials() throws {
        let folder = try TemporaryFolder()
        let token = "tokSECRETabcdef0123456789XYZ"
        let transcript: JSONValue = [
            "format": "scimtape.transcript", "version": 1, "name": "echo",
            "description": "A target that repeats the token it was sent.", "source": ["kind": "handwritten"],
            "exchanges": [
                [
                    "request": [
                        "method": "GET", "path": .string("/Users?sig=\(token)"),
                        "headers": [["name": "Authorization", "value": "Bearer [redacted]"]],
                    ],
                    "response": [
                        "status": 401, "headers": [["name": "X-Debug-Token", "value": .string(token)]],
                        "body": ["detail": .string("bad token Bearer \(token)")],
                    ],
                ]
            ],
        ]
        try folder.write("echo.json", transcript.serialized(.pretty))

        let linted = try BinaryRunner.run(["lint", folder.path("echo.json")])

        #expect(linted.status == 2)
        #expect(linted.stdout.contains("1 transcript checked: 3 errors"))
        for location in [
            "$.exchanges[0].request.path: request path contains a long random-looking value (28 characters)",
            "$.exchanges[0].response.headers: response header X-Debug-Token contains a long random-looking value",
            "$.exchanges[0].response.body: response body $.detail contains a bearer token (28 characters)",
        ] {
            #expect(linted.stderr.contains("exchange 1: error: \(location)"), "\(linted.stderr)")
        }
        #expect(!linted.stderr.contains(token))
        #expect(!linted.stdout.contains(token))
    }

    @Test func extraHeadersReachTheTarget() throws {
        let seen = HeaderLog()
        let server = HTTPServer(configuration: HTTPServerConfiguration()) { request in
            seen.record(request.headers["X-Tenant"])
            return HTTPResponse(
                status: .ok, headers: [("Content-Type", "application/scim+json")],
                body: ([
                    "schemas": [.string(SCIMURN.listResponse)], "totalResults": 0, "Resources": [], "startIndex": 1,
                    "itemsPerPage": 0,
                ] as JSONValue)
                .serializedBytes())
        }
        try server.start()
        defer { server.stop() }

        let result = try BinaryRunner.run(
            [
                "verify", "--target", server.origin + "/scim/v2", "--header", "X-Tenant: acme",
                "Recordings/01-test-connection.json",
            ])

        #expect(result.status == 0, "\(result.stdout)")
        #expect(seen.values.contains("acme"))
    }
}

final class TestCaseCounter: NSObject, XMLParserDelegate, @unchecked Sendable {
    // @unchecked: the parser calls back on the thread that runs it, one call at a time.
    var testCases = 0
    var failures = 0

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if elementName == "testcase" {
            testCases += 1
        }
        if elementName == "failure" {
            failures += 1
        }
    }
}

final class HeaderLog: @unchecked Sendable {
    // @unchecked: `stored` is only touched while `lock` is held.
    private let lock = NSLock()
    private var stored: [String] = []

    func record(_ value: String?) {
        lock.lock()
        if let value {
            stored.append(value)
        }
        lock.unlock()
    }

    var values: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
