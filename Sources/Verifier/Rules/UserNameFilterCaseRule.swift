import HTTP
import SCIM

/// userName is `caseExact: false`, so a filter in another case must still find the user.
struct UserNameFilterCaseRule: ContractRule {
    let id = "username-filter-case"
    let statement = "userName eq compares without regard to case, so a filter in another case finds the user."
    let source = "RFC 7643 section 4.1.1 (userName caseExact false); Entra matches users by userName"
    let profiles: Set<VerificationProfile> = [.front, .entra, .rfc]

    func check(_ context: RuleContext) -> [Finding] {
        var findings: [Finding] = []
        // userName (lowercased) to live id, from every user the target has returned.
        var known: [String: (userName: String, id: String)] = [:]
        var removed = Set<String>()
        for exchange in context.exchanges {
            if exchange.method == "DELETE", exchange.succeeded, let id = exchange.userId,
                context.profile.serverProfile == .rfc
            {
                removed.insert(id)
            }
            if let value = exchange.userNameFilterValue, exchange.status == 200 {
                let liveNames = exchange.resources.compactMap { $0.value(matching: "userName")?.stringValue }
                let found = liveNames.contains { $0.equalsIgnoringCase(value) }
                if !found, let recordedMatch = caseVariantInRecording(exchange) {
                    findings.append(
                        finding(
                            exchange,
                            "the filter userName eq \"\(value)\" found nothing, but the recording found \(recordedMatch); userName is caseExact false",
                            expected: "a result whose userName equals \"\(value)\" ignoring case",
                            actual: "totalResults \(liveNames.count)"))
                } else if !found, let entry = known[value.lowercased()], entry.userName != value,
                    !removed.contains(entry.id)
                {
                    findings.append(
                        finding(
                            exchange,
                            "the filter userName eq \"\(value)\" did not find \(entry.userName); userName is caseExact false",
                            expected: "a result with id \(entry.id)", actual: "totalResults \(liveNames.count)"))
                }
            }
            for resource in exchange.resources + [exchange.responseObject].compactMap({ $0 }) {
                if let userName = resource.value(matching: "userName")?.stringValue,
                    let id = resource.value(matching: "id")?.stringValue
                {
                    known[userName.lowercased()] = (userName, id)
                }
            }
        }
        return findings
    }

    /// A userName the recorded response returned for this filter that differs from the filter
    /// value only in case, which shows the filter had to ignore case.
    private func caseVariantInRecording(_ exchange: ReplayedExchange) -> String? {
        let query = RequestTarget.split(exchange.recorded.request.path).query ?? ""
        guard let filter = RequestTarget.queryItems(query).first(where: { $0.name.lowercased() == "filter" })?.value,
            case .comparison(let path, .equal, .string(let recordedValue))? = try? FilterParser.parse(filter),
            path.name.equalsIgnoringCase("userName")
        else {
            return nil
        }
        let recorded = (exchange.recorded.response.body.json?["Resources"]?.arrayValue ?? [])
            .compactMap { $0.objectValue?.value(matching: "userName")?.stringValue }
        return recorded.first { $0 != recordedValue && $0.equalsIgnoringCase(recordedValue) }
    }
}
