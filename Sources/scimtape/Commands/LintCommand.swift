import Foundation
import Transcript
import Verifier

enum LintCommand: Command {
    static let spec = CommandSpec(
        name: "lint", abstract: "Check transcripts against the transcript format without sending anything.",
        usage: "scimtape lint [PATHS ...] [--max-transcript-size BYTES]",
        arguments: [
            .init(
                name: "paths",
                help: "Transcript files, or folders searched for *.json files. (default: Recordings)")
        ],
        options: [TranscriptSizeOption.spec],
        discussion: """
            Each message names the file, the exchange and the JSON path. The format is published as
            Recordings/schemas/transcript.schema.json. Exit codes: 0 no errors (warnings allowed), 2 errors.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        let paths = arguments.positionals.isEmpty ? ["Recordings"] : arguments.positionals
        guard let maximumSize = TranscriptSizeOption.limit(arguments, spec: spec) else {
            return .usageOrInput
        }
        let discovery = TranscriptDiscovery.files(in: paths)
        var errors = discovery.problems.count
        var warnings = 0
        var checked = 0
        var names: [String: String] = [:]
        // Paths, names and messages may contain any character, so each line is printed with its
        // control and invisible characters escaped, as verify and show print them.
        for problem in discovery.problems {
            Terminal.error(DisplayText.line(problem))
        }
        for candidate in discovery.files {
            let content: TranscriptFile.Content
            do {
                content = try TranscriptFile.read(path: candidate.path, maximumSize: maximumSize)
            } catch {
                Terminal.error(DisplayText.line(error.description))
                errors += 1
                continue
            }
            guard case .transcript(let transcript) = content else {
                if case .otherJSON(let reason) = content, candidate.named {
                    Terminal.error(DisplayText.line("\(candidate.path): error: not a transcript: \(reason)"))
                    errors += 1
                }
                continue
            }
            checked += 1
            if let other = names[transcript.name] {
                Terminal.error(
                    DisplayText.line(
                        "\(candidate.path): warning: $.name: \"\(transcript.name)\" is also the name of \(other); baselines match by name"
                    ))
                warnings += 1
            }
            names[transcript.name] = candidate.path
            for problem in TranscriptLinter.problems(in: transcript) {
                Terminal.error(DisplayText.line(problem.line(file: candidate.path)))
                if problem.severity == .error {
                    errors += 1
                } else {
                    warnings += 1
                }
            }
        }
        if checked > 0 || errors == 0 {
            Terminal.out(
                "\(counted(checked, "transcript")) checked: \(counted(errors, "error")), \(counted(warnings, "warning"))"
            )
        } else {
            Terminal.out("no transcript checked: \(counted(errors, "file")) could not be read as a transcript")
        }
        if checked == 0 && errors == 0 {
            Terminal.error(DisplayText.line("Error: no transcripts found in \(paths.joined(separator: ", "))"))
            return .usageOrInput
        }
        return errors > 0 ? .usageOrInput : .success
    }
}
