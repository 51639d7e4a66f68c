import SCIM

/// JSON responses are labelled `application/scim+json`.
struct MediaTypeRule: ContractRule {
    let id = "media-type"
    let statement =
        "Responses with a JSON body carry Content-Type application/scim+json (application/json is tolerated)."
    let source = "RFC 7644 section 3.1; Entra asks for application/scim+json on every response"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        for exchange in context.exchanges where exchange.responseBody != nil {
            let contentType = exchange.contentType ?? ""
            if !SCIMMediaType.isJSON(contentType) {
                findings.append(
                    finding(
                        exchange,
                        "a JSON response is labelled \(contentType.isEmpty ? "with no Content-Type" : "'\(contentType)'")",
                        expected: SCIMMediaType.scimJSON, actual: contentType.isEmpty ? "(absent)" : contentType))
            }
        }
        return findings
    }
}
