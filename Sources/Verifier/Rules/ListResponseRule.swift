import SCIM

/// Every query answers with a ListResponse, never a bare resource or a 404 for no match.
struct ListResponseRule: ContractRule {
    let id = "list-response"
    let statement =
        "A query returns 200 and a ListResponse with totalResults, Resources, startIndex and itemsPerPage, even when nothing matches."
    let source = "RFC 7644 section 3.4.2; Entra requires a ListResponse for every filter"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        for exchange in context.exchanges
        where exchange.method == "GET" && exchange.filter != nil && exchange.response != nil {
            guard exchange.status == 200 else {
                if exchange.status == 404 {
                    findings.append(
                        finding(
                            exchange,
                            "a query returned 404; a filter that matches nothing must return 200 with totalResults 0",
                            expected: "200", actual: "404"))
                }
                continue
            }
            guard let body = exchange.responseObject else {
                findings.append(
                    finding(
                        exchange, "a query returned no JSON object", expected: "a ListResponse",
                        actual: excerpt(exchange.responseBody)))
                continue
            }
            var missing: [String] = []
            if body["schemas"]?.arrayValue?.contains(.string(SCIMURN.listResponse)) != true {
                missing.append("schemas with \(SCIMURN.listResponse)")
            }
            if body["totalResults"]?.intValue == nil {
                missing.append("an integer totalResults")
            }
            if (body["totalResults"]?.intValue ?? 0) > 0 && body["Resources"]?.arrayValue == nil {
                missing.append("Resources")
            }
            if !missing.isEmpty {
                findings.append(
                    finding(
                        exchange,
                        "the query response is not a complete ListResponse; it lacks \(missing.joined(separator: ", "))",
                        actual: excerpt(exchange.responseBody)))
            }
        }
        return findings
    }
}
