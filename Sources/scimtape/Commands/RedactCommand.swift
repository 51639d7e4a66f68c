import Foundation
import SCIM
import Transcript

enum RedactCommand: Command {
    static let spec = CommandSpec(
        name: "redact", abstract: "Replace personal data and secrets in a transcript, for sharing.",
        usage: "scimtape redact IN --out OUT [--redact-header NAME ...] [--redact-field NAME ...] [--force]",
        arguments: [.init(name: "in", help: "The transcript to redact.")],
        options: [
            .init(name: "out", valueName: "file", help: "Where to write the redacted transcript."),
            .init(
                name: "mapping", valueName: "file",
                help:
                    "Also write each original value and its pseudonym to this JSON file. It holds the personal data, so keep it to yourself."
            ),
            TranscriptSizeOption.spec,
        ] + SecretOptions.specOptions + [SecretOptions.forceOption],
        discussion: """
            userName, emails, name parts, displayName, nickName, externalId, phone numbers, employeeNumber,
            addresses, and the display names of managers and group members get pseudonyms such as
            user1@domain1.example. Each value gets the same pseudonym everywhere: in bodies, request paths,
            filter strings, headers, error details and descriptions. Endpoint names, schema URNs and
            headers such as Content-Type, ETag and Date are kept. The redacted transcript replays,
            and fails, like the original. Exit codes: 0 written, 1 the secret scan found a credential
            and nothing was written, 2 usage or input error.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        guard arguments.positionals.count == 1 else {
            return usageFailure(
                arguments.positionals.isEmpty ? "missing the IN argument" : "redact takes one IN file", spec: spec)
        }
        guard let out = arguments.value("out") else {
            return usageFailure("missing --out FILE", spec: spec)
        }
        guard let maximumSize = TranscriptSizeOption.limit(arguments, spec: spec) else {
            return .usageOrInput
        }
        guard let original = readTranscript(arguments.positionals[0], maximumSize: maximumSize) else {
            return .usageOrInput
        }

        let secretFree = SecretOptions.applyPolicy(arguments, to: original)
        let (redacted, table) = PersonalDataRedaction.redact(secretFree)
        guard SecretOptions.check(redacted, output: out, force: arguments.flag("force")) else {
            return .checkFailed
        }

        guard writeTranscript(redacted, to: out) else {
            return .usageOrInput
        }
        if let mappingPath = arguments.value("mapping") {
            let mapping = JSONValue.array(
                table.entries.map { ["original": .string($0.original), "pseudonym": .string($0.pseudonym)] })
            do {
                try Data(mapping.serializedBytes(.pretty) + [0x0A]).write(to: URL(fileURLWithPath: mappingPath))
            } catch {
                Terminal.error("Error: cannot write \(mappingPath): \(error.localizedDescription)")
                return .usageOrInput
            }
        }
        Terminal.out(
            "wrote \(out) (\(counted(redacted.exchanges.count, "exchange")), \(counted(table.entries.count, "value")) replaced with pseudonyms)"
        )
        return .success
    }
}
