/// A Markdown rendering of a transcript, ready to paste into an issue: a summary table, a
/// mermaid sequence diagram, and each exchange with its headers and bodies collapsed in
/// `<details>` blocks.
public enum TranscriptMarkdownRendering {
    /// Maximum length of a message in the sequence diagram, in characters. Longer ones end in `…`.
    static let maximumMessageLength = 90

    public static func render(_ transcript: Transcript) -> String {
        var lines: [String] = [
            "## \(DisplayText.markdown(transcript.name))", "", DisplayText.markdown(transcript.description), "",
        ]
        lines += ["| | |", "| --- | --- |"]
        lines.append("| source | \(cell(ExchangeSummary.source(transcript.source))) |")
        if let notes = transcript.source.notes {
            lines.append("| notes | \(cell(notes)) |")
        }
        for precondition in transcript.preconditions {
            lines.append("| precondition | \(cell(precondition.summary)) |")
        }
        lines.append("| exchanges | \(transcript.exchanges.count) |")
        lines += ["", "```mermaid"] + sequenceDiagram(transcript) + ["```", ""]

        for (index, exchange) in transcript.exchanges.enumerated() {
            let path = ExchangeSummary.readablePath(exchange.request.path)
            let method = DisplayText.markdown(exchange.request.method)
            lines.append(
                "### \(index + 1). \(method) \(DisplayText.markdownCode(path)) → \(ExchangeSummary.status(exchange.response.status))"
            )
            lines.append("")
            if let description = exchange.description {
                lines += [DisplayText.markdown(description), ""]
            }
            // Head lines are shown one per line, so a line break in a path or header value is escaped.
            var request = [DisplayText.line("\(exchange.request.method) \(path)")]
            request += exchange.request.headers.map { DisplayText.line("\($0.name): \($0.value)") }
            lines += details(
                summary: "Request: \(ExchangeSummary.bodyLabel(exchange.request.body))", head: request,
                body: exchange.request.body)
            var response = ["HTTP/1.1 \(ExchangeSummary.status(exchange.response.status))"]
            response += exchange.response.headers.map { DisplayText.line("\($0.name): \($0.value)") }
            lines += details(
                summary: "Response: \(ExchangeSummary.bodyLabel(exchange.response.body))", head: response,
                body: exchange.response.body)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Returns the `sequenceDiagram` lines, numbered like the exchanges.
    static func sequenceDiagram(_ transcript: Transcript) -> [String] {
        var lines = [
            "sequenceDiagram", "    autonumber", "    participant C as Client", "    participant E as SCIM endpoint",
        ]
        for exchange in transcript.exchanges {
            let request = "\(exchange.request.method) \(ExchangeSummary.readablePath(exchange.request.path))"
            lines.append("    C->>E: \(mermaidText(request))")
            var response = ExchangeSummary.status(exchange.response.status)
            if let hint = ExchangeSummary.responseHint(exchange) {
                response += ", \(hint)"
            }
            lines.append("    E-->>C: \(mermaidText(response))")
        }
        return lines
    }

    /// Escapes text for a mermaid message. `#` starts an entity and `;` ends a statement in
    /// mermaid, and `<`, `>` would be read as HTML, so they become entity codes.
    static func mermaidText(_ text: String) -> String {
        var shortened = text
        if shortened.count > maximumMessageLength {
            shortened = String(shortened.prefix(maximumMessageLength - 1)) + "…"
        }
        var result = ""
        for character in shortened {
            switch character {
            case "#": result += "#35;"
            case ";": result += "#59;"
            case "<": result += "#lt;"
            case ">": result += "#gt;"
            default:
                if character.unicodeScalars.contains(where: DisplayText.isEscaped) {
                    result += " "
                } else {
                    result.append(character)
                }
            }
        }
        return result
    }

    private static func details(summary: String, head: [String], body: RecordedBody) -> [String] {
        var lines = ["<details><summary>\(html(summary))</summary>", ""]
        lines += DisplayText.markdownFence(head.joined(separator: "\n"), language: "http")
        if let text = ExchangeSummary.bodyText(body) {
            lines.append("")
            lines += DisplayText.markdownFence(
                DisplayText.multiline(text), language: body.json == nil ? "text" : "json")
        }
        lines += ["", "</details>", ""]
        return lines
    }

    private static func cell(_ text: String) -> String {
        DisplayText.markdown(text).replacingOccurrences(of: "|", with: "\\|")
    }

    private static func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
