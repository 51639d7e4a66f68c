import HTTP
import Logging
import SCIM
import Transcript

/// A model of Entra's provisioning engine for one scenario: it keeps what Entra keeps (the
/// cached target id of each user, assignments, roles, deletion state) and turns each timeline
/// event into the requests the next sync sends.
final class ProvisioningEngine {
    private struct UserState {
        var directory: Scenario.DirectoryUser
        var assigned = false
        var role: String?
        var softDeleted = false
        var hardDeleted = false
        /// The target id Entra cached from a create or match; `nil` makes the next sync match by filter.
        var anchor: String?
        /// The last id seen, kept for probes after Entra has dropped its anchor.
        var lastKnownId: String?
        /// The `userName` the target holds, for probes after a rename.
        var lastSyncedUserName: String?

        var inScope: Bool {
            assigned && !softDeleted && !hardDeleted
        }
    }

    private let scenario: Scenario
    private let target: SCIMTarget
    private let logger: Logger
    private var random: EntraRandom
    private var users: [String: UserState] = [:]
    private(set) var notes: [String] = []

    private var flagged: Bool {
        scenario.tenant.aadOptscim062020
    }

    init(scenario: Scenario, target: SCIMTarget, logger: Logger) {
        self.scenario = scenario
        self.target = target
        self.logger = logger
        self.random = EntraRandom(seed: scenario.seed, name: scenario.name)
        for user in scenario.users {
            users[user.key] = UserState(directory: user)
        }
    }

    func run() throws(HTTPClientError) {
        for event in scenario.timeline {
            try handle(event)
        }
    }

    private func handle(_ event: Scenario.Event) throws(HTTPClientError) {
        switch event {
        case .testConnection:
            let probe = random.uuid()
            try target.send(
                .get, EntraQuery.userNameFilter(probe), step: "testConnection",
                description: "Test Connection: Entra looks up a random userName and expects an empty ListResponse")
        case .assign(let key, let role):
            users[key]!.assigned = true
            users[key]!.role = role
            try sync(key)
        case .update(let key, let changes):
            apply(changes, to: key)
            if users[key]!.inScope {
                try sync(key)
            }
        case .changeRole(let key, let role):
            users[key]!.role = role
            if users[key]!.inScope {
                try sync(key)
            }
        case .unassign(let key):
            let wasInScope = users[key]!.inScope
            users[key]!.assigned = false
            if wasInScope {
                try disable(key, reason: "the user's assignment was removed, so Entra blocks the teammate")
            }
            // After an unassignment Entra matches the user again by filter when it comes back.
            users[key]!.anchor = nil
        case .softDelete(let key):
            let wasInScope = users[key]!.inScope
            users[key]!.softDeleted = true
            if wasInScope {
                try disable(key, reason: "the user was deleted in Entra (soft delete), so Entra blocks the teammate")
            }
        case .restore(let key):
            users[key]!.softDeleted = false
            if users[key]!.inScope {
                try sync(key)
            }
        case .hardDelete(let key):
            try hardDelete(key)
        case .probe(let key):
            try probe(key)
        }
    }

    private func apply(_ changes: [String: String], to key: String) {
        for (attribute, value) in changes.sorted(by: { $0.key < $1.key }) {
            switch attribute {
            case "userPrincipalName": users[key]!.directory.userPrincipalName = value
            case "mail": users[key]!.directory.mail = value
            case "givenName": users[key]!.directory.givenName = value
            case "surname": users[key]!.directory.surname = value
            case "displayName": users[key]!.directory.displayName = value
            case "jobTitle": users[key]!.directory.jobTitle = value
            case "department": users[key]!.directory.department = value
            case "employeeId": users[key]!.directory.employeeId = value
            default: break
            }
        }
    }

    private func mapped(_ key: String, active: Bool? = nil) -> MappedUser {
        let state = users[key]!
        return MappedUser(
            user: state.directory, role: state.role, active: active ?? state.inScope, mapping: scenario.tenant.mapping)
    }

    // MARK: - Sync

    /// Syncs an in-scope user as Entra does: match and create on first sight, otherwise read by the
    /// cached id and send a PATCH of what differs.
    private func sync(_ key: String) throws(HTTPClientError) {
        let upn = users[key]!.directory.userPrincipalName
        guard let anchor = users[key]!.anchor else {
            let match = try target.send(
                .get, EntraQuery.userNameFilter(upn), step: "match",
                description: "Entra matches \(upn) by userName (the matching attribute) before creating anything")
            let found = match.response.body.json?["Resources"]?.arrayValue?.first?.objectValue
            if match.response.status == 200, let found, let id = found["id"]?.stringValue {
                users[key]!.anchor = id
                users[key]!.lastKnownId = id
                try update(key, id: id, current: found)
            } else if match.response.status == 200 {
                try create(key)
            } else {
                note("\(upn): the matching query failed with \(match.response.status); Entra retries in the next cycle")
            }
            return
        }
        let read = try target.send(
            .get, EntraQuery.userPath(anchor), step: "read", description: "Entra reads \(upn) by the id it cached")
        guard read.response.status == 200, let current = read.response.body.json?.objectValue else {
            note("\(upn): reading the cached id returned \(read.response.status) (InvalidAnchor); Entra drops the id")
            users[key]!.anchor = nil
            return
        }
        try update(key, id: anchor, current: current)
    }

    private func create(_ key: String) throws(HTTPClientError) {
        let mappedUser = mapped(key)
        let upn = mappedUser.userName
        var description = "Entra creates \(upn)"
        if let template = mappedUser.template {
            description += " with the teammate template \(template) (its app role)"
        }
        let created = try target.send(
            .post, "/Users", body: mappedUser.createBody(dialectFlagged: flagged), step: "create",
            description: description)
        if created.response.status == 201, let id = created.response.body.json?["id"]?.stringValue {
            users[key]!.anchor = id
            users[key]!.lastKnownId = id
            users[key]!.lastSyncedUserName = upn
        } else if created.response.status == 409 {
            note("\(upn): create failed with 409 (EntryConflict); Entra retries in the next cycle")
        } else {
            note("\(upn): create failed with \(created.response.status); Entra retries in the next cycle")
        }
    }

    private func update(_ key: String, id: String, current: JSONObject) throws(HTTPClientError) {
        let mappedUser = mapped(key)
        let changes = mappedUser.changes(against: current, dialectFlagged: flagged)
        users[key]!.lastSyncedUserName = mappedUser.userName
        guard !changes.isEmpty else {
            return
        }
        let enables = changes.contains { $0.path == "active" } && mappedUser.active
        let others = changes.filter { $0.path != "active" }.map(\.path)
        var description = enables ? "Entra unblocks \(mappedUser.userName)" : "Entra updates \(mappedUser.userName)"
        if !others.isEmpty {
            description += (enables ? " and sends " : ": ") + others.joined(separator: ", ")
        }
        try target.send(
            .patch, EntraQuery.userPath(id), body: PatchBuilder.body(for: changes, flagged: flagged),
            step: enables ? "enable" : "update", description: description)
    }

    private func disable(_ key: String, reason: String) throws(HTTPClientError) {
        guard let anchor = users[key]!.anchor else {
            return
        }
        let upn = users[key]!.directory.userPrincipalName
        // NOTE: Microsoft documents the disable PATCH but not whether Entra reads the user first.
        // This GET is inferred from Entra's update flow, which reads before it writes.
        let read = try target.send(
            .get, EntraQuery.userPath(anchor), step: "read", description: "Entra reads \(upn) before deprovisioning")
        guard read.response.status == 200, let current = read.response.body.json?.objectValue else {
            note("\(upn): reading the cached id returned \(read.response.status); nothing to disable")
            return
        }
        let changes = mapped(key, active: false).changes(against: current, dialectFlagged: flagged, activeOnly: true)
        guard !changes.isEmpty else {
            return
        }
        try target.send(
            .patch, EntraQuery.userPath(anchor), body: PatchBuilder.body(for: changes, flagged: flagged),
            step: "disable",
            description: "Entra sets active to false: \(reason)")
    }

    private func hardDelete(_ key: String) throws(HTTPClientError) {
        let wasInScope = users[key]!.inScope
        users[key]!.softDeleted = true
        if wasInScope {
            try disable(key, reason: "the user was deleted in Entra (soft delete), so Entra blocks the teammate")
        }
        users[key]!.hardDeleted = true
        guard let anchor = users[key]!.anchor else {
            return
        }
        users[key]!.anchor = nil
        guard scenario.tenant.deleteAction else {
            note(
                "\(users[key]!.directory.userPrincipalName): permanently deleted in Entra, but the Delete action is off, so nothing is sent"
            )
            return
        }
        try target.send(
            .delete, EntraQuery.userPath(anchor), step: "delete",
            description: "Entra sends DELETE when the user is permanently deleted, 30 days after the soft delete")
    }

    // MARK: - Probes

    /// Reads the user by id and by filter. Entra sends neither; they show what the endpoint did.
    /// After a DELETE, RFC 7644 expects the user gone, so those reads carry `rfc` expectations.
    private func probe(_ key: String) throws(HTTPClientError) {
        let state = users[key]!
        let userName = state.lastSyncedUserName ?? state.directory.userPrincipalName
        var exchanges: [Exchange] = []
        if let id = state.lastKnownId {
            exchanges.append(
                try target.send(
                    .get, EntraQuery.userPath(id), step: "probe",
                    description: "Not sent by Entra: reads \(userName) by id to show the teammate's state"))
        }
        exchanges.append(
            try target.send(
                .get, EntraQuery.userNameFilter(userName), step: "probe",
                description: "Not sent by Entra: looks \(userName) up by userName to show the teammate is still listed")
        )
        guard state.hardDeleted, scenario.tenant.deleteAction else {
            return
        }
        target.setExpectations(for: exchanges.count) { exchange in
            if exchange.request.path.hasPrefix("/Users?") {
                return ProfileExpectation(status: [200], body: .json(ListResponse(totalResults: 0, resources: []).json))
            }
            return ProfileExpectation(
                status: [404], body: .json(["schemas": [.string(SCIMURN.error)], "status": "404"]))
        }
    }

    private func note(_ message: String) {
        notes.append(message)
        logger.info("simulation note", metadata: ["simulation.note": message])
    }
}

extension SCIMTarget {
    /// Adds `rfc` profile expectations to the last `count` exchanges.
    func setExpectations(for count: Int, _ make: (Exchange) -> ProfileExpectation) {
        updateLast(count) { exchange in
            exchange.expectations.profiles["rfc"] = make(exchange)
        }
    }
}

/// The requests Entra builds from values, encoded as Entra sends them.
enum EntraQuery {
    /// `/Users?filter=userName eq "VALUE"`, the value as a JSON string literal so that quotes and
    /// backslashes in it are escaped, and the filter form-encoded (spaces as `+`).
    static func userNameFilter(_ value: String) -> String {
        "/Users?filter=" + RequestTarget.encodeFormValue("userName eq \(JSONValue.string(value).serialized())")
    }

    /// `/Users/{id}` with the id percent-encoded as one path segment, so that an id such as
    /// `../x` from a hostile endpoint cannot move the request elsewhere.
    static func userPath(_ id: String) -> String {
        "/Users/" + RequestTarget.encodePathSegment(id)
    }
}
