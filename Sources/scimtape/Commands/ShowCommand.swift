import Transcript

enum ShowCommand: Command {
    static let spec = CommandSpec(
        name: "show", abstract: "Print a transcript in a readable form.",
        usage: "scimtape show FILE [--format text|markdown] [--max-transcript-size BYTES]",
        arguments: [.init(name: "file", help: "A transcript file.")],
        options: [
            .init(
                name: "format", valueName: "format",
                help:
                    "text for a terminal; markdown for an issue, with a mermaid sequence diagram and bodies collapsed in <details> blocks. (default: text)"
            ),
            TranscriptSizeOption.spec,
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
        guard let maximumSize = TranscriptSizeOption.limit(arguments, spec: spec) else {
            return .usageOrInput
        }
        guard let original = readTranscript(path, maximumSize: maximumSize) else {
            return .usageOrInput
        }
        let transcript = hidingSecrets(original, path: path)
        let rendered =
            format == "markdown"
            ? TranscriptMarkdownRendering.render(transcript) : TranscriptTextRendering.render(transcript)
        Terminal.out(visible(String(rendered.dropLast())))
        return .success
    }

    /// Returns the text with every control character but line feed and tab shown as `\u{XX}`, so that a
    /// transcript from a stranger cannot move the cursor, recolour or clear the reader's terminal.
    static func visible(_ text: String) -> String {
        DisplayText.multiline(text)
    }

    /// Returns the transcript with the default secret policy applied (credential headers, listed
    /// JSON members) and every value the secret scan flags replaced by `[redacted]`, and prints a
    /// warning naming the exchange and location of each. Every copy of a flagged value is
    /// replaced, in any exchange, although the scan flags only the copies that look like a
    /// credential.
    static func hidingSecrets(_ transcript: Transcript, path: String) -> Transcript {
        var redacted = transcript
        let policy = SecretPolicy()
        let flagged = Set(transcript.exchanges.flatMap(SecretScan.flaggedValues(in:)))
        let copies = flagged.flatMap(SecretPolicy.spellings(of:))
        for (index, exchange) in transcript.exchanges.enumerated() {
            let (scanned, findings) = SecretScan.redactFindings(in: exchange, number: index + 1)
            let policyApplied = policy.apply(to: scanned)
            let exchangeShown =
                copies.isEmpty ? policyApplied : policy.apply(to: policyApplied, sentCredentials: copies)
            redacted.exchanges[index] = exchangeShown
            if policyApplied != scanned {
                Terminal.error(
                    "\(path): warning: [secret] exchange \(index + 1): credential headers or listed JSON members shown as [redacted]"
                )
            }
            if exchangeShown != policyApplied {
                Terminal.error(
                    "\(path): warning: [secret] exchange \(index + 1): copies of a value flagged in another exchange shown as [redacted]"
                )
            }
            for finding in findings {
                Terminal.error("\(path): warning: [secret] \(finding.description), shown as [redacted]")
            }
        }
        return redacted
    }
}
