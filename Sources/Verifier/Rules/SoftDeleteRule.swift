import SCIM

/// Disabling blocks a teammate without removing it.
struct SoftDeleteRule: ContractRule {
    let id = "soft-delete"
    let statement =
        "After a PATCH sets active to false, the user is still returned by GET and by a userName filter, with active false, until it is enabled again."
    let source =
        "Entra: use-scim-to-provision-users-and-groups (soft delete with active=false); Front blocks unassigned teammates"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        var disabledAt: [String: Int] = [:]
        var userNames: [String: String] = [:]

        for exchange in context.exchanges {
            if let id = exchange.userId, exchange.method == "PATCH", exchange.succeeded,
                let active = exchange.patchedActive
            {
                if active {
                    disabledAt[id] = nil
                } else {
                    disabledAt[id] = exchange.number
                }
            }
            if exchange.method == "DELETE", exchange.succeeded, let id = exchange.userId {
                disabledAt[id] = nil
            }
            if exchange.method == "GET", let id = exchange.userId, let since = disabledAt[id], exchange.response != nil
            {
                findings += checkRead(exchange, since: since)
            }
            if let value = exchange.userNameFilterValue, exchange.status == 200 {
                for (id, since) in disabledAt where userNames[id]?.equalsIgnoringCase(value) == true {
                    findings += checkListed(exchange, id: id, since: since)
                }
            }
            for resource in exchange.resources + [exchange.responseObject].compactMap({ $0 }) {
                if let id = resource.value(matching: "id")?.stringValue,
                    let userName = resource.value(matching: "userName")?.stringValue
                {
                    userNames[id] = userName
                }
            }
        }
        return findings
    }

    private func checkRead(_ exchange: ReplayedExchange, since: Int) -> [Finding] {
        if exchange.status != 200 {
            return [
                finding(
                    exchange,
                    "the user disabled at exchange \(since) cannot be read; a blocked teammate must stay retrievable",
                    expected: "200 with active false", actual: "\(exchange.status ?? 0)")
            ]
        }
        if exchange.responseObject?.value(matching: "active") != .bool(false) {
            return [
                finding(
                    exchange, "the user disabled at exchange \(since) is not returned with active false",
                    expected: "false",
                    actual: excerpt(exchange.responseObject?.value(matching: "active")),
                    path: JSONPath.root.appending(key: "active"))
            ]
        }
        return []
    }

    private func checkListed(_ exchange: ReplayedExchange, id: String, since: Int) -> [Finding] {
        let match = exchange.resources.first { $0.value(matching: "id")?.stringValue == id }
        guard let match else {
            return [
                finding(
                    exchange,
                    "the user disabled at exchange \(since) is missing from the userName filter; Entra will try to create it again and conflict",
                    expected: "a result with id \(id) and active false",
                    actual: "totalResults \(exchange.responseObject?["totalResults"]?.serialized() ?? "absent")")
            ]
        }
        if match.value(matching: "active") != .bool(false) {
            return [
                finding(
                    exchange, "the disabled user is listed with active \(excerpt(match.value(matching: "active")))",
                    expected: "false",
                    actual: excerpt(match.value(matching: "active")))
            ]
        }
        return []
    }
}
