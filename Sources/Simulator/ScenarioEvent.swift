extension Scenario {
    /// The principal of an app role assignment: a user directly, or every direct member of a group.
    public enum Principal: Sendable, Equatable, Hashable {
        case user(String)
        case group(String)
    }

    /// Something that happens in the tenant or in the provisioning job.
    ///
    /// Directory changes (assignments, attribute changes, deletions) only change state; Entra
    /// sends requests in the cycles that follow them (`startProvisioning`, `cycle`, `restart`)
    /// and for `provisionOnDemand` and `testConnection`.
    public enum Event: Sendable, Equatable {
        /// The admin clicks Test Connection.
        case testConnection
        /// The admin starts provisioning, which runs the initial cycle over every assigned object.
        case startProvisioning
        /// An incremental cycle, about 40 minutes after the previous one (longer in quarantine):
        /// objects changed since the last cycle and failed objects due for a retry.
        case cycle
        /// Restart provisioning: clears the watermark, the retry queue and quarantine and runs a
        /// new initial cycle. `breakLinks` (Microsoft Graph `resetScope` Full) also drops the cached
        /// target ids, so every user is matched again.
        case restart(breakLinks: Bool)
        /// Provision on demand for one user, which runs at once and ignores `aadOptscim062020`.
        case provisionOnDemand(user: String)
        /// Assigns the app to a user or group, with an app role or Default Access (`nil`).
        case assign(Principal, role: String?)
        /// Removes the principal's assignment with `role`, or all of its assignments when `nil`.
        case unassign(Principal, role: String?)
        /// Replaces the principal's assignments with one assignment of `role`.
        case changeRole(Principal, role: String?)
        /// Directory attribute changes, by Entra attribute name; `nil` clears an attribute.
        case update(user: String, changes: [String: String?])
        /// The group's displayName changes.
        case renameGroup(group: String, displayName: String)
        /// `accountEnabled` is set to false (`false`) or back to true (`true`).
        case setAccountEnabled(user: String, enabled: Bool)
        /// The user is deleted in Entra and sits in the recycle bin.
        case softDelete(user: String)
        /// The soft-deleted user is restored.
        case restore(user: String)
        /// The user is permanently deleted, 30 days after a soft delete or from the recycle bin.
        case hardDelete(user: String)
        case addMember(group: String, user: String)
        case removeMember(group: String, user: String)
        /// The group is deleted in Entra.
        case deleteGroup(group: String)
        /// Not an Entra request: reads the object by id (and a user by filter) to show the target's state.
        case probe(Principal)
    }
}

extension Scenario.Event {
    /// The users and groups the event names, for validation.
    var principals: [Scenario.Principal] {
        switch self {
        case .testConnection, .startProvisioning, .cycle, .restart:
            []
        case .provisionOnDemand(let user), .update(let user, _), .setAccountEnabled(let user, _),
            .softDelete(let user), .restore(let user), .hardDelete(let user):
            [.user(user)]
        case .assign(let principal, _), .unassign(let principal, _), .changeRole(let principal, _),
            .probe(let principal):
            [principal]
        case .renameGroup(let group, _), .deleteGroup(let group):
            [.group(group)]
        case .addMember(let group, let user), .removeMember(let group, let user):
            [.group(group), .user(user)]
        }
    }

    var role: String? {
        switch self {
        case .assign(_, let role), .unassign(_, let role), .changeRole(_, let role): role
        default: nil
        }
    }
}
