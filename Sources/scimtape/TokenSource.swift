import Foundation
import Transcript

/// Reads the bearer token from `--token-file` or `SCIMTAPE_TOKEN`; never from the command line,
/// where other users of the machine could read it in the process list.
enum TokenSource {
    static func read(file: String?) throws(UsageError) -> String? {
        if let file {
            if let problem = FileCheck.problem(readingRegularFile: file) {
                throw UsageError(message: "the token file '\(file)' \(problem)")
            }
            let contents: String
            do {
                contents = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw UsageError(message: "cannot read the token file '\(file)': \(error.localizedDescription)")
            }
            let token = contents.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                throw UsageError(message: "the token file '\(file)' is empty")
            }
            guard !token.contains(where: { $0.isNewline || $0 == " " }) else {
                throw UsageError(message: "the token file '\(file)' must hold one token without spaces or line breaks")
            }
            return token
        }
        if let token = ProcessInfo.processInfo.environment["SCIMTAPE_TOKEN"]?.trimmingCharacters(
            in: .whitespacesAndNewlines),
            !token.isEmpty
        {
            return token
        }
        return nil
    }
}

/// Reads `--timeout`: a finite number of seconds, more than 0 and at most one day.
func parseTimeout(_ text: String?) throws(UsageError) -> Double? {
    guard let text else {
        return nil
    }
    guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 86_400 else {
        throw UsageError(message: "--timeout must be a number of seconds above 0 and at most 86400, not '\(text)'")
    }
    return seconds
}

/// "1 exchange", "2 exchanges"; `plural` replaces the added "s" for nouns such as "entry".
func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
