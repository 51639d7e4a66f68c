import Foundation
import SCIM
import Transcript

/// The options every verb that writes a transcript shares for secrets: extra names to redact,
/// and `--force` to write despite the secret scan.
enum SecretOptions {
    static let specOptions: [CommandSpec.Option] = [
        .init(
            name: "redact-header", valueName: "name",
            help:
                "Also replace this header's values, besides Authorization, Proxy-Authorization, Cookie and Set-Cookie. Repeatable.",
            repeating: true),
        .init(
            name: "redact-field", valueName: "name",
            help:
                "Also replace this JSON member's values in bodies, at any depth, besides password, secret, client_secret, access_token, refresh_token, apiToken, api_key and apikey (in any letter case). Repeatable.",
            repeating: true),
    ]

    static let forceOption = CommandSpec.Option(
        name: "force", valueName: nil,
        help: "Write the output even when the secret scan finds a value that looks like a credential.")

    /// Returns the policy of `--redact-header` and `--redact-field`, and warns about a header name
    /// that no header can have, such as one with a space, because it would redact nothing.
    static func policy(_ arguments: ParsedArguments) -> SecretPolicy {
        for name in arguments.allValues("redact-header") where Exchange.problem(inHeaderName: name) != nil {
            Terminal.error(
                "warning: --redact-header \(JSONValue.string(name).serialized()) is not a header field name "
                    + "(RFC 9110 section 5.1), so it matches no header; give the name without spaces or a colon")
        }
        return SecretPolicy(
            extraHeaders: arguments.allValues("redact-header"), extraJSONFields: arguments.allValues("redact-field"))
    }

    /// Returns the transcript with the policy of `--redact-header` and `--redact-field` applied
    /// to every exchange.
    static func applyPolicy(_ arguments: ParsedArguments, to transcript: Transcript) -> Transcript {
        let policy = policy(arguments)
        var redacted = transcript
        redacted.exchanges = transcript.exchanges.map(policy.apply(to:))
        return redacted
    }

    /// Runs the secret scan and prints each finding. Returns whether writing may go ahead: when
    /// nothing was found, or when `force` is set. Every verb that calls this accepts
    /// `--redact-header`, `--redact-field` and `--force`, which the advice names.
    static func check(_ transcript: Transcript, output: String, force: Bool) -> Bool {
        check(SecretScan.scan(transcript), output: output, force: force)
    }

    /// Prints each finding of a secret scan. Returns whether writing may go ahead, as
    /// `check(_:output:force:)` does for a transcript.
    static func check(_ findings: [SecretFinding], output: String, force: Bool) -> Bool {
        guard !findings.isEmpty else {
            return true
        }
        let severity = force ? "warning" : "error"
        for finding in findings {
            Terminal.error("\(output): \(severity): [secret] \(finding.description)")
        }
        guard !force else {
            return true
        }
        Terminal.error(
            "Error: the secret scan flagged \(counted(findings.count, "value")) as possible credentials; "
                + "nothing was written to \(output). \(advice(for: findings))")
        return false
    }

    /// Returns the options that replace the flagged values, such as `Add --redact-header X-Api-Key
    /// to replace them, or pass --force if the values are not secrets.`
    static func advice(for findings: [SecretFinding]) -> String {
        let headers = Set(findings.compactMap(\.headerName)).sorted().map { "--redact-header \($0)" }
        let members = Set(findings.compactMap(\.jsonMember)).sorted().map { "--redact-field \($0)" }
        let options = (headers + members).joined(separator: " ")
        // Values in request paths and text bodies have no option that replaces them.
        let unlisted = findings.contains { $0.headerName == nil && $0.jsonMember == nil }
        let force = "pass --force if the values are not secrets."
        switch (options.isEmpty, unlisted) {
        case (false, false):
            return "Add \(options) to replace them, or \(force)"
        case (false, true):
            return "Add \(options) to replace the header and JSON values. No option replaces the values in request "
                + "paths and text bodies, so remove those from the input, or \(force)"
        default:
            return
                "No option replaces values in request paths or text bodies, so remove them from the input, or \(force)"
        }
    }
}

/// Reads a transcript file for a verb that needs exactly one; prints the error and returns `nil`
/// when the file is not a readable transcript.
func readTranscript(_ path: String, maximumSize: Int) -> Transcript? {
    do {
        switch try TranscriptFile.read(path: path, maximumSize: maximumSize) {
        case .transcript(let transcript):
            return transcript
        case .otherJSON(let reason):
            Terminal.error("Error: \(path) is not a transcript: \(reason)")
            return nil
        }
    } catch {
        Terminal.error(error.description)
        return nil
    }
}

/// Writes a transcript and prints the error when that fails. A file larger than the verbs read by
/// default gets a note naming the option that reads it.
func writeTranscript(_ transcript: Transcript, to path: String) -> Bool {
    do {
        try TranscriptFile.write(transcript, to: path)
        noteIfOverReadLimit(path)
        return true
    } catch {
        Terminal.error("Error: cannot write \(path): \(error.localizedDescription)")
        return false
    }
}

/// Prints a note when a written transcript is larger than the verbs that read transcripts accept
/// by default, naming the option that reads it.
func noteIfOverReadLimit(_ path: String) {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    if size > TranscriptFile.maximumFileSize {
        Terminal.error(
            "note: \(path) is \(size) bytes, more than the \(TranscriptFile.maximumFileSize) bytes that verify, lint, show, redact and export read by default; pass them --max-transcript-size \(size)"
        )
    }
}

/// "1 entry", "2 entries".
func entries(_ count: Int) -> String {
    "\(count) \(count == 1 ? "entry" : "entries")"
}
