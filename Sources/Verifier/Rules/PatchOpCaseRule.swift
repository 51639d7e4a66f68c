import SCIM

/// PATCH `op` values match without regard to case.
struct PatchOpCaseRule: ContractRule {
    let id = "patch-op-case"
    let statement =
        "A PATCH whose op is capitalised (\"Replace\", \"Add\", \"Remove\") is accepted like its lowercase form."
    let source = "RFC 7644 section 3.5.2 (op is case-insensitive); Entra sends capitalised ops without aadOptscim062020"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        for exchange in context.exchanges where exchange.method == "PATCH" {
            let ops = (exchange.requestBody?.objectValue?.value(matching: "Operations")?.arrayValue ?? [])
                .compactMap { $0.objectValue?.value(matching: "op")?.stringValue }
            guard let capitalised = ops.first(where: { $0 != $0.lowercased() }), let status = exchange.status else {
                continue
            }
            let scimType = exchange.responseObject?.value(matching: "scimType")?.stringValue
            if status == 400 && (scimType == "invalidSyntax" || scimType == nil) || status == 422 || status == 501 {
                findings.append(
                    finding(
                        exchange,
                        "the PATCH with op \"\(capitalised)\" was rejected; op must match without regard to case",
                        expected: "200 or 204", actual: "\(status)" + (scimType.map { " \($0)" } ?? "")))
            }
        }
        return findings
    }
}
