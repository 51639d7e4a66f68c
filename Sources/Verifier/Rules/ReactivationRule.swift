import SCIM

/// Re-enabling a blocked teammate brings back the same resource.
struct ReactivationRule: ContractRule {
    let id = "reactivation-keeps-id"
    let statement =
        "A user re-enabled with active true keeps its id; it is never replaced by a new resource with the same userName."
    let source = "Entra: reassignment re-enables the matched user by PATCH; Front unblocks the same teammate"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        var userNames: [String: String] = [:]
        var disabled: [String: String] = [:]
        for exchange in context.exchanges {
            if let id = exchange.userId, exchange.method == "PATCH", exchange.succeeded,
                let active = exchange.patchedActive
            {
                if !active, let userName = userNames[id] {
                    disabled[id] = userName
                } else if active, disabled[id] != nil, let body = exchange.responseObject,
                    let returnedId = body.value(matching: "id")?.stringValue, returnedId != id
                {
                    findings.append(
                        finding(exchange, "re-enabling returned another id", expected: id, actual: returnedId))
                }
            }
            for resource in exchange.resources + [exchange.responseObject].compactMap({ $0 }) {
                guard let id = resource.value(matching: "id")?.stringValue,
                    let userName = resource.value(matching: "userName")?.stringValue
                else {
                    continue
                }
                if let previous = disabled.first(where: { $0.value.equalsIgnoringCase(userName) && $0.key != id }) {
                    findings.append(
                        finding(
                            exchange,
                            "\(userName) came back with a new id; re-enabling a blocked teammate must keep its id",
                            expected: previous.key, actual: id))
                    disabled[previous.key] = nil
                }
                userNames[id] = userName
            }
        }
        return findings
    }
}
