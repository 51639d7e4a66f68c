import Transcript

enum ShowCommand: Command {
    static let spec = CommandSpec(
        name: "show", abstract: "Print a transcript in a readable form.",
        usage: "scimtape show FILE [--format text|markdown]",
        arguments: [.init(name: "file", help: "A transcript file.")],
        options: [
            .init(
                name: "format", valueName: "format",
                help:
                    "text for a terminal; markdown for an issue, with a mermaid sequence diagram and bodies collapsed in <details> blocks. (default: text)"
            )
        ],
        discussion: """
            Values that the secret scan flags as credentials (bearer tokens, JWTs, long random-looking header
            values) are shown as [redacted], and each is named on standard error by exchange and location,
            never by value. The file is not changed. Exit codes: 0 printed, 2 usage or input error.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        guard arguments.positionals.count == 1 else {
            return usageFailure(
                arguments.positionals.isEmpty ? "missing the FILE argument" : "show takes one FILE", spec: spec)
        }
        let format = arguments.value("format") ?? "text"
        guard format == "text" || format == "markdown" else {
            return usageFailure("--format must be text or markdown, not '\(format)'", spec: spec)
        }
        let path = arguments.positionals[0]
        guard let original = readTranscript(path) else {
            return .usageOrInput
        }
        let transcript = hidingSecrets(original, path: path)
        let rendered =
            format == "markdown"
            ? TranscriptMarkdownRendering.render(transcript) : TranscriptTextRendering.render(transcript)
        Terminal.out(String(rendered.dropLast()))
        return .success
    }

    /// Returns the transcript with every value the secret scan flags replaced by `[redacted]`, and
    /// prints a warning naming the exchange and location of each.
    static func hidingSecrets(_ transcript: Transcript, path: String) -> Transcript {
        var redacted = transcript
        for (index, exchange) in transcript.exchanges.enumerated() {
            let (exchangeShown, findings) = SecretScan.redactFindings(in: exchange, number: index + 1)
            redacted.exchanges[index] = exchangeShown
            for finding in findings {
                Terminal.error("\(path): warning: [secret] \(finding.description), shown as [redacted]")
            }
        }
        return redacted
    }
}
