import SCIM

/// `active` goes back to the client as a JSON boolean, whatever spelling the client sent.
struct ActiveBooleanRule: ContractRule {
    let id = "active-boolean"
    let statement = "active is returned as a JSON boolean, even when the request sent a string such as \"False\"."
    let source = "RFC 7643 section 4.1.1 (active is boolean); Entra's legacy dialect sends strings"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        for exchange in context.exchanges {
            let resources = exchange.resources + [exchange.responseObject].compactMap { $0 }
            for resource in resources {
                if let active = resource.value(matching: "active"), active.boolValue == nil {
                    findings.append(
                        finding(
                            exchange, "active is \(active.typeName) \(active.serialized()), not a JSON boolean",
                            expected: "true or false", actual: active.serialized()))
                    break
                }
            }
        }
        return findings
    }
}
