import Dispatch
import HTTP
import Logging
import SCIM
import Transcript

/// A model of Entra's provisioning engine for one scenario. It keeps what Entra keeps (the cached
/// target id of each object, assignments, the retry queue, quarantine) and turns timeline events
/// into the requests of Test Connection, provisioning cycles and provision on demand.
final class ProvisioningEngine {
    /// The interval between incremental cycles: "approximately every 40 minutes" (Microsoft's
    /// SCIM tutorial).
    static let cycleInterval: Double = 40 * 60
    /// The wait between a soft delete and the hard delete that follows it.
    static let recycleBinRetention: Double = 30 * 24 * 3600

    let scenario: Scenario
    let target: SCIMTarget
    let logger: Logger
    var random: EntraRandom
    var logRandom: EntraRandom
    var users: [String: UserState] = [:]
    var groups: [String: GroupState] = [:]
    var job = JobState()
    /// The simulated time, in seconds since 1970.
    var now: Double
    var sequence = 0
    var log: ProvisioningLog
    /// The cycle being run, whose counters requests and entries update.
    var cycle: ProvisioningLog.Cycle?
    var rejectedRequests = 0

    init(scenario: Scenario, target: SCIMTarget, logger: Logger) {
        self.scenario = scenario
        self.target = target
        self.logger = logger
        self.random = EntraRandom(seed: scenario.seed, name: scenario.name)
        self.logRandom = EntraRandom(seed: scenario.seed, name: "provisioning log of " + scenario.name)
        self.now = scenario.startTime
        self.log = ProvisioningLog(jobId: "")
        log.jobId = "scim." + logRandom.uuid().replacingOccurrences(of: "-", with: "")
        for user in scenario.users {
            users[user.key] = UserState(directory: user)
        }
        for group in scenario.groups {
            groups[group.key] = GroupState(directory: group)
        }
    }

    var mapping: AttributeMapping {
        scenario.tenant.mapping
    }

    func run() throws(HTTPClientError) {
        for event in scenario.timeline {
            try handle(event)
        }
    }

    private func handle(_ event: Scenario.Event) throws(HTTPClientError) {
        switch event {
        case .testConnection:
            try testConnection()
        case .startProvisioning:
            job.started = true
            try runCycle(initial: true)
        case .cycle:
            try runCycle(initial: job.initialPending)
        case .restart(let breakLinks):
            restart(breakLinks: breakLinks)
            try runCycle(initial: true)
        case .provisionOnDemand(let key):
            try provisionOnDemand(key)
        case .probe(let principal):
            try probe(principal)
        default:
            apply(event)
        }
    }

    /// Applies a directory change and marks what the next cycle must evaluate.
    private func apply(_ event: Scenario.Event) {
        switch event {
        case .assign(let principal, let role):
            sequence += 1
            change(principal) { $0.append(Assignment(role: role, sequence: sequence)) }
        case .unassign(let principal, let role):
            change(principal) { assignments in assignments.removeAll { role == nil || $0.role == role } }
        case .changeRole(let principal, let role):
            sequence += 1
            change(principal) { $0 = [Assignment(role: role, sequence: sequence)] }
        case .update(let key, let changes):
            for (attribute, value) in changes.sorted(by: { $0.key < $1.key }) {
                users[key]!.directory.set(attribute, to: value)
            }
            users[key]!.dirty = true
        case .renameGroup(let key, let displayName):
            groups[key]!.directory.displayName = displayName
            groups[key]!.dirty = true
        case .setAccountEnabled(let key, let enabled):
            users[key]!.directory.accountEnabled = enabled
            users[key]!.dirty = true
        case .softDelete(let key):
            users[key]!.softDeleted = true
            users[key]!.dirty = true
        case .restore(let key):
            users[key]!.softDeleted = false
            users[key]!.dirty = true
        case .hardDelete(let key):
            users[key]!.softDeleted = true
            users[key]!.hardDeleted = true
            users[key]!.dirty = true
            now += Self.recycleBinRetention
        case .addMember(let group, let user):
            groups[group]!.directory.members.append(user)
            groups[group]!.dirty = true
            users[user]!.dirty = true
        case .removeMember(let group, let user):
            groups[group]!.directory.members.removeAll { $0 == user }
            groups[group]!.dirty = true
            users[user]!.dirty = true
        case .deleteGroup(let key):
            groups[key]!.deleted = true
            markGroupChanged(key)
        default:
            break
        }
    }

    private func change(_ principal: Scenario.Principal, _ update: (inout [Assignment]) -> Void) {
        switch principal {
        case .user(let key):
            update(&users[key]!.assignments)
            users[key]!.dirty = true
        case .group(let key):
            update(&groups[key]!.assignments)
            markGroupChanged(key)
        }
    }

    private func markGroupChanged(_ key: String) {
        groups[key]!.dirty = true
        for member in groups[key]!.directory.members {
            users[member]!.dirty = true
        }
    }

    // MARK: - Scope

    /// Returns the user's assignments, direct and through assigned groups it is a direct member of,
    /// in the order they were made. Nested groups are not followed, as Entra does not follow them.
    func assignments(of key: String) -> [Assignment] {
        var result = users[key]!.assignments
        for group in groups.values where !group.deleted && group.directory.members.contains(key) {
            result += group.assignments
        }
        return result.sorted { $0.sequence < $1.sequence }
    }

    /// Returns the reason the user is out of scope, or `nil` when it is in scope.
    func scopeExit(_ key: String) -> ScopeExit? {
        let state = users[key]!
        if state.hardDeleted {
            return .hardDeleted
        }
        if state.softDeleted {
            return .softDeleted
        }
        if !state.directory.accountEnabled {
            return .accountDisabled
        }
        return assignments(of: key).isEmpty ? .unassigned : nil
    }

    func groupInScope(_ key: String) -> Bool {
        let state = groups[key]!
        return !state.deleted && !state.assignments.isEmpty
    }

    /// Returns the app role `SingleAppRoleAssignment` yields, with a remark when the user has several.
    func role(of key: String) -> (role: String?, remark: String?) {
        var roles: [String] = []
        for assignment in assignments(of: key) {
            if let role = assignment.role, !roles.contains(role) {
                roles.append(role)
            }
        }
        guard roles.count > 1 else {
            return (roles.first, nil)
        }
        // NOTE: Microsoft gives no guarantee which role SingleAppRoleAssignment provisions when
        // several are assigned; the simulator takes the first or last by assignment order.
        let chosen = scenario.tenant.roleChoice == .first ? roles.first! : roles.last!
        let remark =
            "several app roles are assigned (\(roles.joined(separator: ", "))); SingleAppRoleAssignment picked \(chosen)"
        return (chosen, remark)
    }

    func mapped(_ key: String, active: Bool) -> (user: MappedUser, remark: String?) {
        let (role, remark) = role(of: key)
        let user = MappedUser(user: users[key]!.directory, role: role, active: active, mapping: mapping)
        return (user, remark)
    }

    func note(_ message: String) {
        log.notes.append(message)
        logger.info("simulation note", metadata: ["simulation.note": message])
    }
}
