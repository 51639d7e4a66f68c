import Foundation
import HTTP
import Logging
import SCIM
import Synchronization
import Transcript

/// Forwards one request and journals the exchange. Runs on the event loop that received the
/// request, and the upstream's response comes back to the same loop.
struct ExchangeHandler: Sendable {
    let configuration: RecordingProxyConfiguration
    let journal: TranscriptJournal
    let state: RecordingState
    let credentials = SentCredentialCache()

    /// Returns the response at once when the request is rejected; otherwise sends it upstream and
    /// returns `nil`, and responds through `pending` once the exchange is journaled.
    func handle(_ request: HTTPRequest, pending: PendingExchange) -> HTTPResponse? {
        let sequence = state.nextSequence.wrappingAdd(1, ordering: .relaxed).oldValue
        let logger = configuration.logger
        let policy = configuration.policy
        // The spellings of the credentials in the request's listed headers, for every message and
        // for the capture.
        let sent = credentials.spellings(in: request.headers, policy: policy)
        if let found = ProxyChecks.rejection(of: request, policy: policy, sent: sent) {
            // The message may quote a rejected header name or target, which may contain a credential.
            let rejection = policy.redactingMessage(found, sent: sent)
            state.count(.rejected)
            logger.warning(
                "request rejected and not forwarded",
                metadata: [
                    "exchange.sequence": String(sequence), "http.method": request.method.rawValue, "error": rejection,
                ])
            return ProxyChecks.errorResponse(
                .badRequest, detail: "The recording proxy rejected the request: \(rejection).")
        }
        if let tooLarge = ProxyChecks.headerRoomProblem(
            in: request, connectionMemoryLimit: configuration.connectionMemoryLimit)
        {
            state.count(.rejected)
            logger.warning(
                "request header block too large to forward, rejected with 431",
                metadata: [
                    "exchange.sequence": String(sequence), "http.method": request.method.rawValue, "error": tooLarge,
                ])
            let rejection = ProxyChecks.errorResponse(
                .requestHeaderFieldsTooLarge,
                detail:
                    "The recording proxy did not forward the request: \(tooLarge). Send fewer or shorter header fields."
            )
            // Without room for the SCIM error's Content-Type field, a 431 without fields may still fit.
            let fits =
                HTTPServerConfiguration.headerBlockProblem(
                    request: request, response: rejection, connectionMemoryLimit: configuration.connectionMemoryLimit)
                == nil
            return fits ? rejection : HTTPResponse(status: .requestHeaderFieldsTooLarge)
        }
        let forwarded = HTTPRequest(
            method: request.method, target: request.target, headers: ForwardedHeaders.request(request.headers),
            body: request.body)
        let url = configuration.upstream.origin + request.target
        pending.send(forwarded, url: url) { result in
            switch result {
            case .success(let response):
                received(response, for: request, sequence: sequence, sent: sent, pending: pending)
            case .failure(let error):
                state.count(.upstreamFailures)
                // libcurl's message names the URL, whose query may contain an access_token. The URL
                // is redacted in place, so that the rest of the message is kept.
                let named =
                    error.message.contains(url)
                    ? error.message.replacingOccurrences(of: url, with: SecretScan.redactCredentials(inPath: url))
                    : SecretScan.redactCredentials(inPath: error.message)
                let message = policy.redactingMessage(named, sent: sent)
                logger.warning(
                    "upstream request failed",
                    metadata: [
                        "exchange.sequence": String(sequence), "http.method": request.method.rawValue,
                        "error": message,
                    ])
                pending.respond(upstreamFailure(error.kind, message: message))
            }
        }
        return nil
    }

    /// Checks the upstream's response, journals the exchange, and responds to the client.
    private func received(
        _ response: HTTPResponse, for request: HTTPRequest, sequence: Int, sent: [String], pending: PendingExchange
    ) {
        let logger = configuration.logger
        let policy = configuration.policy
        if let found = ProxyChecks.problem(in: response, policy: policy, sent: sent) {
            let problem = policy.redactingMessage(found, sent: sent)
            unusable(
                request, sequence: sequence, pending: pending, log: "upstream response invalid and not returned",
                problem: problem, detail: "The recording proxy got an invalid response from the upstream: \(problem).")
            return
        }
        let returned = HTTPResponse(
            status: response.status, headers: ForwardedHeaders.response(response.headers), body: response.body)
        if let tooLarge = HTTPServerConfiguration.headerBlockProblem(
            request: request, response: returned, connectionMemoryLimit: configuration.connectionMemoryLimit)
        {
            unusable(
                request, sequence: sequence, pending: pending,
                log: "upstream response too large to return and not recorded", problem: tooLarge,
                detail: "The recording proxy cannot return the upstream's response: \(tooLarge).")
            return
        }
        guard Exchange.problem(inMethod: request.method.rawValue) == nil, let relative = relativeTarget(request.target)
        else {
            state.count(.notRecorded)
            // The path may carry a credential in its query, and control characters from the client.
            let target = DisplayText.line(
                policy.redactingMessage(SecretScan.redactCredentials(inPath: request.target), sent: sent))
            logger.warning(
                "request outside the SCIM base, or with a method or path that a transcript cannot store, forwarded but not recorded",
                metadata: [
                    "exchange.sequence": String(sequence), "http.method": request.method.rawValue,
                    "http.target": target, "proxy.base": configuration.upstream.path,
                ])
            pending.respond(returned)
            return
        }
        guard
            let (end, findings) = record(
                request, relative: relative, response: response, sequence: sequence, sent: sent)
        else {
            pending.respond(returned)
            return
        }
        guard journal.survivesPowerLoss else {
            journaled(sequence: sequence, findings: findings)
            pending.respond(returned)
            return
        }
        // One fsync covers every exchange the loop journaled in this iteration: the first of
        // these calls flushes them all, and the others find their line already on the disk.
        pending.atEndOfIteration {
            do throws(JournalError) {
                try journal.sync(covering: end)
                journaled(sequence: sequence, findings: findings)
            } catch {
                failedToJournal(sequence: sequence, error)
            }
            pending.respond(returned)
        }
    }

    /// Counts and logs an upstream response the proxy does not return, and responds with a 502.
    private func unusable(
        _ request: HTTPRequest, sequence: Int, pending: PendingExchange, log: String, problem: String,
        detail: String
    ) {
        state.count(.upstreamFailures)
        configuration.logger.warning(
            log,
            metadata: [
                "exchange.sequence": String(sequence), "http.method": request.method.rawValue, "error": problem,
            ])
        pending.respond(ProxyChecks.errorResponse(.badGateway, detail: detail))
    }

    /// Writes the redacted exchange to the journal and returns the offset past its line and the
    /// number of values the secret scan replaced, or `nil` when writing failed.
    private func record(
        _ request: HTTPRequest, relative: String, response: HTTPResponse, sequence: Int, sent: [String]
    ) -> (end: Int, findings: Int)? {
        let logger = configuration.logger
        let captured = Exchange(
            request: Exchange.Request(
                method: request.method.rawValue, path: relative, headers: request.headers,
                body: capturedBody(request.body)),
            response: Exchange.Response(
                status: response.status.code, headers: ForwardedHeaders.recordedResponse(response.headers),
                body: capturedBody(response.body)))
        let (exchange, findings) = configuration.policy.redactForRecording(
            captured, sentCredentials: sent, number: sequence)
        for finding in findings {
            logger.warning(
                "secret-like value replaced before journaling",
                metadata: [
                    "exchange.sequence": String(sequence), "finding.location": finding.location,
                    "finding.kind": finding.kind.rawValue,
                ])
        }
        do {
            return (try journal.write(exchange, sequence: sequence), findings.count)
        } catch {
            failedToJournal(sequence: sequence, error)
            return nil
        }
    }

    private func journaled(sequence: Int, findings: Int) {
        state.count(.recorded)
        state.count(.secretsReplaced, findings)
    }

    private func failedToJournal(sequence: Int, _ error: JournalError) {
        state.count(.journalFailures)
        configuration.logger.error(
            "response returned but exchange not journaled",
            metadata: ["exchange.sequence": String(sequence), "error": error.description])
    }

    /// Returns a body for the journal. A body is parsed only when it may contain a JSON member that
    /// the policy redacts, because parsing every body would cost throughput. Other bodies are kept
    /// as text, or as their bytes when they are not valid UTF-8, and `JournalContents` turns text
    /// that is JSON into JSON when it reads the journal back.
    private func capturedBody(_ bytes: [UInt8]) -> RecordedBody {
        if configuration.policy.mayContainListedField(bytes) {
            return RecordedBody(bytes: bytes)
        }
        return RecordedBody(unparsedBytes: bytes)
    }

    /// Returns the target relative to the SCIM base, or `nil` when it is outside the base or is a
    /// path a transcript cannot hold (such as one with `..` segments).
    private func relativeTarget(_ target: String) -> String? {
        let base = configuration.upstream.path
        var relative: String
        if base.isEmpty {
            relative = target
        } else if target == base || target.hasPrefix(base + "/") || target.hasPrefix(base + "?") {
            relative = String(target.dropFirst(base.count))
        } else {
            return nil
        }
        if relative.isEmpty || relative.hasPrefix("?") {
            relative = "/" + relative
        }
        return Exchange.problem(inPath: relative) == nil ? relative : nil
    }

    /// Returns a 504 when the upstream did not respond within the client timeout (RFC 9110
    /// section 15.6.5), and a 502 for every other failure.
    private func upstreamFailure(_ kind: HTTPClientError.Kind, message: String) -> HTTPResponse {
        if kind == .timedOut {
            return ProxyChecks.errorResponse(
                .gatewayTimeout, detail: "The recording proxy got no response from the upstream in time: \(message)")
        }
        return ProxyChecks.errorResponse(
            .badGateway, detail: "The recording proxy could not get a response from the upstream: \(message)")
    }
}

/// The state that the event loops share: the next sequence number and the counters. The
/// counters are atomics rather than one locked struct, because threads taking one lock per
/// request spent more time waiting for it than counting.
final class RecordingState: Sendable {
    enum Counter {
        case recorded, upstreamFailures, notRecorded, rejected, journalFailures, secretsReplaced
    }

    let nextSequence: Atomic<Int>
    private let recorded = Atomic(0)
    private let upstreamFailures = Atomic(0)
    private let notRecorded = Atomic(0)
    private let rejected = Atomic(0)
    private let journalFailures = Atomic(0)
    private let secretsReplaced = Atomic(0)

    init(firstSequence: Int) {
        nextSequence = Atomic(firstSequence)
    }

    /// Adds `amount` to one counter.
    func count(_ counter: Counter, _ amount: Int = 1) {
        guard amount != 0 else {
            return
        }
        switch counter {
        case .recorded: recorded.add(amount, ordering: .relaxed)
        case .upstreamFailures: upstreamFailures.add(amount, ordering: .relaxed)
        case .notRecorded: notRecorded.add(amount, ordering: .relaxed)
        case .rejected: rejected.add(amount, ordering: .relaxed)
        case .journalFailures: journalFailures.add(amount, ordering: .relaxed)
        case .secretsReplaced: secretsReplaced.add(amount, ordering: .relaxed)
        }
    }

    var counters: RecordingCounters {
        var counters = RecordingCounters()
        counters.recorded = recorded.load(ordering: .relaxed)
        counters.upstreamFailures = upstreamFailures.load(ordering: .relaxed)
        counters.notRecorded = notRecorded.load(ordering: .relaxed)
        counters.rejected = rejected.load(ordering: .relaxed)
        counters.journalFailures = journalFailures.load(ordering: .relaxed)
        counters.secretsReplaced = secretsReplaced.load(ordering: .relaxed)
        return counters
    }
}

/// The spellings of the credentials in a request's listed headers, remembered per thread for the
/// last listed headers seen. A client sends the same token on every request, and working out the
/// spellings again for each cost the proxy about 4% of its instructions per request.
final class SentCredentialCache: @unchecked Sendable {
    // @unchecked: `key` is written once in `init`; each thread reads and writes only its own entry.
    private var key = pthread_key_t()

    private final class Entry {
        var fields: [HTTPHeaders.Field] = []
        var spellings: [String] = []
    }

    init() {
        let created = pthread_key_create(&key) { pointer in
            if let pointer {
                Unmanaged<Entry>.fromOpaque(pointer).release()
            }
        }
        precondition(created == 0, "pthread_key_create failed, which means the process has no thread keys left")
    }

    deinit {
        pthread_key_delete(key)
    }

    /// Returns `policy.sentCredentials(headers)`, computed again only when the listed fields
    /// differ from the last request's on this thread.
    func spellings(in headers: HTTPHeaders, policy: SecretPolicy) -> [String] {
        let fields = headers.fields.filter { policy.headerNames.contains($0.name) }
        let entry: Entry
        if let pointer = pthread_getspecific(key) {
            entry = Unmanaged<Entry>.fromOpaque(pointer).takeUnretainedValue()
            if entry.fields == fields {
                return entry.spellings
            }
        } else {
            entry = Entry()
            pthread_setspecific(key, Unmanaged.passRetained(entry).toOpaque())
        }
        entry.fields = fields
        entry.spellings = policy.sentCredentials(headers)
        return entry.spellings
    }
}
