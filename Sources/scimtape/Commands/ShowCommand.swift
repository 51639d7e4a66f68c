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
        ])

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        guard arguments.positionals.count == 1 else {
            return usageFailure(
                arguments.positionals.isEmpty ? "missing the FILE argument" : "show takes one FILE", spec: spec)
        }
        let format = arguments.value("format") ?? "text"
        guard format == "text" || format == "markdown" else {
            return usageFailure("--format must be text or markdown, not '\(format)'", spec: spec)
        }
        guard let transcript = readTranscript(arguments.positionals[0]) else {
            return .usageOrInput
        }
        let rendered =
            format == "markdown"
            ? TranscriptMarkdownRendering.render(transcript) : TranscriptTextRendering.render(transcript)
        Terminal.out(String(rendered.dropLast()))
        return .success
    }
}
