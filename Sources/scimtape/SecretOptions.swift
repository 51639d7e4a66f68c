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
            help: "Also replace this JSON member's values in bodies, at any depth, besides password. Repeatable.",
            repeating: true),
    ]

    static let forceOption = CommandSpec.Option(
        name: "force", valueName: nil,
        help: "Write the output even when the secret scan finds a value that looks like a credential.")

    static func policy(_ arguments: ParsedArguments) -> SecretPolicy {
        SecretPolicy(
            extraHeaders: arguments.allValues("redact-header"), extraJSONFields: arguments.allValues("redact-field"))
    }

    /// Runs the secret scan and prints each finding. Returns whether writing may go ahead: when
    /// nothing was found, or when `force` is set.
    static func check(_ transcript: Transcript, output: String, force: Bool) -> Bool {
        let findings = SecretScan.scan(transcript)
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
        let headers = Set(findings.compactMap(\.headerName)).sorted()
        var advice = "nothing was written to \(output). "
        if !headers.isEmpty {
            advice += "Add \(headers.map { "--redact-header \($0)" }.joined(separator: " ")) to replace those headers, "
            advice += "or pass --force if the values are not secrets."
        } else {
            advice +=
                "Add --redact-field NAME for the JSON members named above, or pass --force if they are not secrets."
        }
        Terminal.error(
            "Error: the secret scan flagged \(counted(findings.count, "value")) as possible credentials; \(advice)")
        return false
    }
}

/// Reads a transcript file for a verb that needs exactly one; prints the error and returns `nil`
/// when the file is not a readable transcript.
func readTranscript(_ path: String) -> Transcript? {
    do {
        switch try TranscriptFile.read(path: path) {
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

/// Writes a transcript and prints the error when that fails.
func writeTranscript(_ transcript: Transcript, to path: String) -> Bool {
    do {
        try TranscriptFile.write(transcript, to: path)
        return true
    } catch {
        Terminal.error("Error: cannot write \(path): \(error.localizedDescription)")
        return false
    }
}

/// "1 entry", "2 entries".
func entries(_ count: Int) -> String {
    "\(count) \(count == 1 ? "entry" : "entries")"
}
