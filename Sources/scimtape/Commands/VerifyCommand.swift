import Foundation
import HTTP
import Logging
import ReferenceServer
import Transcript
import Verifier

enum VerifyCommand: Command {
    static let spec = CommandSpec(
        name: "verify", abstract: "Replay transcripts against an endpoint and check them.",
        usage: "scimtape verify [PATHS ...] [--target URL] [--profile front|entra|rfc]",
        arguments: [
            .init(
                name: "paths",
                help:
                    "Transcript files, or folders searched for *.json files; JSON files that are not transcripts are skipped. (default: Recordings)"
            )
        ],
        options: [
            .init(
                name: "target", valueName: "url",
                help:
                    "SCIM base URL of the endpoint under test. Without it, each transcript runs against a fresh embedded reference endpoint in the matching profile."
            ),
            .init(
                name: "profile", valueName: "profile",
                help: "The contract: front (DELETE blocks), entra (DELETE removes) or rfc. (default: front)"),
            .init(
                name: "token-file", valueName: "file",
                help: "File holding the bearer token for --target. SCIMTAPE_TOKEN works too."),
            .init(
                name: "allow-writes", valueName: nil,
                help: "Permit a --target that is not on a loopback address; verify creates and changes users there."),
            .init(
                name: "isolate", valueName: nil,
                help: "Make userName, emails, externalId and group names unique per run. On by default with --target."),
            .init(name: "no-isolate", valueName: nil, help: "Send client-chosen identities as recorded."),
            .init(
                name: "fail-on-skip", valueName: nil,
                help: "Exit 1 when a transcript is skipped because its preconditions cannot be set."),
            .init(
                name: "deviation", valueName: "name",
                help: "Run the embedded endpoint with a named fault, to see what a failing run looks like. Repeatable.",
                repeating: true),
            .init(name: "timeout", valueName: "seconds", help: "Time allowed per request. (default: 30)"),
            .init(name: "quiet", valueName: nil, help: "Print only findings and the summary."),
            .init(
                name: "log-level", valueName: "level",
                help: "trace, debug, info, notice, warning or error. (default: warning)"),
        ],
        discussion: """
            Exit codes: 0 every transcript passed, 1 a check failed, 2 usage or input error (such as a malformed
            transcript), 3 the target is unreachable.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        var options = VerifyOptions()
        do throws(UsageError) {
            if let text = arguments.value("profile") {
                guard let profile = VerificationProfile(rawValue: text) else {
                    throw UsageError(message: "unknown profile '\(text)'; expected front, entra or rfc")
                }
                options.profile = profile
            }
            options.target = arguments.value("target")
            options.token = try TokenSource.read(file: arguments.value("token-file"))
            options.allowWrites = arguments.flag("allow-writes")
            if arguments.flag("isolate") && arguments.flag("no-isolate") {
                throw UsageError(message: "--isolate and --no-isolate exclude each other")
            }
            options.isolate = arguments.flag("isolate") ? true : arguments.flag("no-isolate") ? false : nil
            for name in arguments.allValues("deviation") {
                guard let deviation = Deviation(rawValue: name) else {
                    throw UsageError(message: "unknown deviation '\(name)'; run 'scimtape serve --list-deviations'")
                }
                options.embeddedDeviations.insert(deviation)
            }
            if !options.embeddedDeviations.isEmpty && options.target != nil {
                throw UsageError(
                    message: "--deviation applies to the embedded endpoint and cannot be combined with --target")
            }
            if let seconds = try parseTimeout(arguments.value("timeout")) {
                options.client.timeout = seconds
                options.client.connectTimeout = min(options.client.connectTimeout, seconds)
            }
            options.logger = try makeLogger(
                arguments.value("log-level"), label: "scimtape.verify", defaultLevel: .warning)
        } catch {
            return usageFailure(error.message, spec: spec)
        }

        let verifier = Verifier(options: options)
        do {
            try verifier.validate()
        } catch {
            return usageFailure(error.description, spec: spec)
        }
        let paths = arguments.positionals.isEmpty ? ["Recordings"] : arguments.positionals
        let discovery = TranscriptDiscovery.files(in: paths)
        var inputErrors = discovery.problems
        for problem in discovery.problems {
            Terminal.error(problem)
        }
        let quiet = arguments.flag("quiet")
        let started = Date()
        var outcomes: [TranscriptOutcome] = []
        var otherFiles = 0

        for candidate in discovery.files {
            let content: TranscriptFile.Content
            do {
                content = try TranscriptFile.read(path: candidate.path)
            } catch {
                inputErrors.append(error.description)
                Terminal.error(error.description)
                continue
            }
            guard case .transcript(let transcript) = content else {
                if case .otherJSON(let reason) = content, candidate.named {
                    // A file named on the command line was meant to be a transcript.
                    let message =
                        "\(candidate.path): error: not a transcript: \(reason); a transcript has \"format\": \"\(Transcript.formatName)\""
                    inputErrors.append(message)
                    Terminal.error(message)
                } else {
                    otherFiles += 1
                }
                continue
            }
            let outcome: TranscriptOutcome
            do {
                outcome = try verifier.verify(transcript, file: candidate.path)
            } catch {
                Terminal.error("Error: \(error.description)")
                if case .targetUnreachable = error {
                    return .targetUnreachable
                }
                return .usageOrInput
            }
            outcomes.append(outcome)
            print(outcome, quiet: quiet)
        }

        let passed = outcomes.filter { $0.status == .passed }.count
        let failed = outcomes.filter { $0.status == .failed }.count
        let skipped = outcomes.count - passed - failed
        let notObservable = outcomes.reduce(0) { $0 + $1.findings.filter { $0.severity == .notObservable }.count }
        let exchanges = outcomes.reduce(0) { $0 + $1.exchangeCount }
        let seconds = Date().timeIntervalSince(started)
        var summary = "\(counted(outcomes.count, "transcript")): \(passed) passed, \(failed) failed, \(skipped) skipped"
        if notObservable > 0 {
            summary += ", \(counted(notObservable, "check")) not observable"
        }
        if !inputErrors.isEmpty {
            summary += ", \(inputErrors.count) unreadable"
        }
        summary += " (\(counted(exchanges, "exchange")), profile \(options.profile.rawValue), "
        summary += options.target.flatMap { try? BaseURL($0) }.map { "target \($0)" } ?? "embedded endpoint"
        summary += ") in \(String(format: "%.2f", seconds)) s"
        if otherFiles > 0 {
            summary += "; \(counted(otherFiles, "other JSON file")) skipped"
        }
        Terminal.out(summary)

        if !inputErrors.isEmpty {
            return .usageOrInput
        }
        if outcomes.isEmpty {
            Terminal.error("Error: no transcripts found in \(paths.joined(separator: ", "))")
            return .usageOrInput
        }
        if failed > 0 || (arguments.flag("fail-on-skip") && skipped > 0) {
            return .checkFailed
        }
        return .success
    }

    private static func print(_ outcome: TranscriptOutcome, quiet: Bool) {
        switch outcome.status {
        case .passed:
            if !quiet {
                Terminal.out(
                    "\(Terminal.paint("PASS", .green)) \(outcome.file) (\(counted(outcome.exchangeCount, "exchange")))")
            }
        case .failed:
            Terminal.out(
                "\(Terminal.paint("FAIL", .red)) \(outcome.file) (\(counted(outcome.exchangeCount, "exchange")), "
                    + "\(counted(outcome.errors.count, "finding")))"
            )
        case .skipped(let reason):
            Terminal.out("\(Terminal.paint("SKIP", .yellow)) \(outcome.file): \(reason)")
        }
        for finding in outcome.findings {
            for line in finding.lines(file: outcome.file) {
                Terminal.out(line)
            }
        }
    }
}

func isLoopbackURL(_ url: String) -> Bool {
    Verifier.isLoopback(url)
}

/// Finds transcript candidates: files named on the command line, and `*.json` files under
/// folders, sorted. Symbolic links inside folders are not followed.
enum TranscriptDiscovery {
    struct Candidate {
        let path: String
        /// Named on the command line, so it must be a transcript.
        let named: Bool
    }

    static func files(in paths: [String]) -> (files: [Candidate], problems: [String]) {
        var files: [Candidate] = []
        var problems: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(
                    "\(path): error: \(FileCheck.problem(readingRegularFile: path) ?? "no such file or folder")")
                continue
            }
            guard isDirectory.boolValue else {
                files.append(Candidate(path: path, named: true))
                continue
            }
            var found: [String] = []
            if let enumerator = manager.enumerator(atPath: path) {
                while let relative = enumerator.nextObject() as? String {
                    let full = (path as NSString).appendingPathComponent(relative)
                    var isFolder: ObjCBool = false
                    if relative.hasSuffix(".json"), manager.fileExists(atPath: full, isDirectory: &isFolder),
                        !isFolder.boolValue
                    {
                        found.append(full)
                    }
                }
            }
            files += found.sorted().map { Candidate(path: $0, named: false) }
        }
        return (files, problems)
    }
}
