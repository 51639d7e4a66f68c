import Foundation
import HTTP
import Logging
import SCIM
import Transcript

/// Replays one transcript against a target and judges it. One instance per replay; it keeps the
/// replay's state (learned values, findings, what it created) while it runs.
final class TranscriptReplay {
    let transcript: Transcript
    let file: String
    let target: ReplayTarget
    let settings: ReplaySettings
    let client: HTTPClient
    let logger: Logger
    /// The run's credentials, masked in every response before anything reads it.
    let secretMask: SecretMask

    var isolation: Isolation?
    var correlation = Correlation()
    var findings: [Finding] = []
    var replayed: [ReplayedExchange] = []
    /// Recorded ids that some recorded response showed, with the first exchange that did.
    var recordedIds: [String: Int] = [:]
    /// The keys of `recordedIds`, for finding the ones a request path contains.
    var recordedIdIndex = SubstringIndex()
    /// Live resources this replay created, as (endpoint segment, id), for cleanup.
    var created: [(collection: String, id: String)] = []
    /// Ids the admin route returned for `existingTeammate` preconditions, in order.
    var preconditionIds: [String] = []

    /// Request headers not copied from the transcript: the replay sets its own credentials, and
    /// libcurl computes the connection headers.
    static let replacedRequestHeaders: Set<String> = [
        "authorization", "host", "content-length", "connection", "transfer-encoding", "expect", "accept-encoding",
        "cookie", "proxy-authorization", "keep-alive",
    ]

    static let maximumBodyFindings = 10

    init(
        transcript: Transcript, file: String, target: ReplayTarget, settings: ReplaySettings, client: HTTPClient,
        logger: Logger
    ) {
        self.transcript = transcript
        self.file = file
        self.target = target
        self.settings = settings
        self.client = client
        self.logger = logger
        self.secretMask = SecretMask(token: target.token, extraHeaders: settings.extraHeaders)
    }

    var profile: VerificationProfile {
        settings.profile
    }

    func run() throws(VerifyFailure) -> TranscriptOutcome {
        let started = DispatchTime.now()
        isolation = target.isolate ? Isolation(transcript: transcript, tag: Self.makeTag()) : nil
        let preconditions = transcript.preconditions.map { isolation?.apply($0) ?? $0 }

        if !preconditions.isEmpty {
            switch try applyPreconditions(preconditions) {
            case .applied:
                break
            case .skip(let reason):
                return outcome(.skipped(reason: reason), started: started)
            case .fail(let finding):
                findings.append(finding)
                return outcome(.failed, started: started)
            }
        }

        var stopped = false
        for (index, exchange) in transcript.exchanges.enumerated() {
            if !stopped && settings.isPastDeadline {
                findings.append(
                    Finding(
                        rule: "run-limit", exchange: index + 1,
                        message: "the run's time limit was reached, so this and the later exchanges are not sent"))
                stopped = true
            }
            if !stopped && settings.bootstrap {
                bootstrap(before: index, preconditions: preconditions)
            }
            stopped = try replay(exchange, at: index, stopped: stopped)
        }

        if settings.derive && !stopped {
            findings += DerivedChecks(replay: self).run()
        }
        if target.external && settings.cleanup {
            cleanUp()
        }
        let context = RuleContext(
            transcript: transcript, exchanges: replayed, profile: profile, preconditions: preconditions)
        for rule in ContractRules.rules(for: profile) {
            findings += rule.check(context)
        }
        findings.sort { ($0.exchange ?? Int.max, $0.rule) < ($1.exchange ?? Int.max, $1.rule) }
        let failed = findings.contains { $0.severity == .error }
        return outcome(failed ? .failed : .passed, started: started)
    }

    /// Replays one exchange; returns whether the rest of the transcript must not be sent.
    private func replay(_ exchange: Exchange, at index: Int, stopped: Bool) throws(VerifyFailure) -> Bool {
        let number = index + 1
        let recordedPath = isolation?.apply(path: exchange.request.path) ?? exchange.request.path
        let path = correlation.substitute(path: recordedPath)
        let body = exchange.request.body.json.map { correlation.substitute(isolation?.apply($0) ?? $0) }
        let unsent = ReplayedExchange(
            number: number, recorded: exchange, request: nil, relativePath: path, requestBody: body, response: nil,
            responseBody: nil)

        if stopped {
            replayed.append(unsent)
            return true
        }
        if let (missing, producer) = unresolvedId(in: exchange.request.path) {
            findings.append(
                Finding(
                    rule: "replay", exchange: number,
                    message:
                        "not sent: its path uses the id \(missing) that exchange \(producer) should have returned, and the target did not return it"
                ))
            replayed.append(unsent)
            return false
        }

        let request = makeRequest(exchange, path: path, body: body)
        let response: HTTPResponse
        do {
            // A recorded 429 is what the exchange is about (a throttling scenario), so it is
            // compared as it comes instead of being waited out.
            response = try send(request, number: number, retrying: exchange.response.status != 429)
        } catch {
            if target.external && error.kind == .connectionFailed && replayed.allSatisfy({ $0.response == nil }) {
                throw VerifyFailure.targetUnreachable(
                    "\(file): the target \(target.baseURL) is unreachable: \(error.message)")
            }
            if error.kind == .timedOut && settings.isPastDeadline {
                findings.append(
                    Finding(
                        rule: "run-limit", exchange: number,
                        message:
                            "the run's time limit was reached before \(exchange.request.method) \(path) got a response, so this and the later exchanges are not completed"
                    ))
            } else {
                findings.append(
                    Finding(
                        rule: "transport", exchange: number,
                        message:
                            "\(exchange.request.method) \(path) failed: \(error.message); the rest of this transcript is not sent"
                    ))
            }
            replayed.append(
                ReplayedExchange(
                    number: number, recorded: exchange, request: request, relativePath: path, requestBody: body,
                    response: nil,
                    responseBody: nil))
            return true
        }
        let liveBody = response.body.isEmpty ? nil : try? JSONValue.parse(bytes: response.body)
        judge(exchange, number: number, path: path, response: response, liveBody: liveBody)
        if exchange.request.method == "POST", response.status.code == 201, let id = liveBody?["id"]?.stringValue,
            let collection = RequestTarget.split(path).path.split(separator: "/").first.map(String.init)
        {
            created.append((collection, id))
        }
        for id in Self.ids(in: exchange.response.body.json) where recordedIds[id] == nil {
            recordedIds[id] = number
            recordedIdIndex.insert(id)
        }
        replayed.append(
            ReplayedExchange(
                number: number, recorded: exchange, request: request, relativePath: path, requestBody: body,
                response: response,
                responseBody: liveBody))
        return false
    }

    /// Sends a request, waiting and retrying while the target answers 429 Too Many Requests
    /// unless `retrying` is false. With a run time limit, the request and the waits end at the
    /// deadline with a `timedOut` error.
    func send(_ request: HTTPRequest, number: Int?, retrying: Bool = true) throws(HTTPClientError) -> HTTPResponse {
        var attempt = 0
        while true {
            let remaining = settings.remainingTime
            if let remaining, remaining <= 0 {
                throw RunDeadline.error(request)
            }
            // libcurl counts whole milliseconds, so the margin makes a cut request end after the
            // deadline, where `settings.isPastDeadline` is true.
            let response = secretMask.apply(
                try client.send(request, url: target.baseURL + request.target, timeout: remaining.map { $0 + 0.002 }))
            guard retrying, response.status.code == 429, attempt < settings.retries.maximumRetries else {
                return response
            }
            attempt += 1
            let delay = settings.retries.delay(retryAfter: response.headers["Retry-After"])
            if let left = settings.remainingTime, delay >= left {
                Thread.sleep(forTimeInterval: max(0, left) + 0.002)
                throw RunDeadline.error(request)
            }
            findings.append(
                Finding(
                    rule: "retry", severity: .note, exchange: number,
                    message:
                        "the target answered 429; retry \(attempt) of \(settings.retries.maximumRetries) after \(String(format: "%.1f", delay)) s"
                ))
            Thread.sleep(forTimeInterval: delay)
        }
    }

    func makeRequest(_ exchange: Exchange, path: String, body: JSONValue?) -> HTTPRequest {
        var headers = HTTPHeaders()
        for field in exchange.request.headers where !Self.replacedRequestHeaders.contains(field.name.lowercased()) {
            headers.add(name: field.name, value: correlation.substitute(field.value))
        }
        var bytes: [UInt8] = []
        switch exchange.request.body {
        case .none: break
        case .json: bytes = body?.serializedBytes() ?? []
        case .text(let text): bytes = Array(correlation.substitute(text).utf8)
        // NOTE: Recorded ids inside a binary body are not replaced with live ones, because the
        // bytes are sent exactly as recorded.
        case .binary(let recorded): bytes = recorded
        }
        return HTTPRequest(
            method: HTTPMethod(exchange.request.method), target: path, headers: authorized(headers), body: bytes)
    }

    /// Adds the run's extra headers and the bearer token.
    func authorized(_ headers: HTTPHeaders) -> HTTPHeaders {
        var result = headers
        for field in settings.extraHeaders {
            result.replace(name: field.name, value: field.value)
        }
        if let token = target.token {
            result.replace(name: "Authorization", value: "Bearer \(token)")
        }
        return result
    }

    /// Returns the first recorded id in `path` that the target never returned a live value for,
    /// with the exchange whose response showed it.
    private func unresolvedId(in path: String) -> (id: String, producer: Int)? {
        for id in recordedIdIndex.matches(in: path) where correlation.live(for: id) == nil {
            if let producer = recordedIds[id] {
                return (id, producer)
            }
        }
        return nil
    }

    private func outcome(_ status: TranscriptOutcome.Status, started: DispatchTime) -> TranscriptOutcome {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        var learned = correlation.values
        for pair in isolation?.recordedIdentities ?? [] where learned[pair.recorded] == nil {
            learned[pair.recorded] = pair.isolated
        }
        return TranscriptOutcome(
            file: file, name: transcript.name, status: status, findings: findings,
            exchangeCount: replayed.filter { $0.request != nil }.count,
            duration: seconds, exchanges: replayed, baseURL: target.external ? target.baseURL : nil, learned: learned)
    }

    static func makeTag() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        return "st" + String((0..<6).map { _ in alphabet.randomElement()! })
    }
}
