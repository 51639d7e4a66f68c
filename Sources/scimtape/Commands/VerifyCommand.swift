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
                help:
                    "Make userName, emails, externalId and group names unique per replay. On by default with --target."),
            .init(name: "no-isolate", valueName: nil, help: "Send client-chosen identities as recorded."),
            .init(
                name: "no-bootstrap", valueName: nil,
                help: "Do not create the resources a transcript uses without creating them."),
            .init(
                name: "no-cleanup", valueName: nil,
                help: "Keep what the replay created on --target instead of deleting it at the end."),
            .init(
                name: "derive", valueName: nil,
                help:
                    "Also send negative checks derived from each transcript: duplicate create (409), case-variant userName filter, unknown id (404), missing token (401)."
            ),
            .init(
                name: "state-hook", valueName: "command",
                help:
                    "Shell command that sets up a precondition on a target without the admin route; it reads the precondition as JSON on stdin. Exit 0: set up; exit 3: cannot be, so the transcript is skipped. Its process group is killed after 60 s or at --run-limit."
            ),
            .init(
                name: "fail-on-skip", valueName: nil,
                help: "Exit 1 when a transcript is skipped because its preconditions cannot be set."),
            .init(
                name: "deviation", valueName: "name",
                help: "Run the embedded endpoint with a named fault, to see what a failing run looks like. Repeatable.",
                repeating: true),
            .init(name: "jobs", valueName: "count", help: "Transcripts replayed at the same time. (default: 1)"),
            .init(
                name: "shard", valueName: "k/n",
                help: "Run only the k-th of n shards: candidate files sorted by path, every n-th from the k-th."),
            .init(name: "junit", valueName: "file", help: "Write a JUnit XML report, one test case per transcript."),
            .init(name: "json", valueName: "file", help: "Write a JSON report (format scimtape.report)."),
            .init(
                name: "markdown", valueName: "file",
                help:
                    "Write a Markdown report with a sequence diagram of each failing transcript. It is also appended to $GITHUB_STEP_SUMMARY when that is set."
            ),
            .init(
                name: "baseline", valueName: "file",
                help: "Accept the findings listed in this baseline file; only new findings fail the run."),
            .init(
                name: "write-baseline", valueName: "file",
                help: "Write a baseline that accepts every finding of this run, to edit and pass with --baseline."),
            .init(
                name: "update", valueName: nil,
                help:
                    "Rewrite each transcript's expectations from the target's responses after a deliberate change, and print what changed. Each rewritten transcript is replayed once more in the same way, and that replay is its result: exit 1 if it still fails. A transcript whose replay breaks a contract rule or could not run in full is left as it is, and the run exits 1. The target's responses are trusted, so update only against an endpoint that behaves correctly; --deviation is rejected."
            ),
        ] + TargetConnectionOptions.specOptions + [
            .init(name: "timeout", valueName: "seconds", help: "Time allowed per request. (default: 30)"),
            .init(
                name: "run-limit", valueName: "seconds",
                help:
                    "Time allowed for the whole run, in seconds, from the preflight query on; a request or state hook still running then is cut short, and later exchanges are not sent. Reaching it before every transcript ran in full fails the run."
            ),
            .init(
                name: "max-retries", valueName: "count",
                help: "Retries of a request answered 429, waiting as Retry-After says (at most 30 s). (default: 3)"),
            TranscriptSizeOption.spec,
            .init(name: "quiet", valueName: nil, help: "Print only findings and the summary."),
            .init(
                name: "verbose", valueName: nil, help: "Also print notes, such as resources the replay created first."),
            .init(
                name: "log-level", valueName: "level",
                help: "trace, debug, info, notice, warning or error. (default: warning)"),
        ],
        discussion: """
            Exit codes: 0 no check failed, 1 a check failed or the run limit was reached before every transcript
            ran in full, 2 usage or input error (such as a malformed transcript or a rejected token), 3 the target
            is unreachable or its TLS certificate fails verification, 130 or 143 the run was interrupted by SIGINT
            or SIGTERM.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        let plan: VerifyPlan
        do {
            plan = try VerifyPlan(arguments)
        } catch {
            guard error.showsUsage else {
                Terminal.error("Error: \(error.message)")
                return .usageOrInput
            }
            return usageFailure(error.message, spec: spec)
        }
        if let baseline = plan.baseline, let path = plan.baselinePath {
            let placeholders = baseline.entries.filter { $0.reason == Baseline.placeholderReason }.count
            if placeholders > 0 {
                Terminal.error(
                    "warning: \(DisplayText.line(path)): \(placeholders) of \(counted(baseline.entries.count, "entry", plural: "entries")) "
                        + "still have the placeholder reason that --write-baseline writes; replace each with the "
                        + "reason the finding is accepted")
            }
        }
        do {
            try Verifier(options: plan.options).validate()
        } catch {
            return usageFailure(error.description, spec: spec)
        }
        return VerifyRun(plan: plan).execute()
    }
}

/// Everything the command line asked for.
struct VerifyPlan {
    var options = VerifyOptions()
    var paths: [String] = ["Recordings"]
    var jobs = 1
    var shard: (index: Int, count: Int)?
    var junitPath: String?
    var jsonPath: String?
    var markdownPath: String?
    var baseline: Baseline?
    var baselinePath: String?
    var writeBaselinePath: String?
    var update = false
    var failOnSkip = false
    var quiet = false
    var verbose = false
    var maximumTranscriptSize = TranscriptFile.maximumFileSize

    init(_ arguments: ParsedArguments) throws(UsageError) {
        maximumTranscriptSize = try TranscriptSizeOption.limit(arguments)
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
        update = arguments.flag("update")
        options.isolate = arguments.flag("isolate") ? true : arguments.flag("no-isolate") ? false : nil
        options.bootstrap = !arguments.flag("no-bootstrap")
        options.cleanup = !arguments.flag("no-cleanup")
        options.derive = arguments.flag("derive")
        options.stateHook = arguments.value("state-hook")
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
        if !options.embeddedDeviations.isEmpty && update {
            throw UsageError(
                message:
                    "--update cannot be combined with --deviation: a deviation makes the embedded endpoint faulty on "
                    + "purpose, so its responses are not expectations to keep; run --update without --deviation")
        }
        options.extraHeaders = try TargetConnectionOptions.headers(arguments)
        try TargetConnectionOptions.applyTLS(arguments, to: &options.client)
        if let seconds = try parseTimeout(arguments.value("timeout")) {
            options.client.timeout = seconds
            options.client.connectTimeout = min(options.client.connectTimeout, seconds)
        }
        if let text = arguments.value("run-limit") {
            guard let seconds = Double(text), seconds.isFinite, seconds > 0 else {
                throw UsageError(message: "--run-limit must be a positive number of seconds, not '\(text)'")
            }
            options.runTimeLimit = seconds
        }
        if let text = arguments.value("max-retries") {
            guard let count = Int(text), (0...10).contains(count) else {
                throw UsageError(message: "--max-retries must be a number from 0 to 10, not '\(text)'")
            }
            options.retries.maximumRetries = count
        }
        if let text = arguments.value("jobs") {
            guard let count = Int(text), (1...64).contains(count) else {
                throw UsageError(message: "--jobs must be a number from 1 to 64, not '\(text)'")
            }
            jobs = count
        }
        if let text = arguments.value("shard") {
            let parts = text.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let index = parts[0], let count = parts[1], count >= 1, (1...count).contains(index)
            else {
                throw UsageError(message: "--shard must be k/n with 1 <= k <= n, such as 2/3, not '\(text)'")
            }
            shard = (index, count)
        }
        junitPath = arguments.value("junit")
        jsonPath = arguments.value("json")
        markdownPath = arguments.value("markdown")
        if let path = arguments.value("baseline") {
            do {
                baseline = try Baseline.load(path: path)
            } catch {
                throw UsageError(message: error.message, showsUsage: false)
            }
            baselinePath = path
        }
        writeBaselinePath = arguments.value("write-baseline")
        failOnSkip = arguments.flag("fail-on-skip")
        quiet = arguments.flag("quiet")
        verbose = arguments.flag("verbose")
        options.logger = try makeLogger(arguments.value("log-level"), label: "scimtape.verify", defaultLevel: .warning)
        if !arguments.positionals.isEmpty {
            paths = arguments.positionals
        }
    }
}

func isLoopbackURL(_ url: String) -> Bool {
    Verifier.isLoopback(url)
}
