import Foundation
import Testing

/// A reader that stops early (`scimtape rules | head -1`) must not crash scimtape or change its
/// exit code.
@Suite struct ClosedPipe {
    /// Runs `scimtape ARGUMENTS` with its standard output into a pipe whose reader has already
    /// exited, and returns scimtape's exit status and standard error.
    func runIntoClosedPipe(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scimtape-pipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stderrPath = folder.appendingPathComponent("stderr").path
        let script = #""$@" 2> "$SCIMTAPE_STDERR" | true; exit "${PIPESTATUS[0]}""#
        let result = try BinaryRunner.runCommand(
            "/bin/bash", ["-c", script, "bash", BinaryRunner.executable.path] + arguments,
            environment: ["SCIMTAPE_STDERR": stderrPath])
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return (result.status, stderr)
    }

    @Test(arguments: [["rules"], ["--help"], ["show", "Recordings/02-create-user.json"]])
    func listingIntoClosedPipeExitsZero(arguments: [String]) throws {
        let (status, stderr) = try runIntoClosedPipe(arguments)

        #expect(status == 0, "\(stderr)")
        #expect(!stderr.contains("Fatal error"))
    }

    @Test func failingVerifyIntoClosedPipeKeepsExitOneAndReport() throws {
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("pipe-\(UUID().uuidString).xml").path
        defer { try? FileManager.default.removeItem(atPath: report) }

        let (status, stderr) = try runIntoClosedPipe([
            "verify", "Recordings/06-hard-delete.json", "Recordings/02-create-user.json", "--deviation", "hard-delete",
            "--junit", report,
        ])

        #expect(status == 1, "\(stderr)")
        #expect(!stderr.contains("Fatal error"))
        let junit = try String(contentsOfFile: report, encoding: .utf8)
        #expect(junit.contains("<testcase"))
    }
}
