import SCIM

/// Front applies a teammate template only when it creates the teammate.
struct CreateOnlyTemplateRule: ContractRule {
    let id = "create-only-template"
    let statement =
        "A PATCH or PUT that carries the teammate template succeeds or fails with 400 mutability, and the template read afterwards is the one the teammate had before."
    let source =
        "Front: templates apply only when the teammate is created (Entra mapping \"Only during object creation\")"
    let profiles: Set<VerificationProfile> = [.front]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        // The template each user had before any later request tried to change it.
        var templates: [String: String?] = [:]
        var pending: [String: Int] = [:]

        func template(of resource: JSONObject) -> String? {
            resource.value(matching: SCIMURN.frontTeammate)?.objectValue?.value(matching: "template")?.stringValue
        }

        func observe(_ resource: JSONObject, in exchange: ReplayedExchange) {
            guard let id = resource.value(matching: "id")?.stringValue else {
                return
            }
            guard let expected = templates[id] else {
                templates[id] = .some(template(of: resource))
                return
            }
            if let since = pending.removeValue(forKey: id), template(of: resource) != expected {
                findings.append(
                    finding(
                        exchange,
                        "the template changed after exchange \(since) sent a new one; Front applies a template only when it creates the teammate",
                        expected: excerpt(expected.map(JSONValue.string) ?? .null),
                        actual: excerpt(template(of: resource).map(JSONValue.string) ?? .null),
                        path: JSONPath.root.appending(key: SCIMURN.frontTeammate).appending(key: "template")))
            }
        }

        for exchange in context.exchanges {
            let isUpdate = exchange.method == "PATCH" || exchange.method == "PUT"
            if isUpdate, let id = exchange.userId, exchange.carriesTemplate, let status = exchange.status {
                let scimType = exchange.responseObject?.value(matching: "scimType")?.stringValue
                if status / 100 == 2 {
                    pending[id] = exchange.number
                } else if !(status == 400 && scimType == "mutability") {
                    findings.append(
                        finding(
                            exchange, "a request carrying the template must succeed or fail with 400 mutability",
                            expected: "2xx or 400 mutability", actual: "\(status)" + (scimType.map { " \($0)" } ?? "")))
                }
            }
            for resource in exchange.resources + [exchange.responseObject].compactMap({ $0 }) {
                observe(resource, in: exchange)
            }
        }
        for (userId, number) in pending.sorted(by: { $0.value < $1.value }) {
            findings.append(
                Finding(
                    rule: id, severity: .notObservable, exchange: number,
                    message:
                        "no response after this request shows user \(userId)'s template, so whether it changed cannot be seen"
                ))
        }
        return findings
    }
}
