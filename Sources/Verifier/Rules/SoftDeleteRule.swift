import SCIM

/// Disabling blocks a teammate without removing it, and re-enabling brings back the same one.
struct SoftDeleteRule: ContractRule {
    let id = "soft-delete"
    let statement =
        "After a PATCH sets active to false, the user is still returned by GET and by a userName filter, with active false; re-enabling keeps the same id."
    let source =
        "Entra: use-scim-to-provision-users-and-groups (soft delete with active=false); Front blocks unassigned teammates"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        var disabledAt: [String: Int] = [:]
        var userNames: [String: String] = [:]
        var everDisabled: [String: String] = [:]

        for exchange in context.exchanges {
            if let id = exchange.userId, exchange.method == "PATCH", exchange.succeeded,
                let active = exchange.patchedActive
            {
                if active == false {
                    disabledAt[id] = exchange.number
                    everDisabled[id] = userNames[id]
                } else if disabledAt.removeValue(forKey: id) != nil, let body = exchange.responseObject {
                    if let returnedId = body.value(matching: "id")?.stringValue, returnedId != id {
                        findings.append(
                            finding(exchange, "re-enabling returned another id", expected: id, actual: returnedId))
                    }
                    if let returned = body.value(matching: "active"), returned != .bool(true) {
                        findings.append(
                            finding(
                                exchange, "re-enabling did not set active to true", expected: "true",
                                actual: returned.serialized()))
                    }
                }
            }
            if exchange.method == "DELETE", exchange.succeeded, let id = exchange.userId {
                disabledAt[id] = nil
            }
            if exchange.method == "GET", let id = exchange.userId, let since = disabledAt[id], exchange.response != nil
            {
                if exchange.status != 200 {
                    findings.append(
                        finding(
                            exchange,
                            "the user disabled at exchange \(since) cannot be read; a blocked teammate must stay retrievable",
                            expected: "200 with active false", actual: "\(exchange.status ?? 0)"))
                } else if exchange.responseObject?.value(matching: "active") != .bool(false) {
                    findings.append(
                        finding(
                            exchange, "the user disabled at exchange \(since) is not returned with active false",
                            expected: "false", actual: excerpt(exchange.responseObject?.value(matching: "active")),
                            path: JSONPath.root.appending(key: "active")))
                }
            }
            if let value = exchange.userNameFilterValue, exchange.status == 200 {
                for (id, since) in disabledAt where userNames[id]?.equalsIgnoringCase(value) == true {
                    let match = exchange.resources.first { $0.value(matching: "id")?.stringValue == id }
                    if match == nil {
                        findings.append(
                            finding(
                                exchange,
                                "the user disabled at exchange \(since) is missing from the userName filter; Entra will try to create it again and conflict",
                                expected: "a result with id \(id) and active false",
                                actual:
                                    "totalResults \(exchange.responseObject?["totalResults"]?.serialized() ?? "absent")"
                            ))
                    } else if match?.value(matching: "active") != .bool(false) {
                        findings.append(
                            finding(
                                exchange,
                                "the disabled user is listed with active \(excerpt(match?.value(matching: "active")))",
                                expected: "false", actual: excerpt(match?.value(matching: "active"))))
                    }
                }
            }
            for resource in exchange.resources + [exchange.responseObject].compactMap({ $0 }) {
                guard let id = resource.value(matching: "id")?.stringValue,
                    let userName = resource.value(matching: "userName")?.stringValue
                else {
                    continue
                }
                if let (previousId, _) = everDisabled.first(where: {
                    $0.value.equalsIgnoringCase(userName) && $0.key != id
                }) {
                    findings.append(
                        finding(
                            exchange,
                            "\(userName) came back with a new id; re-enabling a blocked teammate must keep its id",
                            expected: previousId, actual: id))
                    everDisabled[previousId] = nil
                }
                userNames[id] = userName
            }
        }
        return findings
    }
}
