import Foundation
import Testing

/// Messages for damaged or unusual input files, through the built binary.
@Suite struct InputMessages {
    static let scenario = "\(BinaryRunner.packageRoot.path)/Recordings/scenarios/02-create-user.json"
    static let transcript = "\(BinaryRunner.packageRoot.path)/Recordings/02-create-user.json"
    static let byteOrderMark = Data([0xEF, 0xBB, 0xBF])

    @Test func byteOrderMarkIsSkipped() throws {
        let copy = try RecordingsCopy()
        try (Self.byteOrderMark + Data(contentsOf: URL(fileURLWithPath: Self.scenario)))
            .write(to: URL(fileURLWithPath: copy.path("bom.scenario.json")))
        try (Self.byteOrderMark + Data(contentsOf: URL(fileURLWithPath: Self.transcript)))
            .write(to: URL(fileURLWithPath: copy.path("bom.json")))

        let simulate = try BinaryRunner.run([
            "simulate", copy.path("bom.scenario.json"), "--out", copy.path("out/run.json"),
        ])
        let verify = try BinaryRunner.run(["verify", copy.path("bom.json")])
        let lint = try BinaryRunner.run(["lint", copy.path("bom.json")])

        #expect(simulate.status == 0, "\(simulate.stderr)")
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(lint.status == 0, "\(lint.stderr)")
    }

    @Test func folderAsScenarioIsNamed() throws {
        let copy = try RecordingsCopy()

        let result = try BinaryRunner.run(["simulate", copy.folder.path, "--out", copy.path("out.json")])

        #expect(result.status == 2)
        #expect(
            result.stderr.contains("\(copy.folder.path): error: cannot read the file: is a folder, not a file"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"), "\(result.stderr)")
    }

    @Test func invalidJSONPrintsPathOnce() throws {
        let copy = try RecordingsCopy()
        try copy.write("cut.scenario.json", #"{"tenant": {"name": "#)

        let result = try BinaryRunner.run(["simulate", copy.path("cut.scenario.json"), "--out", copy.path("out.json")])

        #expect(result.status == 2)
        #expect(result.stderr.contains("$.tenant.name: invalid JSON at line 1, column 21:"), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "$.tenant.name").count == 2, "\(result.stderr)")
    }

    @Test func startTimeNearYear9999IsRejected() throws {
        let copy = try RecordingsCopy()
        let text = try String(contentsOfFile: Self.scenario, encoding: .utf8)
            .replacingOccurrences(
                of: #""format": "scimtape.scenario","#,
                with: #""format": "scimtape.scenario", "startTime": "9999-12-31T00:00:00Z","#)
        try copy.write("late.scenario.json", text)

        let result = try BinaryRunner.run(["simulate", copy.path("late.scenario.json"), "--out", copy.path("out.json")])

        #expect(text.contains("9999-12-31"))
        #expect(result.status == 2)
        #expect(result.stderr.contains("$.startTime: 9999-12-31T00:00:00Z is after 9000-01-01"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: copy.path("out.json")))
    }

    @Test func lintOfUnreadableFileSaysSo() throws {
        let copy = try RecordingsCopy()
        try copy.write("cut.json", #"{"format": "scimtape.transcript""#)

        let result = try BinaryRunner.run(["lint", copy.path("cut.json")])

        #expect(result.status == 2)
        #expect(!result.stdout.contains("0 transcripts checked"), "\(result.stdout)")
        #expect(result.stdout.contains("1 file could not be read as a transcript"), "\(result.stdout)")
    }

    @Test func junitCountsOneFinding() throws {
        let copy = try RecordingsCopy()
        let path = copy.path("02-create-user.json")
        var text = try copy.read("02-create-user.json")
        // The last copy of the display name is in a recorded response, so editing it gives one finding.
        let recorded = try #require(text.range(of: #""displayName": "Alice Example""#, options: .backwards))
        text.replaceSubrange(recorded, with: #""displayName": "Outdated""#)
        try copy.write("02-create-user.json", text)

        let result = try BinaryRunner.run(["verify", path, "--junit", copy.path("r.xml")])

        #expect(result.stdout.contains("(6 exchanges, 1 finding)"), "\(result.stdout)")
        let junit = try copy.read("r.xml")
        #expect(junit.contains(#"message="1 finding""#), "\(junit)")
        #expect(!junit.contains("1 findings"), "\(junit)")
    }

    @Test func scenarioForVerifyPointsToSimulate() throws {
        let result = try BinaryRunner.run(["verify", Self.scenario])

        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("not a transcript but a scenario"), "\(result.stderr)")
        #expect(result.stderr.contains("run 'scimtape simulate \(Self.scenario) --out FILE'"), "\(result.stderr)")
    }

    @Test(arguments: ["127.0.0.1:1/scim/v2", "localhost:1/scim/v2"])
    func targetWithoutSchemeNamesScheme(target: String) throws {
        let result = try BinaryRunner.run(["verify", Self.transcript, "--target", target])

        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr.contains("'\(target)' has no scheme; start the URL with http:// or https://"),
            "\(result.stderr)")
    }

    /// A damaged baseline file is an input error, so no usage lines follow its message.
    @Test func invalidBaselineOmitsUsage() throws {
        let folder = try TemporaryFolder()
        try folder.write("baseline.json", #"{"format": "other"}"#)

        let result = try BinaryRunner.run(["verify", Self.transcript, "--baseline", folder.path("baseline.json")])

        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("not a baseline"), "\(result.stderr)")
        #expect(!result.stderr.contains("Usage:"), "\(result.stderr)")
    }

    /// The reasons that `--write-baseline` writes are placeholders to replace, so a baseline that
    /// still has them gets a warning; one with real reasons does not.
    @Test func placeholderBaselineReasonsWarn() throws {
        let folder = try TemporaryFolder()
        let baseline = folder.path("baseline.json")
        let transcript = "Recordings/06-hard-delete.json"
        _ = try BinaryRunner.run(["verify", transcript, "--deviation", "hard-delete", "--write-baseline", baseline])
        let written = try folder.read("baseline.json")
        try folder.write(
            "edited.json",
            written.replacingOccurrences(
                of: "accepted when the baseline was written; replace with the reason",
                with: "this endpoint removes deleted users"))

        let placeholder = try BinaryRunner.run([
            "verify", transcript, "--deviation", "hard-delete", "--baseline", baseline,
        ])
        let edited = try BinaryRunner.run([
            "verify", transcript, "--deviation", "hard-delete", "--baseline", folder.path("edited.json"),
        ])

        #expect(placeholder.status == 0, "\(placeholder.stdout)\(placeholder.stderr)")
        #expect(
            placeholder.stderr.contains("still have the placeholder reason that --write-baseline writes"),
            "\(placeholder.stderr)")
        #expect(edited.status == 0, "\(edited.stdout)\(edited.stderr)")
        #expect(!edited.stderr.contains("placeholder"), "\(edited.stderr)")
    }

    @Test func verifyHelpListsSignalExitCodes() throws {
        let result = try BinaryRunner.run(["verify", "--help"])

        #expect(result.stdout.contains("130 or 143 the run was interrupted by SIGINT"), "\(result.stdout)")
    }

    /// The cleanup note counts one resource in the singular.
    @Test func cleanupNoteCountsOneResource() throws {
        let serve = try ServeProcess()
        defer { serve.stop() }

        let result = try BinaryRunner.run(["verify", Self.transcript, "--target", serve.baseURL, "--verbose"])

        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("sent DELETE for the resource this replay created"), "\(result.stdout)")
    }
}
