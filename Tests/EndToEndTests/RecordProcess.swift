import Foundation
import HTTP

/// A running `scimtape record` whose first stdout line is the proxy URL. Standard error goes to
/// a file, so a test can check what the proxy logged.
final class RecordProcess {
    let process = Process()
    let url: String
    private let output: Pipe

    init(_ arguments: [String], stderrPath: String) throws {
        process.executableURL = BinaryRunner.executable
        process.arguments = ["record"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SCIMTAPE_TOKEN"] = nil
        process.environment = environment
        output = Pipe()
        process.standardOutput = output
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        url = RecordProcess.readLine(output.fileHandleForReading)
        guard url.hasPrefix("http") else {
            throw TestFailure("scimtape record printed '\(url)' instead of its URL; see \(stderrPath)")
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Sends `signal` and waits for the process to exit; returns the rest of standard output.
    func stop(with signal: Int32 = SIGTERM) -> (status: Int32, stdout: String) {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, String(decoding: rest, as: UTF8.self))
    }

    private static func readLine(_ handle: FileHandle) -> String {
        var line = Data()
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) {
                break
            }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}

/// A temporary folder, removed when released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("scimtape-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    /// Names of the files under the folder whose bytes contain `needle`.
    func filesContaining(_ needle: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: url.path)
        var found: [String] = []
        while let name = enumerator?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: path(name)), data.range(of: Data(needle.utf8)) != nil {
                found.append(name)
            }
        }
        return found
    }
}

/// Creates users through `url` with a bearer token until `stop` is set; returns the userNames
/// whose 201 response reached the client.
final class UserCreator: @unchecked Sendable {
    // @unchecked: `answered` and `stopped` are only touched while `lock` is held.
    private let lock = NSLock()
    private var answered: [String] = []
    private var stopped = false

    var answeredUserNames: [String] {
        lock.lock()
        defer { lock.unlock() }
        return answered
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// Runs `threads` clients in the background; each creates users one after another.
    func start(url: String, token: String, threads: Int) {
        for thread in 0..<threads {
            Thread.detachNewThread { [self] in
                let client = HTTPClient(configuration: HTTPClientConfiguration(timeout: 5, connectTimeout: 2))
                var index = 0
                while !isStopped {
                    let userName = "t\(thread)-u\(index)@kill.example"
                    index += 1
                    let body = Array(
                        #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(userName)","active":true}"#
                            .utf8)
                    let request = HTTPRequest(
                        method: .post, target: "/scim/v2/Users",
                        headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/scim+json")],
                        body: body)
                    guard let response = try? client.send(request, url: url + "/Users") else {
                        return
                    }
                    if response.status.code == 201 {
                        lock.lock()
                        answered.append(userName)
                        lock.unlock()
                    }
                }
            }
        }
    }
}

extension TemporaryFolder {
    /// Writes a self-signed certificate for 127.0.0.1 and its key with the openssl command line.
    func makeSelfSignedCertificate() throws -> (certificate: String, key: String) {
        let certificate = path("cert.pem")
        let key = path("key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days",
            "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out",
            certificate,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure(
                "openssl req failed with status \(process.terminationStatus); .ci/install installs openssl")
        }
        return (certificate, key)
    }
}
