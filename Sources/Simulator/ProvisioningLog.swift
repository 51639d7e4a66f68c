import Foundation
import SCIM

/// The record of a simulated provisioning job in the shape of Entra's provisioning logs, so a user
/// can compare it with the portal. Each entry is one object action with the members of Microsoft
/// Graph's `provisioningObjectSummary`: `provisioningAction`, `provisioningStatusInfo` with
/// `errorInformation.errorCode`, `provisioningSteps`, `modifiedProperties`, `sourceIdentity` and
/// `targetIdentity`. Job-level facts that the portal shows elsewhere (each cycle,
/// quarantine) are in `cycles`, and remarks such as the role `SingleAppRoleAssignment` picked are
/// in `notes`.
public struct ProvisioningLog: Sendable, Equatable {
    /// The `format` member that marks a JSON file as a provisioning log.
    public static let formatName = "scimtape.provisioning-log"

    public var scenario: String?
    public var jobId: String
    /// The target system's display name, such as `Front`.
    public var targetSystem = "SCIM endpoint"
    public var cycles: [Cycle] = []
    public var entries: [Entry] = []
    public var notes: [String] = []

    /// One provisioning cycle, or one provision-on-demand run.
    public struct Cycle: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case initial
            case incremental
            case onDemand
        }

        public var id: String
        public var kind: Kind
        /// Simulated time the cycle started, in seconds since 1970.
        public var startedAt: Double
        /// Measured wall time of the cycle; it changes on every run.
        public var durationInMilliseconds: Int = 0
        public var requests = 0
        /// Object events (entries) the cycle logged, and how many of them failed.
        public var events = 0
        public var failures = 0
        /// Failed manager references and group member updates, which Microsoft counts apart.
        public var referenceFailures = 0
        /// The reason the job is in quarantine after this cycle, such as `EncounteredQuarantineException`.
        public var quarantine: String?
        /// Simulated time of the next cycle when the job is in quarantine.
        public var nextCycleAt: Double?
        /// Whether the cycle was not run because the job was disabled after four weeks in quarantine.
        public var skipped = false
    }

    public enum Action: String, Sendable {
        case create
        case update
        case delete
        case disable
        case other
    }

    public enum Status: String, Sendable {
        case success
        case failure
        case skipped
        case warning
    }

    public struct Entry: Sendable, Equatable {
        public var id: String
        public var activityDateTime: Double
        public var cycleId: String
        public var changeId: String
        public var durationInMilliseconds = 0
        public var onDemand = false
        public var action = Action.other
        public var status = Status.success
        public var error: ErrorInformation?
        public var steps: [Step] = []
        public var modifiedProperties: [ModifiedProperty] = []
        public var source: Identity
        public var target: Identity
    }

    /// `provisioningStep`: `type` is one of import, scoping, matching, processing,
    /// referenceResolution and export.
    public struct Step: Sendable, Equatable {
        public var name: String
        public var type: String
        public var status: Status
        public var description: String
    }

    /// `provisioningErrorInfo`, with an `errorCode` from Microsoft's provisioning error table.
    public struct ErrorInformation: Sendable, Equatable {
        public var errorCode: String
        public var errorCategory: String
        public var reason: String
        public var additionalDetails: String
        public var recommendedAction: String
    }

    public struct ModifiedProperty: Sendable, Equatable {
        public var displayName: String
        public var oldValue: String?
        public var newValue: String?
    }

    /// `provisionedIdentity`: `id` is the source object id or the target id, when known.
    public struct Identity: Sendable, Equatable {
        public var id: String?
        public var displayName: String
        public var identityType: String
    }
}
