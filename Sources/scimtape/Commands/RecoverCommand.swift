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
        let transcript = SecretOptions.applyPolicy(arguments, to: contents.transcript)
        guard SecretOptions.check(transcript, output: out, force: arguments.flag("force")) else {
            return .checkFailed
        }
        guard writeTranscript(transcript, to: out) else {
            return .usageOrInput
        }
        Terminal.out("recovered \(counted(transcript.exchanges.count, "exchange")) from \(path) into \(out)")
        return .success
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
        if !contents.damagedLines.isEmpty {
            Terminal.error(
                "note: \(path): correct the skipped lines and run 'scimtape recover \(path) --out FILE' to keep their exchanges"
            )
        }
    }
}
