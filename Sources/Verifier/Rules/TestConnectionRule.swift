import SCIM

/// Entra's Test Connection filters on a random userName and accepts only an empty list.
struct TestConnectionRule: ContractRule {
    let id = "test-connection"
    let statement = "Test Connection's query for a random userName returns 200 with an empty ListResponse."
    let source = "Entra: use-scim-to-provision-users-and-groups (Test Connection); RFC 7644 section 3.4.2"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        for exchange in context.exchanges where exchange.recorded.step == "testConnection" && exchange.response != nil {
            guard exchange.status == 200 else {
                findings.append(
                    finding(
                        exchange,
                        "Test Connection failed: Entra needs 200 with an empty ListResponse for a userName that does not exist",
                        expected: "200", actual: "\(exchange.status ?? 0)"))
                continue
            }
            let body = exchange.responseObject
            let isList = body?["schemas"]?.arrayValue?.contains(.string(SCIMURN.listResponse)) == true
            let total = body?["totalResults"]?.intValue
            let resources = body?["Resources"]?.arrayValue ?? []
            if !isList || total != 0 || !resources.isEmpty {
                findings.append(
                    finding(
                        exchange, "Test Connection must return an empty ListResponse",
                        expected: #"{"schemas":["\#(SCIMURN.listResponse)"],"totalResults":0,"Resources":[]...}"#,
                        actual: excerpt(exchange.responseBody)))
            }
        }
        return findings
    }
}
