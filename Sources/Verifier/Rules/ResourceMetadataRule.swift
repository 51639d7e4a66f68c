import SCIM

/// `Location` and `meta` describe the resource consistently over time.
struct ResourceMetadataRule: ContractRule {
    let id = "resource-metadata"
    let statement =
        "The Location header equals meta.location; meta.created never changes and meta.lastModified never moves backwards for the same resource."
    let source = "RFC 7644 section 3.3 (Location equals meta.location); RFC 7643 section 3.1 (meta)"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        var created: [String: String] = [:]
        var lastModified: [String: (text: String, seconds: Double)] = [:]
        for exchange in context.exchanges {
            if let location = exchange.response?.headers["Location"], let body = exchange.responseObject,
                let metaLocation = body.value(matching: "meta")?.objectValue?.value(matching: "location")?.stringValue,
                metaLocation != location
            {
                findings.append(
                    finding(
                        exchange, "the Location header differs from meta.location", expected: metaLocation,
                        actual: location))
            }
            for resource in exchange.resources + [exchange.responseObject].compactMap({ $0 }) {
                guard let id = resource.value(matching: "id")?.stringValue,
                    let meta = resource.value(matching: "meta")?.objectValue
                else {
                    continue
                }
                if let value = meta.value(matching: "created")?.stringValue {
                    if let first = created[id], SCIMDateTime.parse(first) != SCIMDateTime.parse(value) {
                        findings.append(
                            finding(exchange, "meta.created of \(id) changed", expected: first, actual: value))
                    }
                    created[id] = created[id] ?? value
                }
                if let value = meta.value(matching: "lastModified")?.stringValue,
                    let seconds = SCIMDateTime.parse(value)
                {
                    if let previous = lastModified[id], seconds < previous.seconds {
                        findings.append(
                            finding(
                                exchange, "meta.lastModified of \(id) moved backwards",
                                expected: "at or after \(previous.text)", actual: value))
                    }
                    lastModified[id] = (value, max(seconds, lastModified[id]?.seconds ?? seconds))
                }
            }
        }
        return findings
    }
}
