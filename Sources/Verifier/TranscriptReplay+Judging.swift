import HTTP
import SCIM
import Transcript

extension TranscriptReplay {
    struct Expected {
        let statuses: [Int]
        let body: RecordedBody?
    }

    /// Compares a live response with the exchange's expectation and learns its server-generated values.
    func judge(_ exchange: Exchange, number: Int, path: String, response: HTTPResponse, liveBody: JSONValue?) {
        let expected = expectation(for: exchange)
        if !expected.statuses.contains(response.status.code) {
            let wanted = expected.statuses.map(String.init).joined(separator: " or ")
            findings.append(
                Finding(
                    rule: "status", exchange: number,
                    message:
                        "\(exchange.request.method) \(Self.shortPath(path)) returned \(response.status.code), expected \(wanted)",
                    expected: wanted,
                    actual: "\(response.status.code) \(response.status.reasonPhrase)" + Self.errorSummary(liveBody)))
        }
        if response.status.code / 100 == 2 && exchange.response.status / 100 == 2 {
            correlation.learn(recorded: exchange.response, live: response, liveBody: liveBody)
        }
        guard expected.statuses.contains(response.status.code), response.status.code != 204 else {
            return
        }
        switch expected.body {
        case .json(let expectedBody)?:
            let substituted = correlation.substitute(isolation?.apply(expectedBody) ?? expectedBody)
            let query = RequestTarget.split(path).query ?? ""
            let matcher = BodyMatcher(
                matchers: exchange.expectations.matchers,
                orderedResources: RequestTarget.queryItems(query).contains { $0.name.lowercased() == "sortby" })
            findings += compareBody(
                expected: substituted, response: response, liveBody: liveBody, number: number, matcher: matcher)
        case .text(let expectedText)?:
            let substituted = correlation.substitute(expectedText)
            // Bytes are compared, so that a response that is not valid UTF-8 never equals the text.
            if response.body != Array(substituted.utf8) {
                findings.append(
                    Finding(
                        rule: "body", exchange: number, message: "the response text differs from the recording",
                        expected: excerpt(.string(substituted)), actual: excerpt(.string(response.bodyText))))
            }
        case .binary(let expectedBytes)?:
            if response.body != expectedBytes {
                findings.append(
                    Finding(
                        rule: "body", exchange: number,
                        message: "the response bytes differ from the recording, which are not valid UTF-8",
                        expected: Self.describeBytes(expectedBytes), actual: Self.describeBytes(response.body)))
            }
        case .none?, nil:
            break
        }
    }

    /// The statuses and body a replay must see for the run's profile.
    func expectation(for exchange: Exchange) -> Expected {
        for key in profile.expectationKeys {
            if let override = exchange.expectations.profiles[key] {
                return Expected(statuses: override.status, body: override.body ?? exchange.response.body)
            }
        }
        var statuses = exchange.expectations.status ?? [exchange.response.status]
        // A PATCH may return 200 with the resource or 204 without (RFC 7644 section 3.5.2).
        if exchange.request.method == "PATCH", statuses.contains(200) || statuses.contains(204) {
            statuses = Array(Set(statuses + [200, 204])).sorted()
        }
        return Expected(statuses: statuses, body: exchange.response.body)
    }

    private func compareBody(
        expected: JSONValue, response: HTTPResponse, liveBody: JSONValue?, number: Int, matcher: BodyMatcher
    ) -> [Finding] {
        guard let liveBody else {
            return [
                Finding(
                    rule: "body", exchange: number, message: "the response body is not JSON",
                    expected: excerpt(expected),
                    actual: response.body.isEmpty ? "(empty)" : String(response.bodyText.prefix(200)))
            ]
        }
        let mismatches = matcher.compare(expected: expected, actual: liveBody)
        var found = mismatches.prefix(Self.maximumBodyFindings).map { mismatch in
            Finding(
                rule: "body", exchange: number, message: "\(mismatch.path.abbreviated) \(mismatch.message)",
                path: mismatch.path,
                expected: mismatch.expected, actual: mismatch.actual)
        }
        if mismatches.count > Self.maximumBodyFindings {
            found.append(
                Finding(
                    rule: "body", exchange: number,
                    message:
                        "\(mismatches.count - Self.maximumBodyFindings) more differences in this body are not listed"))
        }
        return found
    }

    /// Returns the ids of resources in a response body: the resource's own, or those of a list's
    /// results. The replay learns only ids of at least `minimumLength` characters; the linter passes 1,
    /// because an endpoint with numeric ids creates users "1" and "2".
    static func ids(in body: JSONValue?, minimumLength: Int = 3) -> [String] {
        guard let object = body?.objectValue else {
            return []
        }
        var ids: [String] = []
        if let id = object["id"]?.stringValue {
            ids.append(id)
        }
        for resource in object["Resources"]?.arrayValue ?? [] {
            if let id = resource["id"]?.stringValue {
                ids.append(id)
            }
        }
        return ids.filter { $0.count >= minimumLength }
    }

    /// Returns the size and the first bytes in hex, such as `3 bytes: 63 61 e9`.
    static func describeBytes(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "(empty)" : "\(bytes.count) bytes: \(RecordedBody.hexExcerpt(bytes))"
    }

    static func shortPath(_ path: String) -> String {
        let decoded = RequestTarget.percentDecode(path, plusIsSpace: true)
        return decoded.count > 120 ? String(decoded.prefix(117)) + "..." : decoded
    }

    static func errorSummary(_ body: JSONValue?) -> String {
        guard let object = body?.objectValue, let detail = object["detail"]?.stringValue else {
            return ""
        }
        let scimType = object["scimType"]?.stringValue.map { "\($0): " } ?? ""
        return " (\(scimType)\(detail.prefix(160)))"
    }
}
