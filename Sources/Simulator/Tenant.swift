/// Tenant settings that change what Entra sends.
public struct Tenant: Sendable, Equatable {
    /// Whether the tenant URL carries `?aadOptscim062020`, which switches PATCH to RFC-compliant
    /// lowercase ops, JSON booleans and path-less multi-attribute replaces. Provision on demand
    /// ignores it.
    public var aadOptscim062020: Bool
    public var mapping: AttributeMapping
    /// Target attributes used to match users, in precedence order: Entra queries them one after
    /// the other and stops at the first match.
    public var matching: [String]
    public var actions: TargetObjectActions
    /// Whether the group mapping is enabled, so that assigned groups are created in the target
    /// with their members. Assigned groups put their members in scope either way.
    public var provisionGroups: Bool
    public var retryAfter: RetryAfterPolicy
    public var roleChoice: RoleChoice
    public var quarantine: QuarantinePolicy
    public var shapes: RequestShapes

    public init(
        aadOptscim062020: Bool = true, mapping: AttributeMapping = .preset(.front), matching: [String] = ["userName"],
        actions: TargetObjectActions = TargetObjectActions(), provisionGroups: Bool = true,
        retryAfter: RetryAfterPolicy = .honour, roleChoice: RoleChoice = .first,
        quarantine: QuarantinePolicy = QuarantinePolicy(), shapes: RequestShapes = RequestShapes()
    ) {
        self.aadOptscim062020 = aadOptscim062020
        self.mapping = mapping
        self.matching = matching
        self.actions = actions
        self.provisionGroups = provisionGroups
        self.retryAfter = retryAfter
        self.roleChoice = roleChoice
        self.quarantine = quarantine
        self.shapes = shapes
    }

    public var dialectName: String {
        aadOptscim062020 ? "aadOptscim062020" : "legacy"
    }
}

/// The Target Object Actions check boxes of the attribute mapping.
public struct TargetObjectActions: Sendable, Equatable {
    /// Whether Entra may create objects; without it an unmatched user is skipped.
    public var create = true
    /// Whether Entra may update objects, which includes disabling and re-enabling users.
    public var update = true
    /// Whether Entra may delete objects: users after a hard delete, groups that leave scope.
    public var delete = true

    public init(create: Bool = true, update: Bool = true, delete: Bool = true) {
        self.create = create
        self.update = update
        self.delete = delete
    }
}

/// Entra's reaction to a 429 that carries `Retry-After`. Microsoft does not document whether
/// Entra waits, so both reactions can be simulated.
public enum RetryAfterPolicy: String, Sendable, CaseIterable {
    /// Waits the given seconds and sends the same request again within the cycle.
    case honour
    /// Records `TooManyRequests` for the object and retries it in the next cycle.
    case ignore
}

/// The app role `SingleAppRoleAssignment` picks for a user with several. Microsoft gives no
/// guarantee, so the simulator picks by assignment order and records its choice in the
/// provisioning log.
public enum RoleChoice: String, Sendable, CaseIterable {
    case first
    case last
}

/// The failure thresholds that put the provisioning job in quarantine, per cycle. The defaults are
/// the escrow thresholds of Microsoft's quarantine article, which calls them "subject to change".
/// Evaluation starts at 5,000 failures. Then more than 40% failed events or more than 40,000
/// failures quarantine the job, and 60,000 failures including reference failures always do. A
/// cycle whose every request is rejected with 401 or 403 quarantines the job at once, as invalid
/// credentials do.
public struct QuarantinePolicy: Sendable, Equatable {
    public var minimumFailures = 5000
    public var failureProportion = 0.4
    public var maximumFailures = 40000
    public var absoluteFailures = 60000

    public init(
        minimumFailures: Int = 5000, failureProportion: Double = 0.4, maximumFailures: Int = 40000,
        absoluteFailures: Int = 60000
    ) {
        self.minimumFailures = minimumFailures
        self.failureProportion = failureProportion
        self.maximumFailures = maximumFailures
        self.absoluteFailures = absoluteFailures
    }
}
