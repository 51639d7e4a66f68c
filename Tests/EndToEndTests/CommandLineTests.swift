import Foundation
import SCIM
import Testing

/// The built executable, as a user runs it: stdout, stderr and exit codes.
@Suite(.serialized) struct CommandLine {
    @Test func versionAndHelp() throws {
        let version = try BinaryRunner.run(["--version"])
        let help = try BinaryRunner.run(["verify", "--help"])
        let serveHelp = try BinaryRunner.run(["serve", "--help"])

        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("scimtape "))
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: scimtape verify"))
        #expect(help.stdout.contains("ARGUMENTS:"))
        #expect(help.stdout.contains("OPTIONS:"))
        #expect(serveHelp.stdout.contains("--list-deviations"))
    }

    @Test func helpVerbPrintsVerbUsage() throws {
        let record = try BinaryRunner.run(["help", "record"])
        let unknown = try BinaryRunner.run(["help", "frobnicate"])
        let overview = try BinaryRunner.run(["help"])

        #expect(record.status == 0)
        #expect(record.stdout.contains("USAGE: scimtape record"))
        #expect(!record.stdout.contains("SUBCOMMANDS:"))
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("Error: unknown subcommand 'frobnicate'"))
        #expect(overview.status == 0)
        #expect(overview.stdout.contains("SUBCOMMANDS:"))
    }

    @Test func missingJournalNamesWhereRecordKeepsIt() throws {
        let result = try BinaryRunner.run(["recover", "no-such.journal", "--out", "x.json"])

        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("Error: no-such.journal: no such file"))
        #expect(result.stderr.contains("keeps its journal in FILE.journal"))
    }

    @Test func unknownOptionIsUsageError() throws {
        let result = try BinaryRunner.run(["verify", "--frobnicate"])

        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("Error: unknown option '--frobnicate'"))
        #expect(result.stderr.contains("Usage: scimtape verify"))
        #expect(result.stderr.contains("scimtape verify --help"))
    }

    @Test func mainJobPassesEveryRecordingTwice() throws {
        for _ in 0..<2 {
            let result = try BinaryRunner.run(["verify"])

            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let passLines = result.stdout.split(separator: "\n").filter { $0.hasPrefix("PASS Recordings/") }
            #expect(passLines.count >= 8)
            #expect(result.stdout.contains("0 failed, 0 skipped"))
        }
    }

    @Test(arguments: ["front", "entra", "rfc"])
    func everyProfilePasses(profile: String) throws {
        let result = try BinaryRunner.run(["verify", "--profile", profile, "--quiet"])

        #expect(result.status == 0, "\(result.stdout)")
    }

    @Test func editedStatusFailsNamingTheExchange() throws {
        let copy = try RecordingsCopy()
        let original = try copy.read("02-create-user.json")
        try copy.write(
            "02-create-user.json", original.replacingOccurrences(of: "\"status\": 201", with: "\"status\": 202"))

        let document = try JSONValue.parse(original)
        let exchanges = document["exchanges"]?.arrayValue ?? []
        let create = try #require(exchanges.firstIndex { $0["response"]?["status"] == 201 }) + 1

        let result = try BinaryRunner.run(["verify", copy.path("02-create-user.json")])

        #expect(result.status == 1)
        #expect(result.stdout.contains("\(copy.path("02-create-user.json")): exchange \(create): error: [status]"))
        #expect(result.stdout.contains("expected: 202"))
        #expect(result.stdout.contains("actual: 201 Created"))
    }

    @Test func editedBodyValueFailsWithPath() throws {
        let copy = try RecordingsCopy()
        var document = try JSONValue.parse(try copy.read("02-create-user.json")).objectValue ?? JSONObject()
        var exchanges = document["exchanges"]?.arrayValue ?? []
        let index = try #require(exchanges.firstIndex { $0["request"]?["method"] == "POST" })
        var exchange = exchanges[index].objectValue ?? JSONObject()
        var response = exchange["response"]?.objectValue ?? JSONObject()
        var body = response["body"]?.objectValue ?? JSONObject()
        body["name"] = ["familyName": "Example", "givenName": "Alicia"]
        response["body"] = .object(body)
        exchange["response"] = .object(response)
        exchanges[index] = .object(exchange)
        document["exchanges"] = .array(exchanges)
        try copy.write("02-create-user.json", JSONValue.object(document).serialized(.pretty))

        let result = try BinaryRunner.run(["verify", copy.path("02-create-user.json")])

        #expect(result.status == 1)
        #expect(result.stdout.contains("exchange \(index + 1): error: [body]"))
        #expect(result.stdout.contains("at: $.name.givenName"))
        #expect(result.stdout.contains("expected: \"Alicia\""))
        #expect(result.stdout.contains("actual: \"Alice\""))
    }

    @Test func truncatedTranscriptIsInputError() throws {
        let copy = try RecordingsCopy()
        let original = try copy.read("04-unassign-reassign.json")
        try copy.write("04-unassign-reassign.json", String(original.prefix(original.count / 2)))

        let result = try BinaryRunner.run(["verify", copy.folder.path])

        #expect(result.status == 2)
        #expect(result.stderr.contains("\(copy.path("04-unassign-reassign.json")): "))
        #expect(result.stderr.contains("invalid JSON"))
        #expect(result.stdout.contains("1 unreadable"))
    }

    @Test func emptyFolderIsAnErrorForLintAsForVerify() throws {
        let folder = try TemporaryFolder()

        let lint = try BinaryRunner.run(["lint", folder.url.path])
        let verify = try BinaryRunner.run(["verify", folder.url.path])

        #expect(lint.status == 2)
        #expect(lint.stderr.contains("no transcripts found"))
        #expect(verify.status == 2)
    }

    @Test func wrongTypeNamesExchangeAndPath() throws {
        let copy = try RecordingsCopy()
        let original = try copy.read("01-test-connection.json")
        try copy.write(
            "01-test-connection.json", original.replacingOccurrences(of: "\"status\": 200", with: "\"status\": \"200\"")
        )

        let result = try BinaryRunner.run(["verify", copy.path("01-test-connection.json")])

        #expect(result.status == 2)
        #expect(result.stderr.contains("exchange 1: error: $.exchanges[0].response.status: expected an integer"))
    }

    @Test func unreachableTargetExitsThree() throws {
        let serve = try ServeProcess()
        let base = serve.baseURL
        serve.stop()

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unreachable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let junit = folder.appendingPathComponent("report.xml").path
        let json = folder.appendingPathComponent("report.json").path

        let result = try BinaryRunner.run([
            "verify", "--target", base, "Recordings/01-test-connection.json", "--junit", junit, "--json", json,
        ])

        #expect(result.status == 3)
        #expect(result.stderr.contains("unreachable"))
        #expect(result.stderr.contains("Check that the endpoint is running"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"<error message="the run stopped" type="stopped">the target"#), "\(xml)")
        let report = try JSONValue.parse(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: json))))
        #expect(report["stopped"]?.stringValue?.contains("unreachable") == true)
    }

    @Test func nonLoopbackTargetIsRefusedBeforeAnyRequest() throws {
        let result = try BinaryRunner.run(["verify", "--target", "https://scim.example.invalid/scim/v2"])

        #expect(result.status == 2)
        #expect(result.stderr.contains("--allow-writes"))
    }

    @Test func separateServeVerifiesTwice() throws {
        let serve = try ServeProcess(environment: ["SCIMTAPE_TOKEN": "e2e-secret-token"])
        #expect(serve.baseURL.hasPrefix("http://127.0.0.1:"))
        #expect(serve.baseURL.hasSuffix("/scim/v2"))

        for _ in 0..<2 {
            let result = try BinaryRunner.run(
                ["verify", "--target", serve.baseURL], environment: ["SCIMTAPE_TOKEN": "e2e-secret-token"])

            #expect(result.status == 0, "\(result.stdout)")
            #expect(!result.stdout.contains("e2e-secret-token"))
            #expect(!result.stderr.contains("e2e-secret-token"))
        }
        let unauthorised = try BinaryRunner.run([
            "verify", "--target", serve.baseURL, "Recordings/01-test-connection.json",
        ])
        #expect(unauthorised.status == 2)
        #expect(unauthorised.stderr.contains("returned 401; no token was sent"), "\(unauthorised.stderr)")
    }

    /// Transcripts with a `fault` precondition make the shared target fail the next requests, so
    /// with `--jobs` they must run while nothing else does.
    @Test func parallelRunsAgainstOneServePassEveryTime() throws {
        let serve = try ServeProcess(["--profile", "rfc"])

        for _ in 0..<3 {
            let result = try BinaryRunner.run([
                "verify", "--target", serve.baseURL, "--profile", "entra", "--jobs", "4", "--quiet",
            ])

            #expect(result.status == 0, "\(result.stdout)")
        }
    }

    @Test func simulateWritesAVerifiableTranscript() throws {
        let copy = try RecordingsCopy()
        let out = copy.path("simulated.json")

        let simulate = try BinaryRunner.run([
            "simulate", "Recordings/scenarios/09-disable-legacy-dialect.json", "--out", out,
        ])
        let verify = try BinaryRunner.run(["verify", out])

        #expect(simulate.status == 0, "\(simulate.stderr)")
        #expect(simulate.stdout.contains("dialect legacy"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains(#""op": "Replace", "path": "active", "value": "false""#))
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func deviationListHasOneNamePerLine() throws {
        let result = try BinaryRunner.run(["serve", "--list-deviations"])

        let names = result.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(result.status == 0)
        #expect(names.count >= 5)
        #expect(names.contains("hard-delete"))
    }

    @Test func failingRunFromDeviationExitsOne() throws {
        let result = try BinaryRunner.run(["verify", "--deviation", "hard-delete", "Recordings/06-hard-delete.json"])

        #expect(result.status == 1)
        #expect(result.stdout.contains("error: [delete-blocks]"))
    }
}
