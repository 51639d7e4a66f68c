import Foundation
import Transcript

/// A Markdown report (`--markdown FILE`, and `$GITHUB_STEP_SUMMARY` when set): a summary table,
/// then each failing transcript with its findings and a mermaid sequence diagram.
public enum MarkdownReport {
    public static func markdown(_ report: RunReport) -> String {
        var lines = ["## scimtape verify: profile \(report.profile.rawValue)", ""]
        let verdict =
            report.failed == 0 && report.inputErrors.isEmpty && report.stopReason == nil ? "passed" : "failed"
        lines.append(
            "**\(verdict)**: \(report.outcomes.count) \(report.outcomes.count == 1 ? "transcript" : "transcripts"), \(report.passed) passed, \(report.failed) failed, "
                + "\(report.skipped) skipped, " + (report.notRun > 0 ? "\(report.notRun) not run, " : "")
                + "\(report.exchangeCount) exchanges, against "
                + (report.target.map { DisplayText.markdownCode($0) } ?? "the embedded endpoint")
                + String(format: " in %.2f s.", report.duration))
        if let reason = report.stopReason {
            lines += ["", "**The run stopped**: \(DisplayText.markdown(reason))"]
        }
        lines += ["", "| transcript | result | exchanges | findings |", "| --- | --- | --- | --- |"]
        for outcome in report.outcomes {
            let result: String
            switch outcome.status {
            case .passed: result = "✅ passed"
            case .failed: result = "❌ failed"
            case .skipped(let reason): result = "⏭️ skipped: \(cell(reason))"
            case .notRun(let reason): result = "⏹️ not run: \(cell(reason))"
            }
            lines.append(
                "| \(codeCell(outcome.file)) | \(result) | \(outcome.exchangeCount) | \(outcome.errors.count) |")
        }
        for error in report.inputErrors {
            lines.append("| \(cell(error)) | ⚠️ unreadable | | |")
        }
        for outcome in report.outcomes where outcome.status == .failed {
            lines += ["", "### ❌ \(DisplayText.markdownCode(outcome.file))", ""]
            let errors = outcome.errors
            for finding in errors {
                var line = "- "
                if let exchange = finding.exchange {
                    line += "exchange \(exchange): "
                }
                line += "`[\(finding.rule)]` \(DisplayText.markdown(finding.message))"
                if let path = finding.path {
                    line += " at \(DisplayText.markdownCode(path.description))"
                }
                lines.append(line)
                if let expected = finding.expected {
                    lines.append("  - expected: \(excerpt(expected))")
                }
                if let actual = finding.actual {
                    lines.append("  - actual: \(excerpt(actual))")
                }
            }
            lines += ["", "```mermaid", sequenceDiagram(outcome), "```"]
            var reproducers: [(Int, String)] = []
            let failing = Set(errors.compactMap(\.exchange))
            for exchange in outcome.exchanges where failing.contains(exchange.number) {
                if let command = Reproducer.curl(exchange, baseURL: outcome.baseURL) {
                    reproducers.append((exchange.number, command))
                }
            }
            if !reproducers.isEmpty {
                lines += ["", "<details><summary>Reproduce the failing requests</summary>", ""]
                for (number, command) in reproducers {
                    lines += ["Exchange \(number):", ""] + DisplayText.markdownFence(command, language: "sh") + [""]
                }
                lines.append("</details>")
            }
        }
        if !report.unusedBaselineEntries.isEmpty {
            lines += ["", "### Baseline entries that no longer occur", ""]
            lines += report.unusedBaselineEntries.map { "- \(DisplayText.markdown($0.summary))" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A mermaid sequence diagram of one transcript's exchanges, with each failing exchange marked.
    static func sequenceDiagram(_ outcome: TranscriptOutcome) -> String {
        var lines = ["sequenceDiagram", "    participant C as Client (transcript)", "    participant E as Endpoint"]
        let errorsByExchange = Dictionary(grouping: outcome.errors.filter { $0.exchange != nil }) { $0.exchange! }
        for exchange in outcome.exchanges {
            let target = String(TranscriptReplay.shortPath(exchange.relativePath).prefix(60))
            lines.append("    C->>E: \(exchange.number). \(mermaid(exchange.method + " " + target))")
            if let status = exchange.status {
                lines.append("    E-->>C: \(status)")
            } else {
                lines.append("    Note over C,E: not sent")
            }
            for finding in errorsByExchange[exchange.number] ?? [] {
                lines.append("    Note over E: ❌ \(mermaid("[\(finding.rule)] " + String(finding.message.prefix(80))))")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Keeps text from breaking mermaid syntax: `;` and `#` start statements and entities there, and
    /// a control character such as a line break would end the line. A control character, and an
    /// invisible or direction-changing one, becomes a space.
    private static func mermaid(_ text: String) -> String {
        let oneLine = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { DisplayText.isEscaped($0) ? " " : $0 }))
        return oneLine.replacingAll(";", with: ",").replacingAll("#", with: "")
    }

    /// Escapes text for a table cell. A `|` ends the cell even inside a code span.
    private static func cell(_ text: String) -> String {
        DisplayText.markdown(text).replacingAll("|", with: "\\|")
    }

    private static func codeCell(_ text: String) -> String {
        DisplayText.markdownCode(text).replacingAll("|", with: "\\|")
    }

    /// Returns the first 300 characters of an expected or actual value as a code span.
    private static func excerpt(_ text: String) -> String {
        DisplayText.markdownCode(String(text.prefix(300)))
    }
}
