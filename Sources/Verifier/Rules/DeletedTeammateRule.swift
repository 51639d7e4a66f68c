import SCIM

/// A teammate deleted in Front keeps its email reserved; creating it again is a SCIM conflict.
struct DeletedTeammateRule: ContractRule {
    let id = "deleted-teammate"
    let statement =
        "Creating a user whose email belongs to a teammate deleted in Front fails with 409 uniqueness and a SCIM error body, and creates nothing."
    let source = "Front: a deleted teammate's email cannot be reused; RFC 7644 section 3.3 (409 uniqueness)"
    let profiles: Set<VerificationProfile> = [.front]

    func check(_ context: RuleContext) -> [Finding] {
        let deleted = Set(
            context.preconditions.compactMap { precondition -> String? in
                if case .deletedTeammate(let email) = precondition {
                    return email.lowercased()
                }
                return nil
            })
        guard !deleted.isEmpty else {
            return []
        }
        var findings: [Finding] = []
        var observed = false
        for exchange in context.exchanges where exchange.method == "POST" && exchange.segments == ["Users"] {
            guard let body = exchange.requestBody?.objectValue, let status = exchange.status else {
                continue
            }
            let addresses =
                ([body.value(matching: "userName")?.stringValue]
                + (body.value(matching: "emails")?.arrayValue ?? []).map {
                    $0.objectValue?.value(matching: "value")?.stringValue
                })
                .compactMap { $0?.lowercased() }
            guard let email = addresses.first(where: deleted.contains) else {
                continue
            }
            observed = true
            let scimType = exchange.responseObject?.value(matching: "scimType")?.stringValue
            if status / 100 == 2 {
                findings.append(
                    finding(
                        exchange, "creating \(email), a teammate deleted in Front, succeeded and made a duplicate",
                        expected: "409 uniqueness", actual: "\(status)"))
            } else if status >= 500 {
                findings.append(
                    finding(
                        exchange,
                        "creating \(email), a teammate deleted in Front, failed with a server error instead of a SCIM conflict",
                        expected: "409 uniqueness", actual: "\(status)"))
            } else if status != 409 || scimType != "uniqueness" {
                findings.append(
                    finding(
                        exchange, "creating \(email), a teammate deleted in Front, must fail with 409 uniqueness",
                        expected: "409 uniqueness", actual: "\(status)" + (scimType.map { " \($0)" } ?? "")))
            }
        }
        if !observed {
            findings.append(
                Finding(
                    rule: id, severity: .notObservable, exchange: nil,
                    message: "the transcript has a deleted-teammate precondition but never creates that teammate"))
        }
        return findings
    }
}
