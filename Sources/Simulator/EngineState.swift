import SCIM

/// An app role assignment as Entra keeps it; `sequence` orders assignments across users and groups.
struct Assignment: Equatable {
    /// The app role value, or `nil` for Default Access.
    let role: String?
    let sequence: Int
}

/// The state Entra keeps about one directory user between cycles.
struct UserState {
    var directory: DirectoryUser
    var assignments: [Assignment] = []
    var softDeleted = false
    var hardDeleted = false
    /// The target id Entra cached from a create or match; `nil` makes the next sync match by filter.
    var anchor: String?
    /// Changed since the last cycle, so the next incremental cycle evaluates the user.
    var dirty = false
    /// The failure of the last attempt, which the next cycle retries.
    var failure: ProvisioningFailure?
    /// Whether the manager reference failed and must be tried again.
    var referencePending = false
    /// The manager id the target held at the last read, create or reference update.
    var targetManager: String?
    /// The last id seen, kept for probes after Entra has dropped its anchor.
    var lastKnownId: String?
    /// The `userName` the target holds, for probes after a rename.
    var lastSyncedUserName: String?

    init(directory: DirectoryUser) {
        self.directory = directory
    }
}

/// The state Entra keeps about one directory group between cycles.
struct GroupState {
    var directory: DirectoryGroup
    var assignments: [Assignment] = []
    var deleted = false
    var anchor: String?
    var dirty = false
    var failure: ProvisioningFailure?
    /// The members Entra has added to the target group, as user keys with their target ids.
    /// Entra reads groups with `excludedAttributes=members`, so this list is its only record.
    var syncedMembers: [(key: String, id: String)] = []
    var lastKnownId: String?

    init(directory: DirectoryGroup) {
        self.directory = directory
    }
}

/// The reason a user is out of scope, in the words of the provisioning log.
enum ScopeExit: Equatable {
    case unassigned
    case accountDisabled
    case softDeleted
    case hardDeleted

    var description: String {
        switch self {
        case .unassigned: "the user is no longer assigned to the app"
        case .accountDisabled: "the account is disabled in Entra"
        case .softDeleted: "the user was deleted in Entra (soft delete)"
        case .hardDeleted: "the user was permanently deleted in Entra"
        }
    }
}

/// The provisioning job: whether it runs, its quarantine and the cycle being run.
struct JobState {
    var started = false
    /// Set by a restart: the next cycle evaluates every object.
    var initialPending = false
    var quarantine: Quarantine?
    /// Four weeks in quarantine disable the job; it runs no more cycles until a restart.
    var disabled = false

    struct Quarantine {
        let reason: String
        /// Simulated time of the first failing cycle, from which retries are scheduled.
        let since: Double
        var retries = 0
    }
}
