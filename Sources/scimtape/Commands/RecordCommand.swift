import Foundation
import HTTP
import Logging
import Recorder
import Transcript

enum RecordCommand: Command {
    static let spec = CommandSpec(
        name: "record", abstract: "Run a recording proxy between a SCIM client and its endpoint.",
        usage:
            "scimtape record --upstream URL --out FILE [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE] [--fsync]",
        options: [
            .init(
                name: "upstream", valueName: "url",
                help: "SCIM base URL of the real endpoint, such as https://scim.frontapp.com/v2."),
            .init(name: "out", valueName: "file", help: "Where to write the transcript when the proxy stops."),
            .init(
                name: "listen", valueName: "host:port",
                help:
                    "Address and port to listen on; [::]:8443 for IPv6, port 0 picks a free one. (default: 127.0.0.1:0)"
            ),
            .init(name: "tls-cert", valueName: "file", help: "PEM certificate chain for HTTPS on the listening side."),
            .init(name: "tls-key", valueName: "file", help: "PEM private key (unencrypted) for --tls-cert."),
            .init(
                name: "fsync", valueName: nil,
                help:
                    "Flush each exchange to the disk before returning its response, so the journal also survives power loss."
            ),
            .init(name: "journal", valueName: "file", help: "The append-only journal. (default: OUT.journal)"),
            .init(name: "name", valueName: "name", help: "The transcript's name. (default: the output file's name)"),
            .init(
                name: "description", valueName: "text",
                help: "The transcript's description. (default: SCIM exchanges between a client and UPSTREAM.)"),
            .init(
                name: "upstream-ca", valueName: "file",
                help: "PEM certificate authorities to trust for the upstream instead of the system store."),
            .init(
                name: "upstream-insecure", valueName: nil,
                help: "Skip certificate verification for the upstream, for development endpoints only."),
            .init(
                name: "timeout", valueName: "seconds",
                help: "Time allowed per upstream request; a request that takes longer gets 504. (default: 30)"),
            .init(
                name: "max-body-size", valueName: "bytes",
                help: "Largest request body accepted; larger ones get 413. (default: 16777216)"),
            .init(
                name: "max-connections", valueName: "count",
                help:
                    "Simultaneous client connections accepted; more are closed at once. (default: 256)"
            ),
            .init(
                name: "idle-timeout", valueName: "seconds",
                help: "Seconds a client connection may stay silent before it is closed. (default: 120)"),
            .init(
                name: "log-level", valueName: "level",
                help: "trace, debug, info, notice, warning or error. (default: notice)"),
        ] + SecretOptions.specOptions,
        discussion: """
            The first line of standard output is the URL to give the client: the proxy's origin followed by the
            upstream's base path. Each exchange is appended to the journal before its response is returned, so a
            crash loses no answered exchange; the next run with the same journal continues it and writes the
            transcript recovered so far at once. SIGINT or SIGTERM writes OUT and removes the journal.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        guard arguments.positionals.isEmpty else {
            return usageFailure("record takes no arguments, but got '\(arguments.positionals[0])'", spec: spec)
        }
        let configuration: RecordingProxyConfiguration
        let out: String
        do throws(UsageError) {
            (configuration, out) = try makeConfiguration(arguments)
        } catch {
            return usageFailure(error.message, spec: spec)
        }
        // The journal is removed once the transcript is written, so the two must be different files.
        if OutputPath.sameFile(configuration.journalPath, out) {
            return usageFailure(
                "--journal and --out name the same file, \(out); the journal is removed after the transcript is "
                    + "written, so give the journal another path",
                spec: spec)
        }
        if let problem = OutputPath.problem(writing: out) {
            return usageFailure("--out \(out) \(problem)", spec: spec)
        }

        let proxy: RecordingProxy
        do {
            proxy = try RecordingProxy(configuration: configuration)
            if proxy.resumedExchanges > 0 {
                recoverEarlierRun(journal: configuration.journalPath, out: out)
            }
            try proxy.start()
        } catch {
            Terminal.error("Error: \(error.message)")
            return .usageOrInput
        }
        // Signal handling is in place before the URL is printed, so a client that stops the proxy
        // as soon as it reads the URL cannot race it.
        let termination = TerminationHandler {
            finish(proxy, out: out)
        }
        Terminal.out(proxy.url)
        termination.wait()
    }

    /// Writes the transcript a killed run left, before this run adds to it.
    private static func recoverEarlierRun(journal: String, out: String) {
        guard let contents = try? JournalContents.read(path: journal) else {
            return
        }
        RecoverCommand.report(contents, path: journal)
        if case .written(let count) = RecoverCommand.writeTranscript(
            of: contents, to: out, policy: nil, scan: .refuseQuietly)
        {
            Terminal.error(
                "note: continuing \(journal) from an earlier run that did not finish; its \(counted(count, "exchange")) are in \(out) already"
            )
        }
    }

    /// Stops the proxy, writes the transcript and removes the journal.
    private static func finish(_ proxy: RecordingProxy, out: String) -> ExitCode {
        let journal = proxy.configuration.journalPath
        let contents: JournalContents
        do {
            contents = try proxy.finishJournal()
        } catch {
            Terminal.error("Error: \(error.message); the journal \(journal) is kept, run 'scimtape recover'")
            return .usageOrInput
        }
        RecoverCommand.report(contents, path: journal)
        let counts = proxy.counts
        if counts.upstreamFailures > 0 {
            Terminal.error(
                "warning: \(counted(counts.upstreamFailures, "request")) got no valid upstream response and \(counts.upstreamFailures == 1 ? "is" : "are") not recorded"
            )
        }
        if counts.rejected > 0 {
            Terminal.error(
                "warning: \(counted(counts.rejected, "request")) had a target that is not a path, an invalid header field or too large a header block, and got 400 or 431 without being forwarded"
            )
        }
        if counts.notRecorded > 0 {
            Terminal.error(
                "warning: \(counted(counts.notRecorded, "request")) outside the SCIM base, or with a method or path that a transcript cannot store, \(counts.notRecorded == 1 ? "was" : "were") forwarded but not recorded"
            )
        }
        if counts.journalFailures > 0 {
            Terminal.error(
                "warning: \(counted(counts.journalFailures, "exchange")) could not be written to the journal")
        }
        if counts.secretsReplaced > 0 {
            Terminal.error(
                "note: \(counted(counts.secretsReplaced, "value")) that looked like credentials \(counts.secretsReplaced == 1 ? "was" : "were") replaced"
            )
        }
        guard !contents.entries.isEmpty else {
            try? FileManager.default.removeItem(atPath: journal)
            Terminal.error("note: no exchanges were recorded, so \(out) was not written")
            return .success
        }
        guard case .written(let count) = RecoverCommand.writeTranscript(of: contents, to: out, policy: nil, scan: .skip)
        else {
            Terminal.error("note: the journal \(journal) is kept; run 'scimtape recover \(journal) --out FILE'")
            return .usageOrInput
        }
        try? FileManager.default.removeItem(atPath: journal)
        Terminal.out("wrote \(out) (\(counted(count, "exchange")))")
        return .success
    }

    private static func makeConfiguration(_ arguments: ParsedArguments) throws(UsageError) -> (
        RecordingProxyConfiguration, String
    ) {
        guard let upstreamText = arguments.value("upstream") else {
            throw UsageError(message: "missing --upstream URL")
        }
        guard let out = arguments.value("out") else {
            throw UsageError(message: "missing --out FILE")
        }
        let upstream: BaseURL
        do {
            upstream = try BaseURL(upstreamText)
        } catch {
            throw UsageError(message: "--upstream: \(error.description)")
        }
        let (host, port) = try ListenAddress.parse(arguments.value("listen") ?? "127.0.0.1:0")
        var client = HTTPClientConfiguration()
        if let seconds = try parseTimeout(arguments.value("timeout")) {
            client.timeout = seconds
            client.connectTimeout = min(client.connectTimeout, seconds)
        }
        client.caCertificatePath = arguments.value("upstream-ca")
        client.insecure = arguments.flag("upstream-insecure")
        var configuration = RecordingProxyConfiguration(
            upstream: upstream, journalPath: arguments.value("journal") ?? out + ".journal", host: host, port: port,
            tls: try ListenAddress.tls(certificate: arguments.value("tls-cert"), key: arguments.value("tls-key")),
            survivesPowerLoss: arguments.flag("fsync"), policy: SecretOptions.policy(arguments), client: client,
            name: arguments.value("name") ?? URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent,
            description: arguments.value("description"), tool: "scimtape \(Terminal.version)",
            logger: try makeLogger(arguments.value("log-level"), label: "scimtape.record", defaultLevel: .notice))
        let limits = try ServerLimitOptions(arguments)
        configuration.maximumBodySize = limits.maximumBodySize ?? configuration.maximumBodySize
        configuration.connectionLimit = limits.connectionLimit ?? configuration.connectionLimit
        configuration.connectionTimeout = limits.connectionTimeout ?? configuration.connectionTimeout
        return (configuration, out)
    }
}
