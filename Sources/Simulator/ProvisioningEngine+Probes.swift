import HTTP
import SCIM
import Transcript

extension ProvisioningEngine {
    /// Reads a user by id and by filter, or a group by id with its members. Entra sends none of
    /// these; they show what the endpoint did. After a user's DELETE, RFC 7644 expects the user
    /// gone, so those reads carry `rfc` expectations.
    func probe(_ principal: Scenario.Principal) throws(HTTPClientError) {
        switch principal {
        case .group(let key):
            guard let id = groups[key]!.lastKnownId else {
                note("probe of group \(key) skipped: the group was never provisioned")
                return
            }
            try target.send(
                .get, EntraRequests.groupPath(id), step: "probe",
                description: "Not sent by Entra: reads group \(groups[key]!.directory.displayName) with its members")
        case .user(let key):
            let state = users[key]!
            let userName = state.lastSyncedUserName ?? state.directory.userPrincipalName
            var count = 0
            if let id = state.lastKnownId {
                try target.send(
                    .get, EntraRequests.userPath(id), step: "probe",
                    description: "Not sent by Entra: reads \(userName) by id to show the teammate's state")
                count += 1
            }
            try target.send(
                .get, EntraRequests.userFilter("userName", userName), step: "probe",
                description: "Not sent by Entra: looks \(userName) up by userName to show the teammate is still listed")
            count += 1
            guard state.hardDeleted, scenario.tenant.actions.delete, state.anchor == nil,
                log.entries.contains(where: {
                    $0.action == .delete && $0.status == .success && $0.source.id == state.directory.objectId
                })
            else {
                return
            }
            target.setExpectations(for: count) { exchange in
                if exchange.request.path.hasPrefix("/Users?") {
                    return ProfileExpectation(
                        status: [200], body: .json(ListResponse(totalResults: 0, resources: []).json))
                }
                return ProfileExpectation(
                    status: [404], body: .json(["schemas": [.string(SCIMURN.error)], "status": "404"]))
            }
        }
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
