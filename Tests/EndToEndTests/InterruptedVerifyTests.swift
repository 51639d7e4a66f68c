import Foundation
import SCIM
import Testing

/// `verify` through the built binary when SIGINT or SIGTERM stops it: the reports list what
/// finished, with the signal as the reason the run stopped.
@Suite struct InterruptedVerify {
    static let token = "interrupt-test-token"

    /// Runs `verify` with `arguments` and a state hook that sleeps until the signal, sends
    /// `signal` once the hook has started, and returns the exit status, standard error and the
    /// seconds from the signal to the exit.
    static func interrupt(_ arguments: [String], signal: Int32, in folder: URL) throws -> (
        status: Int32, stderr: String, seconds: Double
    ) {
        let hookLog = folder.appendingPathComponent("hook-ran").path
        let process = Process()
        process.executableURL = BinaryRunner.executable
        process.currentDirectoryURL = BinaryRunner.packageRoot
        process.arguments = ["verify"] + arguments + ["--jobs", "1", "--state-hook", "touch '\(hookLog)'; sleep 30"]
        var environment = ProcessInfo.processInfo.environment
        environment["SCIMTAPE_TOKEN"] = token
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
        let seconds = Date().timeIntervalSince(signalled)
        return (process.terminationStatus, String(decoding: errorText.wait(), as: UTF8.self), seconds)
    }

    static func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("interrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func interruptedRunWritesReports(signal: Int32) throws {
        let serve = try ServeProcess(environment: ["SCIMTAPE_TOKEN": Self.token])
        defer { serve.stop() }
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reports = ["json", "junit", "markdown"].map { folder.appendingPathComponent("report.\($0)").path }

        // The first transcript needs no set-up and finishes. The second one's state hook sleeps
        // until the signal comes.
        let (status, stderr, seconds) = try Self.interrupt(
            [
                "Recordings/01-test-connection.json", "Recordings/08-deleted-teammate.json", "--target", serve.baseURL,
                "--json", reports[0], "--junit", reports[1], "--markdown", reports[2],
            ], signal: signal, in: folder)

        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        #expect(seconds < 5, "the run ended \(seconds) s after \(name)")
        #expect(status == 128 + signal, "\(stderr)")
        #expect(stderr.contains("interrupted by \(name) after 1 transcript finished"), "\(stderr)")
        let json = try JSONValue.parse(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: reports[0]))))
        #expect(json["stopped"]?.stringValue?.hasPrefix("interrupted by \(name)") == true)
        #expect(json["transcripts"]?.arrayValue?.count == 1)
        #expect(json["transcripts"]?.arrayValue?.first?["status"]?.stringValue == "passed")
        #expect(try String(contentsOfFile: reports[1], encoding: .utf8).contains("interrupted by \(name)"))
        #expect(try String(contentsOfFile: reports[2], encoding: .utf8).contains("interrupted by \(name)"))
    }

    /// A finished transcript whose findings the baseline accepts is reported as it would be in a
    /// run that ends normally.
    @Test func interruptedRunAppliesBaseline() throws {
        let serve = try ServeProcess(
            ["--deviation", "reapply-template"], environment: ["SCIMTAPE_TOKEN": Self.token])
        defer { serve.stop() }
        let folder = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let baseline = folder.appendingPathComponent("baseline.json").path
        let report = folder.appendingPathComponent("report.json").path
        let written = try BinaryRunner.run(
            [
                "verify", "Recordings/07-template-always-mapping.json", "--target", serve.baseURL,
                "--write-baseline", baseline,
            ], environment: ["SCIMTAPE_TOKEN": Self.token])
        #expect(FileManager.default.fileExists(atPath: baseline), "\(written.stderr)")

        let (status, stderr, _) = try Self.interrupt(
            [
                "Recordings/07-template-always-mapping.json", "Recordings/08-deleted-teammate.json", "--target",
                serve.baseURL, "--baseline", baseline, "--json", report,
            ], signal: SIGINT, in: folder)

        #expect(status == 130, "\(stderr)")
        let json = try JSONValue.parse(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: report))))
        let first = json["transcripts"]?.arrayValue?.first
        #expect(first?["status"]?.stringValue == "passed", "\(first?.serialized() ?? "")")
        #expect((json["summary"]?["baselined"]?.intValue ?? 0) > 0)
    }
}
