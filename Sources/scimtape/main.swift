import Foundation

/// A verb of the command line.
protocol Command {
    static var spec: CommandSpec { get }
    static func run(_ arguments: ParsedArguments) -> ExitCode
}

let commands: [any Command.Type] = [
    VerifyCommand.self, LintCommand.self, SimulateCommand.self, ServeCommand.self, RulesCommand.self,
    RecordCommand.self, RecoverCommand.self, ImportCommand.self, ExportCommand.self, RedactCommand.self,
    ShowCommand.self,
]

let overview = """
    OVERVIEW: Record, replay and verify SCIM 2.0 provisioning from Microsoft Entra ID into Front and
    Front-compatible endpoints.

    USAGE: scimtape <subcommand> [options]

    SUBCOMMANDS:
    \(commands.map { "  " + $0.spec.name.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.spec.abstract }.joined(separator: "\n"))

    OPTIONS:
      --version               Show the version.
      -h, --help              Show help information.

      See 'scimtape <subcommand> --help' or 'scimtape help <subcommand>' for the options of each
      subcommand.
    """

@MainActor
func main() -> ExitCode {
    // A peer that closes its end (a state hook, a client) must not kill the process with SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    var arguments = Array(CommandLine.arguments.dropFirst())
    guard let verb = arguments.first else {
        Terminal.error(overview)
        return .usageOrInput
    }
    arguments.removeFirst()
    switch verb {
    case "--version", "version":
        Terminal.out("scimtape \(Terminal.version)")
        return .success
    case "-h", "--help", "help":
        guard let topic = arguments.first else {
            Terminal.out(overview)
            return .success
        }
        guard let command = commands.first(where: { $0.spec.name == topic }) else {
            Terminal.error("Error: unknown subcommand '\(topic)'")
            Terminal.error("  See 'scimtape --help' for the list of subcommands.")
            return .usageOrInput
        }
        Terminal.out(command.spec.helpText)
        return .success
    default:
        break
    }
    guard let command = commands.first(where: { $0.spec.name == verb }) else {
        Terminal.error("Error: unknown subcommand '\(verb)'")
        Terminal.error("Usage: scimtape <subcommand> [options]")
        Terminal.error("  See 'scimtape --help' for the list of subcommands.")
        return .usageOrInput
    }
    let parsed: ParsedArguments
    do {
        parsed = try ParsedArguments(arguments, spec: command.spec)
    } catch {
        return usageFailure(error.message, spec: command.spec)
    }
    if parsed.wantsHelp {
        Terminal.out(command.spec.helpText)
        return .success
    }
    if parsed.wantsVersion {
        Terminal.out("scimtape \(Terminal.version)")
        return .success
    }
    return command.run(parsed)
}

/// Prints `Error: ...`, the usage line and a pointer to `--help`, and returns exit code 2.
func usageFailure(_ message: String, spec: CommandSpec) -> ExitCode {
    Terminal.error("Error: \(message)")
    Terminal.error("Usage: \(spec.usage)")
    Terminal.error("  See 'scimtape \(spec.name) --help' for more information.")
    return .usageOrInput
}

exit(main().rawValue)
