import Foundation
import HTTP
import Transcript

enum ExportCommand: Command {
    static let placeholderBase = "https://scim.example.invalid/scim/v2"

    static let spec = CommandSpec(
        name: "export", abstract: "Write a transcript as a HAR 1.2 file for viewing in other tools.",
        usage:
            "scimtape export FILE --har OUT [--base URL] [--redact-header NAME ...] [--redact-field NAME ...] [--force]",
        arguments: [.init(name: "file", help: "A transcript file.")],
        options: [
            .init(name: "har", valueName: "file", help: "Where to write the HAR file."),
            .init(
                name: "base", valueName: "url",
                help:
                    "The SCIM base URL the transcript's relative paths are appended to. (default: \(placeholderBase), a name that never resolves)"
            ),
            TranscriptSizeOption.spec,
        ] + SecretOptions.specOptions + [SecretOptions.forceOption],
        discussion: """
            The headers and JSON members listed under --redact-header and --redact-field, and tokens in
            request paths, are replaced before anything is written. A transcript keeps no timings, so every
            entry has a time of 0 ms and entries start one millisecond apart from the transcript's
            recordedAt. HAR has no place for a transcript's preconditions and expectations ("expect"), so
            they are left out, with a warning that counts them. Exit codes: 0 written, 1 the secret scan
            found a credential and nothing was written, 2 usage or input error.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        guard arguments.positionals.count == 1 else {
            return usageFailure(
                arguments.positionals.isEmpty ? "missing the FILE argument" : "export takes one FILE", spec: spec)
        }
        guard let out = arguments.value("har") else {
            return usageFailure("missing --har OUT", spec: spec)
        }
        let base: BaseURL
        do {
            base = try BaseURL(arguments.value("base") ?? placeholderBase)
        } catch {
            return usageFailure("--base: \(error.description)", spec: spec)
        }
        guard let maximumSize = TranscriptSizeOption.limit(arguments, spec: spec) else {
            return .usageOrInput
        }
        guard let original = readTranscript(arguments.positionals[0], maximumSize: maximumSize) else {
            return .usageOrInput
        }
        let transcript = SecretOptions.applyPolicy(arguments, to: original)
        guard SecretOptions.check(transcript, output: out, force: arguments.flag("force")) else {
            return .checkFailed
        }
        let document = HARExport.document(transcript, base: base, tool: "scimtape \(Terminal.version)")
        do {
            let url = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(document.serializedBytes(.pretty) + [0x0A]).write(to: url, options: .atomic)
        } catch {
            Terminal.error("Error: cannot write \(out): \(error.localizedDescription)")
            return .usageOrInput
        }
        Terminal.out("wrote \(out) (\(entries(transcript.exchanges.count)) under \(base))")
        if let warning = droppedWarning(transcript, out: out) {
            Terminal.error(warning)
        }
        return .success
    }

    /// Returns a warning naming what HAR has no place for, or `nil` when nothing was left out.
    static func droppedWarning(_ transcript: Transcript, out: String) -> String? {
        let expecting = transcript.exchanges.filter { !$0.expectations.isEmpty }.count
        var dropped: [String] = []
        if !transcript.preconditions.isEmpty {
            dropped.append(counted(transcript.preconditions.count, "precondition"))
        }
        if expecting > 0 {
            dropped.append("the expectations (\"expect\") of \(counted(expecting, "exchange"))")
        }
        guard !dropped.isEmpty else {
            return nil
        }
        return
            "warning: \(out) leaves out \(dropped.joined(separator: " and ")), because HAR has no place for preconditions or expectations;"
            + " a transcript imported from it replays without them"
    }
}
