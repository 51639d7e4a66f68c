import HTTP
import Logging
import ReferenceServer

/// Settings for a verify run.
public struct VerifyOptions: Sendable {
    public var profile: VerificationProfile
    /// The SCIM base URL of the endpoint under test; `nil` runs each transcript against a fresh
    /// embedded reference endpoint.
    public var target: String?
    /// The bearer token for `target`.
    public var token: String?
    /// Permits requests to a target that is not on a loopback address.
    public var allowWrites: Bool
    /// Makes client-chosen identities unique per run; `nil` means on with `target`, off without.
    public var isolate: Bool?
    /// Deviations the embedded endpoint runs with, to see what the verifier reports for a faulty endpoint.
    public var embeddedDeviations: Set<Deviation>
    public var client: HTTPClientConfiguration
    public var logger: Logger
    /// Creates resources a transcript uses without creating them, from their recorded representation.
    public var bootstrap: Bool = true
    /// Deletes what a replay created on an external target when it ends.
    public var cleanup: Bool = true
    /// Sends the negative checks derived from each transcript.
    public var derive: Bool = false
    /// A shell command that sets up preconditions on targets without the admin route.
    public var stateHook: String?
    /// Headers added to every request.
    public var extraHeaders: HTTPHeaders = []
    public var retries = RetryPolicy()
    /// Seconds the whole run may take; `nil` for no limit.
    public var runTimeLimit: Double?

    public init(
        profile: VerificationProfile = .front, target: String? = nil, token: String? = nil, allowWrites: Bool = false,
        isolate: Bool? = nil, embeddedDeviations: Set<Deviation> = [],
        client: HTTPClientConfiguration = HTTPClientConfiguration(),
        logger: Logger = .disabled
    ) {
        self.profile = profile
        self.target = target
        self.token = token
        self.allowWrites = allowWrites
        self.isolate = isolate
        self.embeddedDeviations = embeddedDeviations
        self.client = client
        self.logger = logger
    }
}

/// The result of verifying one transcript.
public struct TranscriptOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        case passed
        case failed
        /// Not run because its preconditions cannot be set, or as the state hook decided.
        case skipped(reason: String)
        /// Not run because the run's time limit was reached before it started. Unlike a skip,
        /// this always fails the run.
        case notRun(reason: String)
    }

    public let file: String
    public let name: String
    public let status: Status
    public let findings: [Finding]
    /// Exchanges sent to the target, counting one that got no response; a transcript that stopped
    /// early or was skipped counts fewer than it has.
    public let exchangeCount: Int
    /// Seconds spent on the transcript.
    public let duration: Double
    /// What was sent and received, for reports.
    public let exchanges: [ReplayedExchange]
    /// The SCIM base URL the transcript ran against; `nil` for the embedded endpoint, which is gone
    /// once the run ends.
    public let baseURL: String?
    /// Server-generated values learned during the replay, recorded value to live value.
    public let learned: [String: String]

    public init(
        file: String, name: String, status: Status, findings: [Finding], exchangeCount: Int, duration: Double,
        exchanges: [ReplayedExchange] = [], baseURL: String? = nil, learned: [String: String] = [:]
    ) {
        self.file = file
        self.name = name
        self.status = status
        self.findings = findings
        self.exchangeCount = exchangeCount
        self.duration = duration
        self.exchanges = exchanges
        self.baseURL = baseURL
        self.learned = learned
    }

    public var errors: [Finding] {
        findings.filter { $0.severity == .error }
    }

    /// Whether the run's time limit stopped this transcript from running in full: it did not
    /// start, or a request, state hook or cleanup was cut short.
    public var reachedRunLimit: Bool {
        if case .notRun = status {
            return true
        }
        return findings.contains { $0.rule == "run-limit" }
    }
}

/// Why a run stopped before judging its transcripts.
public enum VerifyFailure: Error, Sendable, CustomStringConvertible {
    /// A usage problem found before any request, such as a non-loopback target without `--allow-writes`.
    case usage(String)
    /// The target refused connections or could not be resolved.
    case targetUnreachable(String)
    /// The TLS handshake with the target failed, such as a certificate that fails verification.
    case tlsFailed(String)

    public var description: String {
        switch self {
        case .usage(let message): message
        case .targetUnreachable(let message): message
        case .tlsFailed(let message): message
        }
    }
}
