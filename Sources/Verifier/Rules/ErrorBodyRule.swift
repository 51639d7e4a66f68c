import SCIM

/// Every error response follows RFC 7644 section 3.12.
struct ErrorBodyRule: ContractRule {
    let id = "error-body"
    let statement =
        "Every 4xx and 5xx response is a SCIM Error: the Error schema, status as a JSON string equal to the HTTP status, and a scimType from RFC 7644 Table 9 if any."
    let source = "RFC 7644 section 3.12"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        for exchange in context.exchanges {
            // A response to HEAD has no body (RFC 9110 section 9.3.2), so it cannot carry a SCIM Error.
            guard let status = exchange.status, status >= 400, exchange.method != "HEAD" else {
                continue
            }
            guard let body = exchange.responseObject else {
                findings.append(
                    finding(
                        exchange, "the \(status) response has no SCIM Error body",
                        expected: #"{"schemas":["\#(SCIMURN.error)"],"status":"\#(status)",...}"#,
                        actual: excerpt(exchange.responseBody) + " (\(exchange.contentType ?? "no Content-Type"))"))
                continue
            }
            if body["schemas"]?.arrayValue?.contains(.string(SCIMURN.error)) != true {
                findings.append(
                    finding(
                        exchange, "the error body does not list the Error schema", expected: "[\"\(SCIMURN.error)\"]",
                        actual: excerpt(body["schemas"]), path: JSONPath.root.appending(key: "schemas")))
            }
            let statusValue = body.value(matching: "status")
            if statusValue?.stringValue != String(status) {
                let message =
                    statusValue?.numberValue != nil
                    ? "the error's status is a JSON number; RFC 7644 section 3.12 makes it a string"
                    : "the error's status does not repeat the HTTP status as a string"
                findings.append(
                    finding(
                        exchange, message, expected: "\"\(status)\"", actual: excerpt(statusValue),
                        path: JSONPath.root.appending(key: "status")))
            }
            if let scimType = body.value(matching: "scimType"), !scimType.isNull {
                if scimType.stringValue.flatMap(SCIMErrorType.init(rawValue:)) == nil {
                    findings.append(
                        finding(
                            exchange, "scimType is not one of RFC 7644 Table 9",
                            expected: SCIMErrorType.allCases.map(\.rawValue).joined(separator: ", "),
                            actual: excerpt(scimType),
                            path: JSONPath.root.appending(key: "scimType")))
                }
            }
            if let detail = body.value(matching: "detail"), detail.stringValue == nil {
                findings.append(
                    finding(
                        exchange, "detail must be a string", actual: excerpt(detail),
                        path: JSONPath.root.appending(key: "detail")))
            }
        }
        return findings
    }
}
