import HTTP
import SCIM
import Transcript

extension ProvisioningEngine {
    /// Evaluates one user as a cycle does. An in-scope user is matched and created, or read and
    /// updated. A user that left scope is disabled, or deleted after a hard delete.
    func processUser(_ key: String, flagged: Bool, onDemand: Bool) throws(HTTPClientError) {
        users[key]!.dirty = false
        let exit = scopeExit(key)
        guard exit == nil || users[key]!.anchor != nil else {
            if onDemand {
                let record = beginUserEntry(key, onDemand: true)
                record.entry.status = .skipped
                record.step("scoping", "Scoping", .skipped, "The user is out of scope: \(exit!.description)")
                finish(record, targetId: nil)
            }
            users[key]!.failure = nil
            return
        }
        let record = beginUserEntry(key, onDemand: onDemand)
        defer { finish(record, targetId: users[key]!.anchor ?? users[key]!.lastKnownId) }
        let outcome: Result<Void, ProvisioningFailure>
        if let exit {
            record.step("scoping", "Scoping", .success, "The user is out of scope: \(exit.description)")
            outcome = exit == .hardDeleted ? try delete(key, record) : try disable(key, exit, flagged: flagged, record)
        } else {
            record.step("scoping", "Scoping", .success, "The user is in scope")
            outcome = try synchronize(key, flagged: flagged, record)
        }
        switch outcome {
        case .success:
            users[key]!.failure = nil
        case .failure(let failure):
            users[key]!.failure = failure
            users[key]!.dirty = true
            note("\(users[key]!.directory.userPrincipalName): \(failure.code); Entra retries it in the next cycle")
        }
    }

    /// Matches an unlinked user or reads a linked one, then creates or updates it.
    private func synchronize(_ key: String, flagged: Bool, _ record: LogEntryRecorder)
        throws(HTTPClientError) -> Result<Void, ProvisioningFailure>
    {
        let (user, remark) = mapped(key, active: true)
        if let remark {
            record.step("processing", "RoleChoice", .warning, remark)
            note("\(user.userName): \(remark)")
        }
        guard let anchor = users[key]!.anchor else {
            return try match(key, user, flagged: flagged, record)
        }
        let read = try send(
            .get, EntraRequests.userPath(anchor), step: "read",
            description: "Entra reads \(user.userName) by the id it cached",
            record: record)
        guard read.response.status == 200, let current = read.response.body.json?.objectValue else {
            let failure = ProvisioningFailure.from(read, readsAnchor: true)
            record.fail(failure, action: .update)
            return .failure(failure)
        }
        record.step("matching", "Matching", .success, "Read the linked user \(anchor) from the target")
        return try update(key, user, id: anchor, current: current, flagged: flagged, record)
    }

    /// Queries each matching attribute in precedence order and stops at the first match.
    private func match(_ key: String, _ user: MappedUser, flagged: Bool, _ record: LogEntryRecorder)
        throws(HTTPClientError) -> Result<Void, ProvisioningFailure>
    {
        for (index, attribute) in scenario.tenant.matching.enumerated() {
            guard let value = user.value(of: attribute) else {
                record.step(
                    "matching", "Matching", .skipped, "The user has no value for the matching attribute \(attribute)")
                continue
            }
            let precedence = scenario.tenant.matching.count > 1 ? " (matching precedence \(index + 1))" : ""
            let query = try send(
                .get, EntraRequests.userFilter(attribute, value), step: "match",
                description: "Entra matches \(user.userName) by \(attribute)\(precedence) before creating anything",
                record: record)
            guard query.response.status == 200 else {
                let failure = ProvisioningFailure.from(query)
                record.fail(failure, action: .other)
                return .failure(failure)
            }
            let found = (query.response.body.json?["Resources"]?.arrayValue ?? []).compactMap(\.objectValue)
            if found.count > 1 {
                let failure = ProvisioningFailure.duplicateTargetEntries(query, count: found.count)
                record.fail(failure, action: .other)
                return .failure(failure)
            }
            guard let current = found.first, let id = current["id"]?.stringValue else {
                record.step("matching", "Matching", .success, "No target user has \(attribute) \(value)")
                continue
            }
            users[key]!.anchor = id
            users[key]!.lastKnownId = id
            record.step("matching", "Matching", .success, "Matched target user \(id) by \(attribute) \(value)")
            return try update(key, user, id: id, current: current, flagged: flagged, record)
        }
        return try create(key, user, flagged: flagged, record)
    }

    private func create(_ key: String, _ user: MappedUser, flagged: Bool, _ record: LogEntryRecorder)
        throws(HTTPClientError) -> Result<Void, ProvisioningFailure>
    {
        guard scenario.tenant.actions.create else {
            record.entry.status = .skipped
            record.step("export", "Export", .skipped, "No match, and the Create target object action is off")
            return .success(())
        }
        if mapping.externalIdRequired, mapping.entry(for: "externalId") != nil, user.value(of: "externalId") == nil {
            let failure = ProvisioningFailure.mandatoryFieldsMissing("externalId")
            record.fail(failure, action: .create)
            return .failure(failure)
        }
        var description = "Entra creates \(user.userName)"
        if let template = user.template {
            description += " with the teammate template \(template) (its app role)"
        } else if mapping.entry(for: AttributeMapping.templatePath) != nil {
            description += " without a teammate template (Default Access has no app role value)"
        }
        let created = try send(
            .post, "/Users", body: user.createBody(flagged: flagged, createActive: scenario.tenant.shapes.createActive),
            step: "create", description: description, record: record)
        guard created.response.status == 201, let id = created.response.body.json?["id"]?.stringValue else {
            let failure = ProvisioningFailure.from(created)
            record.fail(failure, action: .create)
            return .failure(failure)
        }
        users[key]!.anchor = id
        users[key]!.lastKnownId = id
        users[key]!.lastSyncedUserName = user.userName
        users[key]!.targetManager = nil
        record.entry.action = .create
        for property in user.createdProperties {
            record.modified(property.name, from: nil, to: .string(property.value))
        }
        record.step("export", "Export", .success, "Created target user \(id)")
        return .success(())
    }

    /// Sends a PATCH of what differs between the mapping and the target's representation.
    private func update(
        _ key: String, _ user: MappedUser, id: String, current: JSONObject, flagged: Bool, _ record: LogEntryRecorder
    ) throws(HTTPClientError) -> Result<Void, ProvisioningFailure> {
        users[key]!.lastSyncedUserName = user.userName
        users[key]!.targetManager = TargetPath(AttributeMapping.managerPath)?.read(from: current).flatMap(
            Self.managerId)
        if let template = user.template, mapping.entry(for: AttributeMapping.templatePath)?.apply == .creationOnly {
            record.step(
                "processing", "Processing", .success,
                "The template mapping applies only during object creation, so the app role \(template) is not sent")
        }
        let changes = user.changes(against: current, flagged: flagged)
        guard !changes.isEmpty else {
            record.entry.status = .skipped
            record.step("export", "Export", .skipped, "The target user already has every mapped value")
            return .success(())
        }
        guard scenario.tenant.actions.update else {
            record.entry.status = .skipped
            record.step("export", "Export", .skipped, "Values differ, but the Update target object action is off")
            return .success(())
        }
        let enables = changes.contains { $0.path == "active" }
        let others = changes.filter { $0.path != "active" }.map(\.path)
        var description = enables ? "Entra unblocks \(user.userName)" : "Entra updates \(user.userName)"
        if !others.isEmpty {
            description += (enables ? " and sends " : ": ") + others.joined(separator: ", ")
        }
        let patch = try send(
            .patch, EntraRequests.userPath(id),
            body: PatchBuilder(flagged: flagged, shapes: scenario.tenant.shapes).attributes(changes),
            step: enables ? "enable" : "update", description: description, record: record)
        guard patch.response.status == 200 || patch.response.status == 204 else {
            let failure = ProvisioningFailure.from(patch, readsAnchor: patch.response.status == 404)
            record.fail(failure, action: .update)
            return .failure(failure)
        }
        record.entry.action = .update
        for change in changes {
            record.modified(change.path, from: change.previous, to: change.value)
        }
        record.step("export", "Export", .success, "Updated target user \(id)")
        return .success(())
    }

    /// Sets `active` to false for a user that left scope. After an unassignment Entra no longer
    /// manages the user: it drops the cached id and matches by filter if the user comes back.
    private func disable(_ key: String, _ exit: ScopeExit, flagged: Bool, _ record: LogEntryRecorder)
        throws(HTTPClientError) -> Result<Void, ProvisioningFailure>
    {
        let anchor = users[key]!.anchor!
        let (user, _) = mapped(key, active: false)
        defer {
            if exit == .unassigned, record.entry.status != .failure {
                users[key]!.anchor = nil
            }
        }
        guard user.mapsActive, scenario.tenant.actions.update else {
            record.entry.status = .skipped
            record.step(
                "export", "Export", .skipped,
                user.mapsActive ? "The Update target object action is off" : "active is not mapped, so nothing is sent")
            return .success(())
        }
        var current = JSONObject()
        if scenario.tenant.shapes.readBeforeDisable {
            // NOTE: Microsoft documents the disable PATCH but not whether Entra reads the user
            // first; the read is inferred from the update flow (shapes.readBeforeDisable).
            let read = try send(
                .get, EntraRequests.userPath(anchor), step: "read",
                description: "Entra reads \(user.userName) before deprovisioning", record: record)
            guard read.response.status == 200, let object = read.response.body.json?.objectValue else {
                let failure = ProvisioningFailure.from(read, readsAnchor: true)
                record.fail(failure, action: .disable)
                return .failure(failure)
            }
            current = object
        }
        let changes = user.changes(against: current, flagged: flagged, activeOnly: true)
        guard !changes.isEmpty else {
            record.entry.status = .skipped
            record.step("export", "Export", .skipped, "The target user is already blocked")
            return .success(())
        }
        let patch = try send(
            .patch, EntraRequests.userPath(anchor),
            body: PatchBuilder(flagged: flagged, shapes: scenario.tenant.shapes).attributes(changes),
            step: "disable",
            description: "Entra sets active to false: \(exit.description), so Entra blocks the teammate",
            record: record)
        guard patch.response.status == 200 || patch.response.status == 204 else {
            let failure = ProvisioningFailure.from(patch, readsAnchor: patch.response.status == 404)
            record.fail(failure, action: .disable)
            return .failure(failure)
        }
        record.entry.action = .disable
        record.modified("active", from: changes[0].previous, to: changes[0].value)
        record.step("export", "Export", .success, "Disabled target user \(anchor)")
        return .success(())
    }

    /// Sends DELETE for a permanently deleted user when the Delete action is on.
    private func delete(_ key: String, _ record: LogEntryRecorder) throws(HTTPClientError) -> Result<
        Void, ProvisioningFailure
    > {
        let anchor = users[key]!.anchor!
        let userName = users[key]!.directory.userPrincipalName
        guard scenario.tenant.actions.delete else {
            users[key]!.anchor = nil
            record.entry.status = .skipped
            record.step("export", "Export", .skipped, "The Delete target object action is off, so nothing is sent")
            note("\(userName): permanently deleted in Entra, but the Delete action is off, so nothing is sent")
            return .success(())
        }
        let deleted = try sendDelete(
            EntraRequests.userPath(anchor),
            description: "Entra sends DELETE when the user is permanently deleted, 30 days after the soft delete",
            deleted: "Deleted target user \(anchor)", record: record)
        if case .success = deleted {
            users[key]!.anchor = nil
        }
        return deleted
    }

    /// The id in a manager value, which endpoints return as `{"value": id}` or a bare id.
    static func managerId(_ value: JSONValue) -> String? {
        value.stringValue ?? value.objectValue?.value(matching: "value")?.stringValue
            ?? value.arrayValue?.first?.objectValue?.value(matching: "value")?.stringValue
    }
}
