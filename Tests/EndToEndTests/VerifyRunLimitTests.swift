import Foundation
import SCIM
import TestSupport
import Testing

/// `verify --run-limit` through the built binary. The limit counts from the start of the run, a
/// target that never responds keeps the run going no longer, and the reports are written.
@Suite struct VerifyRunLimit {
    @Test func runLimitIncludesPreflightQuery() throws {
        // The listener never accepts, so the kernel completes each connection and no response comes.
        let (listener, port) = try #require(RawListener.open(backlog: 16))
        defer { close(listener) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-limit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("report.json").path
        let started = Date()

        let result = try BinaryRunner.run(
            [
                "verify", "Recordings/02-create-user.json", "--target", "http://127.0.0.1:\(port)/scim/v2",
                "--timeout", "10", "--run-limit", "1", "--json", report,
            ], timeout: 60)

        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 5, "took \(elapsed) s with a 1 s run limit: \(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("(0 exchanges"), "\(result.stdout)")
        let json = try JSONValue.parse(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: report))))
        #expect(json["summary"]?["exchanges"]?.intValue == 0)
        #expect(json["transcripts"]?.arrayValue?.first?["reason"]?.stringValue?.contains("time limit") == true)
    }

    /// Transcripts that the run limit kept from starting fail the run, even though no request
    /// was cut short, and the reports give the reason the run stopped.
    @Test func runLimitBeforeTranscriptsFailsRun() throws {
        // The listener never accepts, so the preflight query uses up the whole limit.
        let (listener, port) = try #require(RawListener.open(backlog: 16))
        defer { close(listener) }
        let folder = try TemporaryFolder()
        let report = folder.path("report.json")
        let junit = folder.path("junit.xml")

        let result = try BinaryRunner.run(
            [
                "verify", "Recordings/02-create-user.json", "Recordings/01-test-connection.json", "--target",
                "http://127.0.0.1:\(port)/scim/v2", "--run-limit", "0.5", "--json", report, "--junit", junit,
            ], timeout: 60)

        let reason = "the run limit of 0.5 s was reached after 0 of 2 transcripts ran in full; 2 did not start"
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("Error: \(reason)"), "\(result.stderr)")
        #expect(result.stderr.contains("Raise --run-limit"), "\(result.stderr)")
        #expect(result.stdout.contains("0 skipped, 2 not run"), "\(result.stdout)")
        let json = try JSONValue.parse(try folder.read("report.json"))
        #expect(json["stopped"]?.stringValue == reason)
        #expect(json["summary"]?["skipped"]?.intValue == 0)
        #expect(json["summary"]?["notRun"]?.intValue == 2)
        #expect(json["transcripts"]?.arrayValue?.map { $0["status"]?.stringValue } == ["notRun", "notRun"])
        #expect(try folder.read("junit.xml").contains(#"type="stopped">\#(reason)"#))
    }
}
