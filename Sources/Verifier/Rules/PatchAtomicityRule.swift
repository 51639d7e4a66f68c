import SCIM

/// A PATCH that fails changes nothing (RFC 7644 section 3.5.2).
struct PatchAtomicityRule: ContractRule {
    let id = "patch-atomicity"
    let statement =
        "When a PATCH fails, none of its operations took effect: the next read shows the attributes it named unchanged."
    let source = "RFC 7644 section 3.5.2: \"if an error occurs ... the original resource state is unchanged\""
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        var latest: [String: JSONObject] = [:]
        var pending: [String: (number: Int, before: JSONObject, names: [String])] = [:]
        for exchange in context.exchanges {
            if exchange.method == "PATCH", let id = exchange.userId ?? groupId(exchange), let status = exchange.status,
                status >= 400,
                status < 500, let before = latest[id]
            {
                pending[id] = (exchange.number, before, attributeNames(exchange))
                continue
            }
            for resource in exchange.resources + [exchange.responseObject].compactMap({ $0 }) {
                guard let id = resource.value(matching: "id")?.stringValue else {
                    continue
                }
                if exchange.method == "GET", let failed = pending.removeValue(forKey: id) {
                    for name in failed.names where failed.before.value(matching: name) != resource.value(matching: name)
                    {
                        findings.append(
                            finding(
                                exchange, "'\(name)' changed although the PATCH at exchange \(failed.number) failed",
                                expected: excerpt(failed.before.value(matching: name)),
                                actual: excerpt(resource.value(matching: name)),
                                path: JSONPath.root.appending(key: name)))
                    }
                }
                latest[id] = resource
            }
        }
        for (id, failed) in pending.sorted(by: { $0.value.number < $1.value.number }) {
            findings.append(
                Finding(
                    rule: self.id, severity: .notObservable, exchange: failed.number,
                    message: "no read of \(id) follows the failed PATCH, so whether it changed anything cannot be seen")
            )
        }
        return findings
    }

    private func groupId(_ exchange: ReplayedExchange) -> String? {
        let parts = exchange.segments
        return parts.count == 2 && parts[0] == "Groups" ? parts[1] : nil
    }

    /// The top-level attributes the operations name: a path's first segment, or each key of a
    /// path-less value.
    private func attributeNames(_ exchange: ReplayedExchange) -> [String] {
        var names: [String] = []
        for operation in exchange.requestBody?.objectValue?.value(matching: "Operations")?.arrayValue ?? [] {
            guard let object = operation.objectValue else {
                continue
            }
            if let path = object.value(matching: "path")?.stringValue {
                names.append(topLevelName(path))
            } else {
                for key in object.value(matching: "value")?.objectValue?.keys ?? [] {
                    names.append(topLevelName(key))
                }
            }
        }
        var seen = Set<String>()
        return names.filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
    }

    private func topLevelName(_ path: String) -> String {
        if path.lowercased().hasPrefix("urn:"), let colon = path.lastIndex(of: ":") {
            // An extension attribute lives in the extension object, keyed by the schema URN.
            return String(path[..<colon])
        }
        return String(path.prefix { $0 != "." && $0 != "[" })
    }
}
