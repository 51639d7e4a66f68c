import Foundation
import Testing

/// Runs the built `scimtape` executable and captures what it prints.
struct BinaryRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The executable: `SCIMTAPE_BINARY` if set, otherwise the one next to this test bundle, which is
    /// where `swift test` builds it for any scratch path or configuration.
    static let executable: URL = {
        if let path = ProcessInfo.processInfo.environment["SCIMTAPE_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        let besideTests = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("scimtape")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) {
            return besideTests
        }
        return packageRoot.appendingPathComponent(".build/debug/scimtape")
    }()

    static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: URL = packageRoot,
        timeout: TimeInterval = 120
    ) throws -> Result {
        try runCommand(executable.path, arguments, environment: environment, directory: directory, timeout: timeout)
    }

    /// Runs any program with the environment that `run` gives scimtape.
    static func runCommand(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], directory: URL = packageRoot,
        timeout: TimeInterval = 120
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        merged["SCIMTAPE_TOKEN"] = nil
        merged["NO_COLOR"] = "1"
        for (key, value) in environment {
            merged[key] = value
        }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = ReadAll(out.fileHandleForReading)
        let errData = ReadAll(err.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            process.terminate()
            throw TestFailure("\(program) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData.wait(), as: UTF8.self),
            stderr: String(decoding: errData.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to the end on a background thread, so a full pipe never blocks the child.
final class ReadAll: @unchecked Sendable {
    // @unchecked: `data` is written once by the reader thread before `done` is signalled.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        done.signal()
        return data
    }
}

/// A long-running `scimtape serve` whose first stdout line is its base URL.
final class ServeProcess {
    let process = Process()
    let baseURL: String

    /// Starts the server; its standard error goes to `stderrPath`, or is discarded without one.
    init(_ arguments: [String] = [], environment: [String: String] = [:], stderrPath: String? = nil) throws {
        process.executableURL = BinaryRunner.executable
        process.arguments = ["serve", "--port", "0"] + arguments
        var merged = ProcessInfo.processInfo.environment
        merged["SCIMTAPE_TOKEN"] = nil
        for (key, value) in environment {
            merged[key] = value
        }
        process.environment = merged
        let out = Pipe()
        process.standardOutput = out
        if let stderrPath {
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: stderrPath)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) {
                break
            }
            line.append(byte)
        }
        baseURL = String(decoding: line, as: UTF8.self)
    }

    deinit {
        stop()
    }

    /// Sends SIGTERM and waits up to ten seconds, then kills the process.
    func stop() {
        guard process.isRunning else {
            return
        }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A temporary folder with copies of the shipped transcripts (not their provisioning logs),
/// removed when released.
final class RecordingsCopy {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("scimtape-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = BinaryRunner.packageRoot.appendingPathComponent("Recordings")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path)
        where name.hasSuffix(".json") && !name.hasSuffix(".provisioning-log.json") {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    func path(_ name: String) -> String {
        folder.appendingPathComponent(name).path
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }
}
