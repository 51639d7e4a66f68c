import Foundation
import Transcript

enum ImportCommand: Command {
    static let spec = CommandSpec(
        name: "import", abstract: "Convert the SCIM exchanges of a HAR file into a transcript.",
        usage:
            "scimtape import FILE.har --out FILE [--base URL|PATH] [--redact-header NAME ...] [--redact-field NAME ...] [--force]",
        arguments: [
            .init(
                name: "file.har",
                help: "A HAR 1.2 file, as written by mitmproxy, Fiddler, Charles or browser developer tools.")
        ],
        options: [
            .init(name: "out", valueName: "file", help: "Where to write the transcript; missing folders are created."),
            .init(
                name: "base", valueName: "url-or-path",
                help:
                    "The SCIM base, such as https://scim.example.com/scim/v2, or a path such as /scim/v2 to match on any host. Without it, the base is detected from paths such as /Users and /Groups."
            ),
            .init(name: "name", valueName: "name", help: "The transcript's name. (default: the output file's name)"),
        ] + SecretOptions.specOptions + [SecretOptions.forceOption],
        discussion: """
            Entries outside the SCIM base, entries without a response and CORS preflight requests are dropped
            and listed on standard error. The headers and JSON members listed under --redact-header and
            --redact-field, and tokens in request paths such as ?access_token=..., are replaced before
            anything is written. Exit codes: 0 written, 1 the secret scan found a credential and nothing
            was written, 2 usage or input error.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        guard arguments.positionals.count == 1 else {
            return usageFailure(
                arguments.positionals.isEmpty ? "missing the FILE.har argument" : "import takes one FILE.har",
                spec: spec)
        }
        guard let out = arguments.value("out") else {
            return usageFailure("missing --out FILE", spec: spec)
        }
        let harPath = arguments.positionals[0]
        let name =
            arguments.value("name") ?? URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
        let options = HARImport.Options(
            base: arguments.value("base"), policy: SecretOptions.policy(arguments), name: name,
            sourceFile: URL(fileURLWithPath: harPath).lastPathComponent, tool: "scimtape \(Terminal.version)")

        let result: HARImport.Result
        do {
            result = try HARImport.read(path: harPath, options: options)
        } catch {
            Terminal.error(error.description)
            return .usageOrInput
        }
        let listedLimit = 20
        for dropped in result.dropped.prefix(listedLimit) {
            Terminal.error("note: entry \(dropped.entry) dropped (\(dropped.reason)): \(dropped.method) \(dropped.url)")
        }
        if result.dropped.count > listedLimit {
            Terminal.error("note: \(result.dropped.count - listedLimit) more entries dropped")
        }
        guard SecretOptions.check(result.transcript, output: out, force: arguments.flag("force")) else {
            return .checkFailed
        }
        guard writeTranscript(result.transcript, to: out) else {
            return .usageOrInput
        }
        let baseNote = result.baseWasDetected ? "detected base" : "base"
        Terminal.out(
            "wrote \(out) (\(counted(result.transcript.exchanges.count, "exchange")) under \(baseNote) \(result.base), \(entries(result.dropped.count)) dropped)"
        )
        return .success
    }
}
