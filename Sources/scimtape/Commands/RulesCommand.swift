import Verifier

enum RulesCommand: Command {
    static let spec = CommandSpec(
        name: "rules", abstract: "List the contract rules verify applies.",
        usage: "scimtape rules [--profile front|entra|rfc]",
        options: [
            .init(
                name: "profile", valueName: "profile", help: "List only the rules of this profile: front, entra or rfc."
            )
        ])

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        var rules = ContractRules.all
        if let name = arguments.value("profile") {
            guard let profile = VerificationProfile(rawValue: name) else {
                return usageFailure("unknown profile '\(name)'; expected front, entra or rfc", spec: spec)
            }
            rules = ContractRules.rules(for: profile)
        }
        guard arguments.positionals.isEmpty else {
            return usageFailure("rules takes no arguments", spec: spec)
        }
        for rule in rules {
            let profiles = VerificationProfile.allCases.filter(rule.profiles.contains).map(\.rawValue).joined(
                separator: ",")
            Terminal.out("\(rule.id) [\(profiles)]")
            Terminal.out("  \(rule.statement)")
            Terminal.out("  source: \(rule.source)")
        }
        return .success
    }
}
