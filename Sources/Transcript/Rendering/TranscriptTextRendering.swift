/// A plain-text rendering of a transcript for reading in a terminal.
public enum TranscriptTextRendering {
    /// Renders the header, the preconditions and every exchange with its headers and bodies.
    /// Request lines start with `>`, response lines with `<`, as in `curl -v`.
    public static func render(_ transcript: Transcript) -> String {
        // Every value from the transcript but a body is shown on one line, so a line break in a
        // path or a description cannot start an output line of its own.
        let line = DisplayText.line
        var lines: [String] = [line(transcript.name), line(transcript.description)]
        lines.append("source: \(line(ExchangeSummary.source(transcript.source)))")
        if let notes = transcript.source.notes {
            lines.append("notes: \(line(notes))")
        }
        for precondition in transcript.preconditions {
            lines.append("precondition: \(line(precondition.summary))")
        }
        let count = transcript.exchanges.count
        lines.append("\(count) exchange\(count == 1 ? "" : "s")")

        for (index, exchange) in transcript.exchanges.enumerated() {
            lines.append("")
            var title =
                "[\(index + 1)] \(line(exchange.request.method)) \(line(ExchangeSummary.readablePath(exchange.request.path)))"
            title += " -> \(ExchangeSummary.status(exchange.response.status))"
            if let step = exchange.step {
                title += " (\(line(step)))"
            }
            lines.append(title)
            if let description = exchange.description {
                lines.append("    \(line(description))")
            }
            for field in exchange.request.headers {
                lines.append("    > \(line(field.name)): \(line(field.value))")
            }
            lines += indented(ExchangeSummary.bodyText(exchange.request.body), prefix: "    > ")
            lines.append("    < \(ExchangeSummary.status(exchange.response.status))")
            for field in exchange.response.headers {
                lines.append("    < \(line(field.name)): \(line(field.value))")
            }
            lines += indented(ExchangeSummary.bodyText(exchange.response.body), prefix: "    < ")
            if let statuses = exchange.expectations.status {
                lines.append("    expect status: \(statuses.map(String.init).joined(separator: " or "))")
            }
            for name in exchange.expectations.profiles.keys.sorted() {
                let statuses = exchange.expectations.profiles[name]!.status.map(String.init).joined(separator: " or ")
                lines.append("    expect in profile \(line(name)): status \(statuses)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func indented(_ text: String?, prefix: String) -> [String] {
        guard let text else {
            return []
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }
    }
}
