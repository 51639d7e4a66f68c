import Foundation
import Transcript

/// A JUnit XML report (`--junit FILE`): one test case per transcript, which CI systems such as
/// GitHub Actions, GitLab and Jenkins read.
public enum JUnitReport {
    public static func xml(_ report: RunReport) -> String {
        let errors = report.inputErrors.count + (report.stopReason == nil ? 0 : 1)
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        let counts =
            #"tests="\#(report.outcomes.count + errors)" failures="\#(report.failed)" errors="\#(errors)" skipped="\#(report.skipped + report.notRun)" time="\#(seconds(report.duration))""#
        lines.append(#"<testsuites name="scimtape verify" \#(counts)>"#)
        lines.append(#"  <testsuite name="scimtape verify (profile \#(escape(report.profile.rawValue)))" \#(counts)>"#)
        for outcome in report.outcomes {
            let attributes =
                #"classname="\#(escape(folder(of: outcome.file)))" name="\#(escape(outcome.name))" file="\#(escape(outcome.file))" time="\#(seconds(outcome.duration))""#
            lines.append("    <testcase \(attributes)>")
            switch outcome.status {
            case .passed:
                break
            case .failed:
                let message = outcome.errors.count == 1 ? "1 finding" : "\(outcome.errors.count) findings"
                lines.append(#"      <failure message="\#(escape(message))" type="contract">"#)
                lines.append(escape(outcome.errors.flatMap { $0.lines(file: outcome.file) }.joined(separator: "\n")))
                lines.append("      </failure>")
            case .skipped(let reason), .notRun(let reason):
                // JUnit has no status for a test that did not run; the run's stop reason below fails the suite.
                lines.append(#"      <skipped message="\#(escape(reason))"/>"#)
            }
            let other = outcome.findings.filter { $0.severity != .error }
            if !other.isEmpty {
                lines.append(
                    "      <system-out>\(escape(other.flatMap { $0.lines(file: outcome.file) }.joined(separator: "\n")))</system-out>"
                )
            }
            lines.append("    </testcase>")
        }
        if let reason = report.stopReason {
            lines.append(#"    <testcase classname="scimtape" name="scimtape verify" time="0">"#)
            lines.append(#"      <error message="the run stopped" type="stopped">\#(escape(reason))</error>"#)
            lines.append("    </testcase>")
        }
        for error in report.inputErrors {
            let file = error.components(separatedBy: ": ").first ?? error
            lines.append(#"    <testcase classname="\#(escape(folder(of: file)))" name="\#(escape(file))" time="0">"#)
            lines.append(#"      <error message="unreadable transcript" type="input">\#(escape(error))</error>"#)
            lines.append("    </testcase>")
        }
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func folder(of file: String) -> String {
        let url = URL(fileURLWithPath: file)
        let parent = url.deletingLastPathComponent().relativePath
        return parent.isEmpty || parent == "." ? "transcripts" : parent
    }

    private static func seconds(_ value: Double) -> String {
        String(format: "%.3f", value)
    }

    /// Escapes text for XML attributes and content, and drops characters XML 1.0 cannot hold. The
    /// characters of `DisplayText.isInvisible(_:)` are shown as `\u{XX}`, as in verify's text output.
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n", "\t", "\r": result.unicodeScalars.append(scalar)
            default:
                if DisplayText.isInvisible(scalar) {
                    result += DisplayText.line(String(scalar))
                } else if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
