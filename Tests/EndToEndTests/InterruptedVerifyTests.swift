import Foundation
import SCIM
import Testing

/// `verify` through the built binary when SIGINT or SIGTERM stops it: the reports list what
/// finished, with the signal as the reason the run stopped.
@Suite struct InterruptedVerify {
    @Test(arguments: [SIGINT, SIGTERM])
    func interruptedRunWritesReports(signal: Int32) throws {
        let serve = try ServeProcess(environment: ["SCIMTAPE_TOKEN": "interrupt-test-token"])
        defer { serve.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("interrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let reports = ["json", "junit", "markdown"].map { folder.appendingPathComponent("report.\($0)").path }
        let hookLog = folder.appendingPathComponent("hook-ran").path
        let process = Process()
        process.executableURL = BinaryRunner.executable
        process.currentDirectoryURL = BinaryRunner.packageRoot
        // The first transcript needs no set-up and finishes. The second one's state hook sleeps
        // until the signal comes.
        process.arguments = [
            "verify", "Recordings/01-test-connection.json", "Recordings/08-deleted-teammate.json", "--jobs", "1",
            "--target", serve.baseURL, "--state-hook", "touch '\(hookLog)'; sleep 30",
            "--json", reports[0], "--junit", reports[1], "--markdown", reports[2],
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["SCIMTAPE_TOKEN"] = "interrupt-test-token"
        process.environment = environment
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let errorText = ReadAll(errors.fileHandleForReading)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: hookLog) && process.isRunning && Date() < deadline {
            usleep(20_000)
        }
        let signalled = Date()

        kill(process.processIdentifier, signal)
        process.waitUntilExit()

        let stderr = String(decoding: errorText.wait(), as: UTF8.self)
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        #expect(
            Date().timeIntervalSince(signalled) < 5,
            "the run ended \(Date().timeIntervalSince(signalled)) s after \(name)")
        #expect(process.terminationStatus == 128 + signal, "\(stderr)")
        #expect(stderr.contains("interrupted by \(name) after 1 of 2 transcripts finished"), "\(stderr)")
        let json = try JSONValue.parse(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: reports[0]))))
        #expect(json["stopped"]?.stringValue?.hasPrefix("interrupted by \(name)") == true)
        #expect(json["transcripts"]?.arrayValue?.count == 1)
        #expect(json["transcripts"]?.arrayValue?.first?["status"]?.stringValue == "passed")
        #expect(try String(contentsOfFile: reports[1], encoding: .utf8).contains("interrupted by \(name)"))
        #expect(try String(contentsOfFile: reports[2], encoding: .utf8).contains("interrupted by \(name)"))
    }
}
