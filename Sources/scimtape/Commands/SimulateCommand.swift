import Foundation
import HTTP
import Logging
import ReferenceServer
import Simulator
import Transcript

enum SimulateCommand: Command {
    static let spec = CommandSpec(
        name: "simulate",
        abstract:
            "Send what Entra would send for a scenario and record it as a transcript with Entra's provisioning log.",
        usage:
            "scimtape simulate SCENARIO --out FILE [--log FILE] [--target URL] [--cacert FILE | --insecure] [--header NAME:VALUE ...]",
        arguments: [.init(name: "scenario", help: "A scenario file (format scimtape.scenario).")],
        options: [
            .init(name: "out", valueName: "file", help: "Where to write the transcript; missing folders are created."),
            .init(
                name: "log", valueName: "file",
                help:
                    "Where to write the provisioning log. (default: the --out path with .provisioning-log.json in place of .json)"
            ),
            .init(
                name: "target", valueName: "url",
                help:
                    "SCIM base URL to send to. Without it, a fresh embedded reference endpoint (front profile) is used."
            ),
            .init(
                name: "token-file", valueName: "file",
                help: "File holding the bearer token for --target. SCIMTAPE_TOKEN works too."),
            .init(name: "allow-writes", valueName: nil, help: "Permit a --target that is not on a loopback address."),
        ] + TargetConnectionOptions.specOptions + [
            .init(name: "timeout", valueName: "seconds", help: "Time allowed per request. (default: 30)"),
            .init(
                name: "log-level", valueName: "level",
                help: "trace, debug, info, notice, warning or error. (default: warning)"),
        ],
        discussion: """
            Headers given with --header are sent with every request but not written to the transcript, like
            the token. Exit codes: 0 written, 2 usage or input error, 3 the target is unreachable, including a
            TLS certificate that fails verification.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        guard arguments.positionals.count == 1 else {
            return usageFailure(
                arguments.positionals.isEmpty ? "missing the SCENARIO argument" : "simulate takes one SCENARIO",
                spec: spec)
        }
        guard let out = arguments.value("out") else {
            return usageFailure("missing --out FILE", spec: spec)
        }
        let scenarioPath = arguments.positionals[0]
        let logPath = arguments.value("log") ?? ProvisioningLog.path(forTranscript: out)
        if let problem = outputProblem(
            out: out, log: logPath, scenario: scenarioPath, logGiven: arguments.value("log") != nil)
        {
            return usageFailure(problem, spec: spec)
        }
        let logger: Logger
        let token: String?
        let extraHeaders: HTTPHeaders
        var client = HTTPClientConfiguration()
        do throws(UsageError) {
            logger = try makeLogger(arguments.value("log-level"), label: "scimtape.simulate", defaultLevel: .warning)
            token = try TokenSource.read(file: arguments.value("token-file"))
            extraHeaders = try TargetConnectionOptions.headers(arguments)
            try TargetConnectionOptions.applyTLS(arguments, to: &client)
            if let seconds = try parseTimeout(arguments.value("timeout")) {
                client.timeout = seconds
                client.connectTimeout = min(client.connectTimeout, seconds)
            }
        } catch {
            return usageFailure(error.message, spec: spec)
        }
        let scenario: Scenario
        do {
            scenario = try Scenario.load(path: scenarioPath)
        } catch {
            Terminal.error(error.description)
            return .usageOrInput
        }

        var server: ReferenceServer?
        let baseURL: String
        if let target = arguments.value("target") {
            guard target.lowercased().hasPrefix("http://") || target.lowercased().hasPrefix("https://") else {
                return usageFailure("--target must be an http or https URL", spec: spec)
            }
            guard arguments.flag("allow-writes") || isLoopbackURL(target) else {
                return usageFailure(
                    "--target \(target) is not a loopback address; pass --allow-writes to send provisioning requests there",
                    spec: spec)
            }
            baseURL = target
        } else {
            let embedded: ReferenceServer
            // The embedded endpoint listens on a Unix-domain socket: the simulator is its only
            // client, and a request over it takes about half the kernel time of loopback TCP.
            let socketPath = FileManager.default.temporaryDirectory
                .appendingPathComponent("scimtape-\(UUID().uuidString.prefix(8)).sock").path
            do {
                var configuration = ReferenceServerConfiguration(
                    profile: .front, logger: logger.child(label: "scimtape.serve"))
                configuration.http.unixSocketPath = socketPath
                embedded = try ReferenceServer(configuration: configuration)
                try embedded.start()
                client.unixSocketPath = socketPath
            } catch {
                Terminal.error("Error: the embedded reference endpoint could not start: \(error)")
                return .usageOrInput
            }
            server = embedded
            baseURL = embedded.baseURL
        }
        defer { server?.stop() }

        let options = Simulation.Options(
            baseURL: baseURL, token: server == nil ? token : nil, scenarioPath: scenarioPath,
            profile: server == nil ? nil : "front", tool: "scimtape \(Terminal.version)", logger: logger,
            client: client,
            extraHeaders: extraHeaders)
        let result: Simulation.Result
        do {
            result = try Simulation.run(scenario, options: options)
        } catch let error as SimulationError {
            Terminal.error("Error: \(error.description)")
            if case .targetUnreachable(let cause) = error {
                if cause.kind == .tlsFailed {
                    Terminal.error("  \(TargetConnectionOptions.tlsAdvice(insecure: client.insecure))")
                }
                return .targetUnreachable
            }
            return .usageOrInput
        } catch {
            Terminal.error("Error: \(error)")
            return .usageOrInput
        }
        do {
            try TranscriptFile.write(result.transcript, to: out)
            try result.log.write(to: logPath)
        } catch {
            Terminal.error("Error: cannot write \(out) and \(logPath): \(error.localizedDescription)")
            return .usageOrInput
        }
        for note in result.notes {
            Terminal.error("note: \(note)")
        }
        noteIfOverReadLimit(out)
        Terminal.out(
            "wrote \(out) (\(counted(result.transcript.exchanges.count, "exchange")), dialect \(scenario.tenant.dialectName))"
                + " and \(logPath) (\(counted(result.log.entries.count, "log entry", plural: "log entries")))")
        for cycle in result.log.cycles where !cycle.skipped {
            let seconds = Double(cycle.durationInMilliseconds) / 1000
            let rate = seconds > 0 ? String(format: ", %.0f requests/s", Double(cycle.requests) / seconds) : ""
            Terminal.out(
                "\(cycle.kind.rawValue) cycle: \(counted(cycle.requests, "request")), "
                    + "\(counted(cycle.failures, "failure")) in \(String(format: "%.3f", seconds)) s\(rate)")
        }
        return .success
    }

    /// Returns why the transcript or the provisioning log cannot be written at the paths that
    /// --out and --log give. It runs before any request is sent.
    private static func outputProblem(out: String, log: String, scenario: String, logGiven: Bool) -> String? {
        let logOption = logGiven ? "--log \(log)" : "the provisioning log path \(log), which comes from --out,"
        if OutputPath.sameFile(out, log) {
            return "--out and --log name the same file, \(out); give the provisioning log a path of its own"
        }
        if OutputPath.sameFile(out, scenario) {
            return "--out \(out) is the scenario file, which the transcript would overwrite; choose another --out"
        }
        if OutputPath.sameFile(log, scenario) {
            return "\(logOption) is the scenario file, which the log would overwrite; choose another --log"
        }
        if let problem = OutputPath.problem(writing: out) {
            return "--out \(out) \(problem)"
        }
        if let problem = OutputPath.problem(writing: log) {
            return "\(logOption) \(problem)"
        }
        return nil
    }
}

func makeLogger(_ levelName: String?, label: String, defaultLevel: Logger.Level) throws(UsageError) -> Logger {
    var level = defaultLevel
    if let levelName {
        guard let parsed = Logger.Level(name: levelName) else {
            throw UsageError(
                message: "unknown log level '\(levelName)'; expected trace, debug, info, notice, warning or error")
        }
        level = parsed
    }
    return Logger(label: label, level: level)
}
