import Foundation
import HTTP
import SCIM

extension TranscriptReplay {
    enum PreconditionResult {
        case applied
        case skip(String)
        case fail(Finding)
    }

    /// Sets the preconditions up through the state hook when one is given, otherwise through the
    /// reference endpoint's admin route.
    func applyPreconditions(_ preconditions: [Precondition]) throws(VerifyFailure) -> PreconditionResult {
        if let hook = settings.stateHook {
            return runStateHook(hook, preconditions: preconditions)
        }
        let summary = preconditions.map(\.summary).joined(separator: "; ")
        guard target.hasAdminRoute else {
            return .skip(
                "the target has no scimtape admin route and no --state-hook was given, so this precondition cannot be set: \(summary)"
            )
        }
        var headers: HTTPHeaders = [("Content-Type", SCIMMediaType.json)]
        if let token = target.token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        let body: JSONValue = ["preconditions": .array(preconditions.map(\.json))]
        let request = HTTPRequest(
            method: .post, target: "/_scimtape/state", headers: headers, body: body.serializedBytes())
        do {
            let response = try client.send(request, url: target.origin + "/_scimtape/state")
            guard response.status.code == 200 else {
                return .skip(
                    "the admin route rejected the preconditions with \(response.status.code): \(response.bodyText.prefix(200))"
                )
            }
            let applied = (try? JSONValue.parse(bytes: response.body))?["applied"]?.arrayValue ?? []
            preconditionIds = applied.compactMap { $0["id"]?.stringValue }
            return .applied
        } catch {
            if target.external && error.kind == .connectionFailed {
                throw VerifyFailure.targetUnreachable(
                    "\(file): the target \(target.origin) is unreachable: \(error.message)")
            }
            return .skip("setting the preconditions failed: \(error.message)")
        }
    }

    /// Runs `--state-hook` once per precondition with the precondition as JSON on standard input.
    /// Exit 0 means it is set up; exit 3 means it cannot be, and the transcript is skipped with the
    /// hook's message; anything else fails the transcript.
    private func runStateHook(_ hook: String, preconditions: [Precondition]) -> PreconditionResult {
        for precondition in preconditions {
            let result = StateHook.run(
                hook, input: precondition.json.serialized(), target: target.baseURL, token: target.token)
            switch result.status {
            case 0:
                continue
            case 3:
                let message = result.output.isEmpty ? "no message" : result.output
                return .skip("the state hook cannot set up the precondition (\(precondition.summary)): \(message)")
            default:
                return .fail(
                    Finding(
                        rule: "precondition", exchange: nil,
                        message:
                            "the state hook failed (\(result.status == -1 ? "timed out" : "exit \(result.status)")) setting up \(precondition.summary): \(result.output)"
                    ))
            }
        }
        return .applied
    }
}

/// Runs the user's `--state-hook` command.
enum StateHook {
    struct Result {
        /// The exit status, or -1 when the hook was stopped for taking too long.
        let status: Int32
        /// Standard error, or standard output when that is empty, trimmed to 500 characters.
        let output: String
    }

    /// Seconds a hook may run before it is stopped.
    static let timeout: Double = 60

    private static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    static func run(_ command: String, input: String, target: String, token: String?) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["SCIMTAPE_TARGET"] = target
        if let token {
            // The hook may need to call the target; the token goes through the environment, never argv.
            environment["SCIMTAPE_TOKEN"] = token
        }
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            return Result(status: 127, output: "cannot start /bin/sh: \(error.localizedDescription)")
        }
        // A hook that exits without reading its input closes the pipe; writing then must fail with
        // EPIPE instead of killing the process with SIGPIPE.
        _ = ignoreBrokenPipes
        try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let outputReader = PipeReader(stdout.fileHandleForReading)
        let errorReader = PipeReader(stderr.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return Result(status: -1, output: "the hook ran longer than \(Int(timeout)) s")
        }
        process.waitUntilExit()
        let errorText = String(decoding: errorReader.wait(), as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let outputText = String(decoding: outputReader.wait(), as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let message = errorText.isEmpty ? outputText : errorText
        return Result(status: process.terminationStatus, output: String(message.prefix(500)))
    }
}

/// Reads a pipe to its end on a background thread, so a full pipe never blocks the child.
final class PipeReader: @unchecked Sendable {
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
