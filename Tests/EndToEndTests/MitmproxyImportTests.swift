import Foundation
import HTTP
import Testing

/// A HAR written by mitmproxy's `mitmdump`, in reverse proxy mode in front of the reference
/// endpoint, imports into a transcript that verifies against a fresh endpoint.
@Suite(.serialized) struct MitmproxyImport {
    static let token = "e2e-mitmproxy-token-9b8a7c6d5e4f3a2b1c0d"

    /// Installs mitmproxy with `.ci/mitmproxy` (once per build folder) and returns mitmdump's path.
    private func mitmdumpPath() throws -> String {
        let process = Process()
        process.executableURL = BinaryRunner.packageRoot.appendingPathComponent(".ci/mitmproxy")
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure(
                ".ci/mitmproxy failed with status \(process.terminationStatus); it needs python3-venv and PyPI")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Returns the port that mitmdump's log reports it listens on, or nil if mitmdump exits first or
    /// 60 s pass. A port chosen by the test beforehand could be taken by a parallel test's server.
    private func listeningPort(log: String, of proxy: Process) -> UInt16? {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening at 127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = UInt16(digits), text[range.upperBound...].dropFirst(digits.count).first == "." {
                    return port
                }
            }
            if !proxy.isRunning {
                return nil
            }
            usleep(50_000)
        }
        return nil
    }

    @Test(.timeLimit(.minutes(10)))
    func mitmdumpHARImportsAndVerifies() throws {
        let mitmdump = try mitmdumpPath()
        let upstream = try ServeProcess([], environment: ["SCIMTAPE_TOKEN": Self.token])
        let upstreamBase = try BaseURL(upstream.baseURL)
        let folder = try TemporaryFolder()
        let har = folder.path("capture.har")
        let log = folder.path("mitmdump.log")
        let proxy = Process()
        // A child inherits the signals its parent blocks or ignores, and test runner threads block
        // some. mitmdump therefore starts through its Python with every signal unblocked and at its
        // default action, because only SIGTERM makes it write the HAR file and exit.
        let launcher = """
            import signal, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, signal.SIG_DFL)
            from mitmproxy.tools.main import mitmdump
            sys.argv[0] = "mitmdump"
            sys.exit(mitmdump())
            """
        proxy.executableURL = URL(fileURLWithPath: mitmdump).deletingLastPathComponent().appendingPathComponent(
            "python3")
        proxy.arguments = [
            "-c", launcher,
            "--mode", "reverse:\(upstreamBase.origin)", "--listen-host", "127.0.0.1", "--listen-port", "0",
            "--set", "hardump=\(har)", "--set", "confdir=\(folder.path("mitmproxy"))", "--set", "flow_detail=0",
        ]
        guard FileManager.default.createFile(atPath: log, contents: nil),
            let logHandle = FileHandle(forWritingAtPath: log)
        else {
            throw TestFailure("failed to create the mitmdump log \(log)")
        }
        proxy.standardOutput = logHandle
        proxy.standardError = logHandle
        try proxy.run()
        defer {
            if proxy.isRunning {
                kill(proxy.processIdentifier, SIGKILL)
            }
        }
        guard let port = listeningPort(log: log, of: proxy) else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw TestFailure("mitmdump log contains no listening port (timed out or mitmdump exited):\n\(text)")
        }
        let proxyOrigin = "http://127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<300 where !ready {
            ready =
                (try? HTTPClient().send(HTTPRequest(method: .get, target: "/ready"), url: proxyOrigin + "/ready"))
                != nil
            if !ready {
                usleep(100_000)
            }
        }

        let through = try BinaryRunner.run(
            [
                "verify", "Recordings/02-create-user.json", "Recordings/05-soft-delete-restore.json", "--target",
                proxyOrigin + upstreamBase.path,
            ],
            environment: ["SCIMTAPE_TOKEN": Self.token])
        // mitmdump writes the HAR file when it shuts down.
        kill(proxy.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while proxy.isRunning && Date() < deadline {
            usleep(50_000)
        }
        let exitedInTime = !proxy.isRunning
        let imported = try BinaryRunner.run(["import", har, "--out", folder.path("imported.json")])
        let verified = try BinaryRunner.run(["verify", folder.path("imported.json")])

        #expect(ready)
        #expect(exitedInTime)
        #expect(through.status == 0, "\(through.stdout)\(through.stderr)")
        #expect(FileManager.default.fileExists(atPath: har))
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        // mitmproxy writes the URL it forwarded to, so entries carry the upstream's origin.
        #expect(imported.stdout.contains("under detected base \(upstream.baseURL)"))
        #expect(imported.stderr.contains("dropped (outside the SCIM base): GET \(upstreamBase.origin)/ready"))
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("PASS"))
        let transcript = try String(contentsOfFile: folder.path("imported.json"), encoding: .utf8)
        #expect(!transcript.contains(Self.token))
        #expect(transcript.contains("Bearer [redacted]"))
    }
}
