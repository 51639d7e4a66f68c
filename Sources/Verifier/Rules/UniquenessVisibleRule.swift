import SCIM

/// A uniqueness conflict must be explainable: the user it conflicts with is findable by filter.
struct UniquenessVisibleRule: ContractRule {
    let id = "uniqueness-visible"
    let statement =
        "When creating a user fails with 409 uniqueness, a userName filter for that name finds the existing user; otherwise Entra conflicts forever."
    let source = "Entra: a user hidden from filters but conflicting on POST cannot be matched; RFC 7644 section 3.3"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        let reserved = Set(
            context.preconditions.compactMap { precondition -> String? in
                if case .deletedTeammate(let email) = precondition {
                    return email.lowercased()
                }
                return nil
            })
        // The successful userName filters by lowercased name, built once, because searching all
        // exchanges for each conflict would take time quadratic in the transcript's length.
        var lookupsByName: [String: [ReplayedExchange]] = [:]
        for exchange in context.exchanges where exchange.status == 200 {
            if let name = exchange.userNameFilterValue {
                lookupsByName[name.lowercased(), default: []].append(exchange)
            }
        }
        // The lookups of each name that do not find it, also built once per name.
        var missesByName: [String: [ReplayedExchange]] = [:]
        var findings: [Finding] = []
        for conflict in context.exchanges
        where conflict.method == "POST" && conflict.segments == ["Users"] && conflict.status == 409 {
            guard let userName = conflict.requestBody?.objectValue?.value(matching: "userName")?.stringValue,
                !reserved.contains(userName.lowercased())
            else {
                continue
            }
            let name = userName.lowercased()
            let lookups = lookupsByName[name] ?? []
            guard !lookups.isEmpty else {
                findings.append(
                    notObservable(
                        conflict, "no userName filter for \(userName) shows whether the conflicting user is findable"))
                continue
            }
            let misses =
                missesByName[name]
                ?? lookups.filter { lookup in
                    !lookup.resources.contains {
                        $0.value(matching: "userName")?.stringValue?.equalsIgnoringCase(userName) == true
                    }
                }
            missesByName[name] = misses
            for lookup in misses {
                findings.append(
                    finding(
                        lookup,
                        "exchange \(conflict.number) got 409 for \(userName), but this filter does not find that user",
                        expected: "a result with userName \(userName)",
                        actual: "totalResults \(excerpt(lookup.responseObject?["totalResults"]))"))
            }
        }
        return findings
    }
}
