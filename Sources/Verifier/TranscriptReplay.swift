import Foundation
import HTTP
import Logging
import SCIM
import Transcript

/// The endpoint one transcript is replayed against.
struct ReplayTarget {
    let base: BaseURL
    let token: String?
    /// Whether preconditions can be set through `/_scimtape/state` under `origin`.
    let hasAdminRoute: Bool
    let isolate: Bool
    /// Whether a refused connection means the whole run must stop with exit 3.
    let external: Bool

    var baseURL: String {
        base.description
    }

    var origin: String {
        base.origin
    }
}

/// Replays one transcript against a target and judges it.
struct TranscriptReplay {
    let transcript: Transcript
    let file: String
    let target: ReplayTarget
    let profile: VerificationProfile
    let client: HTTPClient
    let logger: Logger

    /// Request headers not copied from the transcript: the replay sets its own credentials, and
    /// libcurl computes the connection headers.
    static let replacedRequestHeaders: Set<String> = [
        "authorization", "host", "content-length", "connection", "transfer-encoding", "expect", "accept-encoding",
        "cookie",
        "proxy-authorization", "keep-alive",
    ]

    static let maximumBodyFindings = 10

    func run() throws(VerifyFailure) -> TranscriptOutcome {
        let started = DispatchTime.now()
        let isolation = target.isolate ? Isolation(transcript: transcript, tag: Self.makeTag()) : nil
        let preconditions = transcript.preconditions.map { isolation?.apply($0) ?? $0 }

        if !preconditions.isEmpty {
            if let reason = try applyPreconditions(preconditions) {
                return outcome(.skipped(reason: reason), findings: [], started: started)
            }
        }

        var correlation = Correlation()
        var findings: [Finding] = []
        var replayed: [ReplayedExchange] = []
        var producedIds: [String: Int] = [:]
        var stopped = false

        for (index, exchange) in transcript.exchanges.enumerated() {
            let number = index + 1
            let recordedPath = isolation?.apply(path: exchange.request.path) ?? exchange.request.path
            let path = correlation.substitute(path: recordedPath)
            let body = exchange.request.body.json.map { correlation.substitute(isolation?.apply($0) ?? $0) }

            if stopped {
                replayed.append(
                    ReplayedExchange(
                        number: number, recorded: exchange, request: nil, relativePath: path, requestBody: body,
                        response: nil, responseBody: nil))
                continue
            }
            if let (missing, producer) = producedIds.first(where: {
                exchange.request.path.contains($0.key) && correlation.live(for: $0.key) == nil
            }) {
                findings.append(
                    Finding(
                        rule: "replay", exchange: number,
                        message:
                            "not sent: its path uses the id \(missing) that exchange \(producer) should have returned, and the target did not return it"
                    ))
                replayed.append(
                    ReplayedExchange(
                        number: number, recorded: exchange, request: nil, relativePath: path, requestBody: body,
                        response: nil, responseBody: nil))
                continue
            }

            let request = makeRequest(exchange, path: path, body: body, correlation: correlation)
            let response: HTTPResponse
            do {
                response = try client.send(request, url: target.baseURL + path)
            } catch {
                if target.external && error.kind == .connectionFailed && replayed.allSatisfy({ $0.response == nil }) {
                    throw VerifyFailure.targetUnreachable(
                        "\(file): the target \(target.baseURL) is unreachable: \(error.message)")
                }
                findings.append(
                    Finding(
                        rule: "transport", exchange: number,
                        message:
                            "\(exchange.request.method) \(path) failed: \(error.message); the rest of this transcript is not sent"
                    ))
                replayed.append(
                    ReplayedExchange(
                        number: number, recorded: exchange, request: request, relativePath: path, requestBody: body,
                        response: nil, responseBody: nil))
                stopped = true
                continue
            }
            let liveBody = response.body.isEmpty ? nil : try? JSONValue.parse(bytes: response.body)
            let expected = expectation(for: exchange)

            if !expected.statuses.contains(response.status.code) {
                let wanted = expected.statuses.map(String.init).joined(separator: " or ")
                findings.append(
                    Finding(
                        rule: "status", exchange: number,
                        message:
                            "\(exchange.request.method) \(Self.shortPath(path)) returned \(response.status.code), expected \(wanted)",
                        expected: wanted,
                        actual: "\(response.status.code) \(response.status.reasonPhrase)" + Self.errorSummary(liveBody))
                )
            }
            if response.status.code / 100 == 2 && exchange.response.status / 100 == 2 {
                correlation.learn(recorded: exchange.response, live: response, liveBody: liveBody)
            }
            if expected.statuses.contains(response.status.code), response.status.code != 204 {
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
                    if response.bodyText != substituted {
                        findings.append(
                            Finding(
                                rule: "body", exchange: number, message: "the response text differs from the recording",
                                expected: excerpt(.string(substituted)), actual: excerpt(.string(response.bodyText))))
                    }
                case .none?, nil:
                    break
                }
            }
            for id in Self.ids(in: exchange.response.body.json) where producedIds[id] == nil {
                producedIds[id] = number
            }
            replayed.append(
                ReplayedExchange(
                    number: number, recorded: exchange, request: request, relativePath: path, requestBody: body,
                    response: response,
                    responseBody: liveBody))
        }

        let context = RuleContext(
            transcript: transcript, exchanges: replayed, profile: profile, preconditions: preconditions)
        for rule in ContractRules.rules(for: profile) {
            findings += rule.check(context)
        }
        findings.sort { ($0.exchange ?? Int.max, $0.rule) < ($1.exchange ?? Int.max, $1.rule) }
        let failed = findings.contains { $0.severity == .error }
        return outcome(failed ? .failed : .passed, findings: findings, started: started)
    }

    private func outcome(_ status: TranscriptOutcome.Status, findings: [Finding], started: DispatchTime)
        -> TranscriptOutcome
    {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return TranscriptOutcome(
            file: file, name: transcript.name, status: status, findings: findings,
            exchangeCount: transcript.exchanges.count,
            duration: seconds)
    }

    // MARK: - Preconditions

    /// Sets the preconditions up; returns the reason to skip the transcript when that is not possible.
    private func applyPreconditions(_ preconditions: [Precondition]) throws(VerifyFailure) -> String? {
        let summary = preconditions.map(\.summary).joined(separator: "; ")
        guard target.hasAdminRoute else {
            return "the target has no scimtape admin route, so this precondition cannot be set: \(summary)"
        }
        var headers: HTTPHeaders = [("Content-Type", SCIMMediaType.json)]
        if let token = target.token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        let body: JSONValue = ["preconditions": .array(preconditions.map(\.json))]
        let request = HTTPRequest(
            method: .post, target: "/_scimtape/state", headers: headers, body: body.serializedBytes())
        do {
            let response = try client.send(request, url: target.origin + "/_scimtape/state")
            guard response.status.code == 200 else {
                return
                    "the admin route rejected the preconditions with \(response.status.code): \(response.bodyText.prefix(200))"
            }
            return nil
        } catch {
            if target.external && error.kind == .connectionFailed {
                throw VerifyFailure.targetUnreachable(
                    "\(file): the target \(target.origin) is unreachable: \(error.message)")
            }
            return "setting the preconditions failed: \(error.message)"
        }
    }

    // MARK: - Requests

    private func makeRequest(_ exchange: Exchange, path: String, body: JSONValue?, correlation: Correlation)
        -> HTTPRequest
    {
        var headers = HTTPHeaders()
        for field in exchange.request.headers where !Self.replacedRequestHeaders.contains(field.name.lowercased()) {
            headers.add(name: field.name, value: correlation.substitute(field.value))
        }
        if let token = target.token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        var bytes: [UInt8] = []
        switch exchange.request.body {
        case .none: break
        case .json: bytes = body?.serializedBytes() ?? []
        case .text(let text): bytes = Array(correlation.substitute(text).utf8)
        }
        return HTTPRequest(method: HTTPMethod(exchange.request.method), target: path, headers: headers, body: bytes)
    }

    private struct Expected {
        let statuses: [Int]
        let body: RecordedBody?
    }

    private func expectation(for exchange: Exchange) -> Expected {
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
        var findings = mismatches.prefix(Self.maximumBodyFindings).map { mismatch in
            Finding(
                rule: "body", exchange: number, message: "\(mismatch.path) \(mismatch.message)", path: mismatch.path,
                expected: mismatch.expected, actual: mismatch.actual)
        }
        if mismatches.count > Self.maximumBodyFindings {
            findings.append(
                Finding(
                    rule: "body", exchange: number,
                    message:
                        "\(mismatches.count - Self.maximumBodyFindings) more differences in this body are not listed"))
        }
        return findings
    }

    // MARK: - Helpers

    /// Ids of resources in a response body: the resource's own, or those of a list's results.
    static func ids(in body: JSONValue?) -> [String] {
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
        return ids.filter { $0.count >= 3 }
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

    static func makeTag() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        return "st" + String((0..<6).map { _ in alphabet.randomElement()! })
    }
}
