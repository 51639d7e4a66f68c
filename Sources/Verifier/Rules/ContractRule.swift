import SCIM
import Transcript

/// What a contract rule sees: the transcript and what happened to each exchange.
public struct RuleContext: Sendable {
    public let transcript: Transcript
    public let exchanges: [ReplayedExchange]
    public let profile: VerificationProfile
    /// The preconditions as applied, with isolated identities.
    public let preconditions: [Precondition]
}

/// A named check that looks across a transcript's exchanges.
public protocol ContractRule: Sendable {
    var id: String { get }
    /// One sentence stating what must hold.
    var statement: String { get }
    /// The RFC section or Entra/Front behaviour the rule comes from.
    var source: String { get }
    var profiles: Set<VerificationProfile> { get }
    func check(_ context: RuleContext) -> [Finding]
}

/// Every contract rule, in the order `scimtape rules` lists them.
public enum ContractRules {
    public static let all: [any ContractRule] = [
        TestConnectionRule(),
        ListResponseRule(),
        UserNameFilterCaseRule(),
        UniquenessVisibleRule(),
        UnknownIdRule(),
        ErrorBodyRule(),
        MediaTypeRule(),
        ActiveBooleanRule(),
        ResourceMetadataRule(),
        PatchOpCaseRule(),
        PatchAtomicityRule(),
        SoftDeleteRule(),
        ReactivationRule(),
        DeleteBlocksRule(),
        DeleteRemovesRule(),
        CreateOnlyTemplateRule(),
        DeletedTeammateRule(),
    ]

    public static func rules(for profile: VerificationProfile) -> [any ContractRule] {
        all.filter { $0.profiles.contains(profile) }
    }
}

extension ContractRule {
    func finding(
        _ exchange: ReplayedExchange?, _ message: String, expected: String? = nil, actual: String? = nil,
        path: JSONPath? = nil
    )
        -> Finding
    {
        Finding(rule: id, exchange: exchange?.number, message: message, path: path, expected: expected, actual: actual)
    }

    func notObservable(_ exchange: ReplayedExchange?, _ message: String) -> Finding {
        Finding(rule: id, severity: .notObservable, exchange: exchange?.number, message: message)
    }
}
