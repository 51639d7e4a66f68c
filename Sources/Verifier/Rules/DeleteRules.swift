import SCIM

/// Front's integration never deletes a teammate: DELETE blocks it.
struct DeleteBlocksRule: ContractRule {
    let id = "delete-blocks"
    let statement = "After DELETE, the teammate is still returned by GET and by a userName filter, with active false."
    let source = "Front: the Entra integration blocks on delete and never deletes a teammate"
    let profiles: Set<VerificationProfile> = [.front]

    func check(_ context: RuleContext) -> [Finding] {
        DeleteObservation.check(context, ruleId: id) { exchange, id, since, userNames in
            if let userId = exchange.userId, userId == id, exchange.method == "GET" {
                if exchange.status != 200 {
                    return [
                        finding(
                            exchange,
                            "the teammate deleted at exchange \(since) is gone; DELETE must block it, not remove it",
                            expected: "200 with active false", actual: "\(exchange.status ?? 0)")
                    ]
                }
                if exchange.responseObject?.value(matching: "active") != .bool(false) {
                    return [
                        finding(
                            exchange, "the teammate deleted at exchange \(since) is not blocked",
                            expected: "active false",
                            actual: excerpt(exchange.responseObject?.value(matching: "active")))
                    ]
                }
                return []
            }
            if let value = exchange.userNameFilterValue, userNames[id]?.equalsIgnoringCase(value) == true,
                exchange.status == 200
            {
                let match = exchange.resources.first { $0.value(matching: "id")?.stringValue == id }
                if match == nil {
                    return [
                        finding(
                            exchange,
                            "the teammate deleted at exchange \(since) is missing from the userName filter; DELETE must block it",
                            expected: "a result with id \(id)",
                            actual: "totalResults \(excerpt(exchange.responseObject?["totalResults"]))")
                    ]
                }
                return []
            }
            return nil
        }
    }
}

/// RFC 7644 section 3.6: a deleted resource is gone.
struct DeleteRemovesRule: ContractRule {
    let id = "delete-removes"
    let statement = "After DELETE, GET of the resource returns 404 and filters no longer list it."
    let source = "RFC 7644 section 3.6"
    let profiles: Set<VerificationProfile> = [.entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        DeleteObservation.check(context, ruleId: id) { exchange, id, since, userNames in
            if let userId = exchange.userId, userId == id, exchange.method == "GET" {
                return exchange.status == 404
                    ? []
                    : [
                        finding(
                            exchange, "the user deleted at exchange \(since) can still be read", expected: "404",
                            actual: "\(exchange.status ?? 0)")
                    ]
            }
            if let value = exchange.userNameFilterValue, userNames[id]?.equalsIgnoringCase(value) == true,
                exchange.status == 200
            {
                let listed = exchange.resources.contains { $0.value(matching: "id")?.stringValue == id }
                return listed
                    ? [
                        finding(
                            exchange, "the user deleted at exchange \(since) is still listed",
                            expected: "no result with id \(id)", actual: "listed")
                    ] : []
            }
            return nil
        }
    }
}

/// Shared walk for the DELETE rules: calls `observe` for each exchange after a successful DELETE
/// of a user. `observe` returns findings, or `nil` when the exchange does not observe the user.
enum DeleteObservation {
    static func check(
        _ context: RuleContext, ruleId: String, observe: (ReplayedExchange, String, Int, [String: String]) -> [Finding]?
    ) -> [Finding] {
        var findings: [Finding] = []
        var deletedAt: [String: (number: Int, observed: Bool)] = [:]
        var userNames: [String: String] = [:]
        for exchange in context.exchanges {
            for resource in exchange.resources + [exchange.responseObject].compactMap({ $0 }) {
                if let id = resource.value(matching: "id")?.stringValue,
                    let userName = resource.value(matching: "userName")?.stringValue
                {
                    userNames[id] = userName
                }
            }
            for (id, state) in deletedAt {
                if let result = observe(exchange, id, state.number, userNames) {
                    findings += result
                    deletedAt[id]?.observed = true
                }
            }
            if exchange.method == "DELETE", exchange.succeeded, let id = exchange.userId {
                deletedAt[id] = (exchange.number, false)
            }
        }
        for (id, state) in deletedAt.sorted(by: { $0.value.number < $1.value.number }) where !state.observed {
            findings.append(
                Finding(
                    rule: ruleId, severity: .notObservable,
                    exchange: state.number,
                    message:
                        "no later exchange reads user \(id) after its DELETE, so what DELETE did cannot be seen; add a GET of the user"
                ))
        }
        return findings
    }
}
