import Foundation
import Testing

/// simulate checks where it writes before it sends any request, through the built binary.
@Suite struct SimulateOutput {
    static let scenario = "\(BinaryRunner.packageRoot.path)/Recordings/scenarios/02-create-user.json"

    @Test func outAndLogOnSamePathIsUsageError() throws {
        let copy = try RecordingsCopy()

        let result = try BinaryRunner.run([
            "simulate", Self.scenario, "--out", copy.path("run.json"), "--log", copy.path("./run.json"),
        ])

        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--out and --log name the same file"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: copy.path("run.json")))
    }

    /// `link/..` is the parent of the link's target, so the two paths below name the same file
    /// although they differ as text.
    @Test func outAndLogThroughLinkAndDotDotIsUsageError() throws {
        let copy = try RecordingsCopy()
        let folderName = copy.folder.lastPathComponent
        try FileManager.default.createSymbolicLink(atPath: copy.path("inner"), withDestinationPath: copy.folder.path)

        let result = try BinaryRunner.run([
            "simulate", Self.scenario, "--out", copy.path("run.json"), "--log",
            copy.path("inner/../\(folderName)/run.json"),
        ])

        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--out and --log name the same file"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: copy.path("run.json")))
    }

    @Test func outOnScenarioFileIsUsageError() throws {
        let copy = try RecordingsCopy()
        let scenario = try String(contentsOfFile: Self.scenario, encoding: .utf8)
        try copy.write("scenario.json", scenario)
        try FileManager.default.createSymbolicLink(
            atPath: copy.path("link.json"), withDestinationPath: copy.path("scenario.json"))

        let direct = try BinaryRunner.run(["simulate", copy.path("scenario.json"), "--out", copy.path("scenario.json")])
        let linked = try BinaryRunner.run(["simulate", copy.path("scenario.json"), "--out", copy.path("link.json")])

        #expect(direct.status == 2, "\(direct.stderr)")
        #expect(direct.stderr.contains("is the scenario file"), "\(direct.stderr)")
        #expect(linked.status == 2, "\(linked.stderr)")
        #expect(linked.stderr.contains("is the scenario file"), "\(linked.stderr)")
        #expect(try copy.read("scenario.json") == scenario)
    }

    /// Port 1 on loopback has no listener, so a run that sent a request would end with exit 3
    /// (unreachable) instead of the usage error.
    @Test(arguments: ["folder", "/proc/version", "/dev/null"])
    func unwritableOutIsFoundBeforeSending(out: String) throws {
        let copy = try RecordingsCopy()
        try FileManager.default.createDirectory(atPath: copy.path("folder"), withIntermediateDirectories: true)
        let path = out.hasPrefix("/") ? out : copy.path(out)

        let result = try BinaryRunner.run([
            "simulate", Self.scenario, "--out", path, "--target", "http://127.0.0.1:1/scim/v2",
        ])

        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("Error: --out \(path) "), "\(result.stderr)")
        #expect(!result.stderr.contains("unreachable"), "\(result.stderr)")
    }

    @Test func missingOutFoldersAreCreated() throws {
        let copy = try RecordingsCopy()

        let result = try BinaryRunner.run(["simulate", Self.scenario, "--out", copy.path("new/folder/run.json")])

        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: copy.path("new/folder/run.json")))
        #expect(FileManager.default.fileExists(atPath: copy.path("new/folder/run.provisioning-log.json")))
    }

    /// A scimtape serve that requires a token returns 401 on its admin route; the error names the
    /// token as the cause, not the endpoint's kind.
    @Test func preconditionsWithoutTokenNameToken() throws {
        let folder = try TemporaryFolder()
        let token = "e2e-simulate-admin-token-5d1f3b7a9c2e"
        try folder.write("wrong-token", "e2e-wrong-token-8a6c4e2f0b1d3957\n")
        let serve = try ServeProcess([], environment: ["SCIMTAPE_TOKEN": token])
        defer { serve.stop() }
        let scenario = "Recordings/scenarios/08-deleted-teammate.json"

        let missing = try BinaryRunner.run([
            "simulate", scenario, "--out", folder.path("missing.json"), "--target", serve.baseURL,
        ])
        let wrong = try BinaryRunner.run([
            "simulate", scenario, "--out", folder.path("wrong.json"), "--target", serve.baseURL, "--token-file",
            folder.path("wrong-token"),
        ])

        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(
            missing.stderr.contains(
                "status 401 on /_scimtape/state because no bearer token was sent; set SCIMTAPE_TOKEN or pass --token-file FILE"
            ), "\(missing.stderr)")
        #expect(!missing.stderr.contains("only a scimtape reference endpoint"), "\(missing.stderr)")
        #expect(wrong.status == 2, "\(wrong.stderr)")
        #expect(
            wrong.stderr.contains("rejected the bearer token with status 401 on /_scimtape/state; check the token"),
            "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("missing.json")))
    }
}
