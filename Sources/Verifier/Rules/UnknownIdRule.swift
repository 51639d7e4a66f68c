import SCIM

/// Requests for a resource that does not exist get 404 with an error body.
struct UnknownIdRule: ContractRule {
    let id = "unknown-id-404"
    let statement =
        "GET, PUT, PATCH and DELETE of an id that does not exist return 404 with a SCIM error, never 2xx or 500."
    let source = "RFC 7644 sections 3.4.1, 3.5 and 3.6; Entra treats 404 on a cached id as an invalid anchor"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        for exchange in context.exchanges where exchange.recorded.response.status == 404 {
            let parts = exchange.segments
            guard parts.count == 2, ["Users", "Groups"].contains(parts[0]), let status = exchange.status else {
                continue
            }
            if status != 404 {
                findings.append(
                    finding(
                        exchange,
                        "\(exchange.method) of the unknown \(parts[0].dropLast()) \(parts[1]) returned \(status)",
                        expected: "404", actual: "\(status)"))
            }
        }
        return findings
    }
}
