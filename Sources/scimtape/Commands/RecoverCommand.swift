import Foundation
import Transcript

enum RecoverCommand: Command {
    static let spec = CommandSpec(
        name: "recover", abstract: "Write the transcript a killed recording left in its journal.",
        usage: "scimtape recover JOURNAL --out FILE [--redact-header NAME ...] [--redact-field NAME ...] [--force]",
        arguments: [.init(name: "journal", help: "The journal of 'scimtape record', by default OUT.journal.")],
        options: [
            .init(name: "out", valueName: "file", help: "Where to write the transcript.")
        ] + SecretOptions.specOptions + [SecretOptions.forceOption],
        discussion: """
            Every exchange whose response reached the client is in the journal, also after SIGKILL. A line
            cut off by the crash is ignored. The journal is left as it is: 'scimtape record' with the same
            journal continues it, so remove it before starting an unrelated recording.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        guard arguments.positionals.count == 1 else {
            return usageFailure(
                arguments.positionals.isEmpty ? "missing the JOURNAL argument" : "recover takes one JOURNAL",
                spec: spec)
        }
        guard let out = arguments.value("out") else {
            return usageFailure("missing --out FILE", spec: spec)
        }
        let path = arguments.positionals[0]
        // The journal is left as it is, so that its damaged lines can be corrected and recovered again.
        if OutputPath.sameFile(path, out) {
            return usageFailure(
                "--out names the journal \(path) itself; recover leaves the journal as it is, so write the "
                    + "transcript to another file",
                spec: spec)
        }
        let contents: JournalContents
        do {
            contents = try JournalContents.read(path: path)
        } catch {
            Terminal.error("Error: \(error.description)")
            if !FileManager.default.fileExists(atPath: path) {
                Terminal.error(
                    "  'scimtape record --out FILE' keeps its journal in FILE.journal unless --journal names another.")
            }
            return .usageOrInput
        }
        report(contents, path: path)
        guard !contents.entries.isEmpty else {
            Terminal.error("Error: \(path) contains no complete exchange, so there is nothing to recover")
            return .usageOrInput
        }
        let written = writeTranscript(
            of: contents, to: out, policy: SecretOptions.policy(arguments),
            scan: .refuseUnless(forced: arguments.flag("force")))
        switch written {
        case .written(let count):
            Terminal.out("recovered \(counted(count, "exchange")) from \(path) into \(out)")
            return .success
        case .secretsFound:
            return .checkFailed
        case .failed:
            return .usageOrInput
        }
    }

    /// The secret scan's part in writing a journal as a transcript.
    enum JournalScan {
        /// No scan, because the recorder scanned each exchange before journaling it.
        case skip
        /// Prints each finding, and writes nothing when there is one unless `forced`.
        case refuseUnless(forced: Bool)
        /// Writes nothing when there is a finding, and prints nothing.
        case refuseQuietly
    }

    /// The outcome of writing a journal as a transcript.
    enum JournalWrite {
        case written(exchanges: Int)
        case secretsFound
        case failed
    }

    /// Writes the journal's exchanges as a transcript at `out`, in sequence order, with `policy`
    /// applied to each. The exchanges are read, checked and written one at a time, so memory
    /// does not grow with the journal. Prints what failed.
    static func writeTranscript(
        of contents: JournalContents, to out: String, policy: SecretPolicy?, scan: JournalScan
    ) -> JournalWrite {
        struct SecretsFound: Error {}
        var findings: [SecretFinding] = []
        var encoder = TranscriptEncoder(metadata: contents.transcriptMetadata)
        let (scans, refuses, prints): (Bool, Bool, Bool)
        switch scan {
        case .skip: (scans, refuses, prints) = (false, false, false)
        case .refuseUnless(let forced): (scans, refuses, prints) = (true, !forced, true)
        case .refuseQuietly: (scans, refuses, prints) = (true, true, false)
        }
        do {
            try TranscriptFile.write(to: out) { sink in
                try contents.forEachExchange { exchange in
                    let redacted = policy?.apply(to: exchange) ?? exchange
                    if scans {
                        findings += SecretScan.scan(redacted, number: encoder.exchangeCount + 1)
                    }
                    try encoder.append(redacted, to: sink)
                }
                if refuses && !findings.isEmpty {
                    throw SecretsFound()
                }
                try encoder.finish(to: sink)
            }
        } catch is SecretsFound {
            if prints {
                _ = SecretOptions.check(findings, output: out, force: false)
            }
            return .secretsFound
        } catch let error as JournalError {
            Terminal.error("Error: \(error.description)")
            return .failed
        } catch {
            Terminal.error("Error: cannot write \(out): \(error.localizedDescription)")
            return .failed
        }
        if prints && !findings.isEmpty {
            _ = SecretOptions.check(findings, output: out, force: true)
        }
        noteIfOverReadLimit(out)
        return .written(exchanges: encoder.exchangeCount)
    }

    /// Prints what could not be read from a journal.
    static func report(_ contents: JournalContents, path: String) {
        if contents.hasTornTail {
            Terminal.error("note: \(path): the last line was cut off by the crash and is ignored")
        }
        for line in contents.damagedLines {
            let sequence = line.sequence.map { " (sequence \($0))" } ?? ""
            Terminal.error(
                "warning: \(path): line \(line.number)\(sequence) is not a valid exchange line and is skipped: \(line.reason)"
            )
        }
        let repeated = contents.repeatedSequences
        if !repeated.isEmpty {
            let numbers = repeated.prefix(10).map(String.init).joined(separator: ", ")
            let more = repeated.count > 10 ? " and \(repeated.count - 10) more" : ""
            Terminal.error(
                "warning: \(path): sequence numbers \(numbers)\(more) appear on more than one line; every such "
                    + "exchange is kept, in file order, so check the journal for lines that were copied twice")
        }
        if !contents.damagedLines.isEmpty {
            Terminal.error(
                "note: \(path): correct the skipped lines and run 'scimtape recover \(path) --out FILE' to keep their exchanges"
            )
        }
    }
}
