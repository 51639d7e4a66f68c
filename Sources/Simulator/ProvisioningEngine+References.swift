import HTTP
import SCIM
import Transcript

extension ProvisioningEngine {
    /// Sets the manager reference of a linked, in-scope user once its manager exists in the target.
    ///
    /// Entra resolves references after it has exported the objects of a cycle, so a manager
    /// created in the same cycle is linked at its end. A manager that is not provisioned yet is
    /// left unset and, as Microsoft's known issues article documents, is only linked after a
    /// restart evaluates the user again. A cleared manager is not sent, because Entra sends no nulls.
    func resolveManager(_ key: String, flagged: Bool) throws(HTTPClientError) {
        guard mapping.entry(for: AttributeMapping.managerPath)?.source == .manager,
            scopeExit(key) == nil, let anchor = users[key]!.anchor
        else {
            users[key]!.referencePending = false
            return
        }
        guard let managerKey = users[key]!.directory.manager else {
            users[key]!.referencePending = false
            return
        }
        guard let managerId = users[managerKey]!.anchor else {
            users[key]!.referencePending = false
            note(
                "\(users[key]!.directory.userPrincipalName): the manager \(users[managerKey]!.directory.userPrincipalName) "
                    + "is not provisioned, so the reference stays unset until a restart evaluates the user again")
            return
        }
        let previous = users[key]!.targetManager
        guard previous != managerId else {
            users[key]!.referencePending = false
            return
        }
        let record = beginUserEntry(key)
        record.isReference = true
        defer { finish(record, targetId: anchor) }
        guard scenario.tenant.actions.update else {
            record.entry.status = .skipped
            record.step(
                "referenceResolution", "ReferenceResolution", .skipped, "The Update target object action is off")
            users[key]!.referencePending = false
            return
        }
        let managerName = users[managerKey]!.directory.userPrincipalName
        record.step(
            "referenceResolution", "ReferenceResolution", .success,
            "Resolved the manager \(managerName) to target user \(managerId)")
        let body = PatchBuilder(flagged: flagged, shapes: scenario.tenant.shapes)
            .manager(managerId, replacing: previous != nil, baseURL: target.base.description)
        let patch = try send(
            .patch, EntraRequests.userPath(anchor), body: body, step: "reference",
            description:
                "Entra sets the manager of \(users[key]!.directory.userPrincipalName) to \(managerName), which now exists in the target",
            record: record)
        guard patch.response.status == 200 || patch.response.status == 204 else {
            let failure = ProvisioningFailure.from(patch, readsAnchor: patch.response.status == 404)
            record.fail(failure, action: .update)
            users[key]!.referencePending = true
            note(
                "\(users[key]!.directory.userPrincipalName): the manager update failed with \(failure.code); Entra retries it in the next cycle"
            )
            return
        }
        users[key]!.targetManager = managerId
        users[key]!.referencePending = false
        record.entry.action = .update
        record.modified("manager", from: previous.map(JSONValue.string), to: .string(managerId))
        record.step("export", "Export", .success, "Updated the manager of target user \(anchor)")
    }
}
