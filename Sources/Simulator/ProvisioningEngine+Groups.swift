import HTTP
import SCIM
import Transcript

extension ProvisioningEngine {
    /// Evaluates one group. An assigned group is matched by displayName or created with no members,
    /// renamed when its displayName changed, and given the members it lacks or lost. A group that
    /// left scope is deleted when the Delete action is on.
    func processGroup(_ key: String, flagged: Bool) throws(HTTPClientError) {
        groups[key]!.dirty = false
        let record = beginGroupEntry(key)
        defer { finish(record, targetId: groups[key]!.anchor ?? groups[key]!.lastKnownId) }
        let outcome: Result<Void, ProvisioningFailure>
        if groupInScope(key) {
            record.step("scoping", "Scoping", .success, "The group is assigned to the app")
            outcome = try synchronizeGroup(key, flagged: flagged, record)
        } else {
            record.step("scoping", "Scoping", .success, "The group is no longer assigned or was deleted")
            outcome = try deleteGroup(key, record)
        }
        switch outcome {
        case .success:
            groups[key]!.failure = nil
        case .failure(let failure):
            groups[key]!.failure = failure
            note("group \(groups[key]!.directory.displayName): \(failure.code); Entra retries it in the next cycle")
        }
    }

    private func synchronizeGroup(_ key: String, flagged: Bool, _ record: LogEntryRecorder)
        throws(HTTPClientError) -> Result<Void, ProvisioningFailure>
    {
        let displayName = groups[key]!.directory.displayName
        let builder = PatchBuilder(flagged: flagged, shapes: scenario.tenant.shapes)
        if let anchor = groups[key]!.anchor {
            let read = try send(
                .get, EntraRequests.groupPath(anchor, excludingMembers: true), step: "read",
                description: "Entra reads group \(displayName) by the id it cached, without its members", record: record
            )
            guard read.response.status == 200, let current = read.response.body.json?.objectValue else {
                let failure = ProvisioningFailure.from(read, readsAnchor: true)
                record.fail(failure, action: .update)
                return .failure(failure)
            }
            let previous = current.value(matching: "displayName")
            if previous?.stringValue != displayName {
                guard scenario.tenant.actions.update else {
                    record.step("export", "Export", .skipped, "The displayName differs, but the Update action is off")
                    return .success(())
                }
                let patch = try send(
                    .patch, EntraRequests.groupPath(anchor),
                    body: builder.groupDisplayName(displayName, previous: previous),
                    step: "update", description: "Entra renames group \(displayName)", record: record)
                guard patch.response.status == 204 || patch.response.status == 200 else {
                    let failure = ProvisioningFailure.from(patch, readsAnchor: patch.response.status == 404)
                    record.fail(failure, action: .update)
                    return .failure(failure)
                }
                record.entry.action = .update
                record.modified("displayName", from: previous, to: .string(displayName))
            }
        } else {
            let query = try send(
                .get, EntraRequests.groupFilter(displayName), step: "match",
                description: "Entra matches group \(displayName) by displayName, excluding members", record: record)
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
            if let id = found.first?["id"]?.stringValue {
                groups[key]!.anchor = id
                groups[key]!.lastKnownId = id
                groups[key]!.syncedMembers = []
                record.step("matching", "Matching", .success, "Matched target group \(id) by displayName")
            } else {
                if case .failure(let failure) = try createGroup(key, record) {
                    return .failure(failure)
                }
            }
        }
        return try updateMembers(key, builder: builder, record)
    }

    private func createGroup(_ key: String, _ record: LogEntryRecorder) throws(HTTPClientError) -> Result<
        Void, ProvisioningFailure
    > {
        let group = groups[key]!.directory
        guard scenario.tenant.actions.create else {
            record.entry.status = .skipped
            record.step("export", "Export", .skipped, "No match, and the Create target object action is off")
            return .success(())
        }
        var schemas: [JSONValue] = [.string(SCIMURN.group)]
        if scenario.tenant.shapes.groupSchemas == .published {
            schemas.append("http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group")
        }
        let body: JSONValue = [
            "schemas": .array(schemas), "externalId": .string(group.objectId),
            "displayName": .string(group.displayName),
            "meta": ["resourceType": "Group"],
        ]
        let created = try send(
            .post, "/Groups", body: body, step: "create",
            description:
                "Entra creates group \(group.displayName) with no members, as Microsoft's Create Group example shows",
            record: record)
        guard created.response.status == 201, let id = created.response.body.json?["id"]?.stringValue else {
            let failure = ProvisioningFailure.from(created)
            record.fail(failure, action: .create)
            return .failure(failure)
        }
        groups[key]!.anchor = id
        groups[key]!.lastKnownId = id
        groups[key]!.syncedMembers = []
        record.entry.action = .create
        record.modified("externalId", from: nil, to: .string(group.objectId))
        record.modified("displayName", from: nil, to: .string(group.displayName))
        record.step("export", "Export", .success, "Created target group \(id)")
        return .success(())
    }

    /// Adds the provisioned direct members the target group lacks and removes the ones that left.
    /// Entra reads groups without members, so it compares with what it added earlier.
    private func updateMembers(_ key: String, builder: PatchBuilder, _ record: LogEntryRecorder)
        throws(HTTPClientError) -> Result<Void, ProvisioningFailure>
    {
        guard let anchor = groups[key]!.anchor else {
            return .success(())
        }
        let desired: [(key: String, id: String)] = groups[key]!.directory.members.compactMap { member in
            users[member]!.anchor.map { (member, $0) }
        }
        let synced = groups[key]!.syncedMembers
        let added = desired.filter { member in !synced.contains { $0.key == member.key } }
        let removed = synced.filter { member in !desired.contains { $0.key == member.key } }
        guard !added.isEmpty || !removed.isEmpty else {
            if record.entry.action == .other {
                record.entry.status = .skipped
                record.step("export", "Export", .skipped, "The target group is up to date")
            }
            return .success(())
        }
        let names = { (members: [(key: String, id: String)]) in
            members.map { self.users[$0.key]!.directory.userPrincipalName }.joined(separator: ", ")
        }
        var description = "Entra updates the members of group \(groups[key]!.directory.displayName):"
        if !added.isEmpty {
            description += " adds \(names(added))"
        }
        if !removed.isEmpty {
            description += (added.isEmpty ? "" : ";") + " removes \(names(removed))"
        }
        let patch = try send(
            .patch, EntraRequests.groupPath(anchor),
            body: builder.members(adding: added.map(\.id), removing: removed.map(\.id)),
            step: "members", description: description, record: record)
        guard patch.response.status == 204 || patch.response.status == 200 else {
            let failure = ProvisioningFailure.from(patch, readsAnchor: patch.response.status == 404)
            record.isReference = true
            record.fail(failure, action: .update)
            return .failure(failure)
        }
        groups[key]!.syncedMembers = desired
        if record.entry.action == .other {
            record.entry.action = .update
        }
        record.modified(
            "members", from: .string(names(synced)), to: .string(names(desired)))
        record.step("referenceResolution", "Members", .success, "Updated the members of target group \(anchor)")
        return .success(())
    }

    private func deleteGroup(_ key: String, _ record: LogEntryRecorder) throws(HTTPClientError) -> Result<
        Void, ProvisioningFailure
    > {
        guard let anchor = groups[key]!.anchor else {
            record.entry.status = .skipped
            return .success(())
        }
        guard scenario.tenant.actions.delete else {
            groups[key]!.anchor = nil
            record.entry.status = .skipped
            record.step("export", "Export", .skipped, "The Delete target object action is off, so nothing is sent")
            return .success(())
        }
        // NOTE: Microsoft's Delete Group example shows the request but not which events send it,
        // so deleting a group that was unassigned or deleted in Entra is inferred.
        let deleted = try sendDelete(
            EntraRequests.groupPath(anchor),
            description: "Entra deletes group \(groups[key]!.directory.displayName), which left the app's scope",
            deleted: "Deleted target group \(anchor)", record: record)
        if case .success = deleted {
            groups[key]!.anchor = nil
            groups[key]!.syncedMembers = []
        }
        return deleted
    }
}
