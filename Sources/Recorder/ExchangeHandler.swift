import Foundation
import HTTP
import Logging
import SCIM
import Synchronization
import Transcript

/// Forwards one request and journals the exchange. Runs on a libmicrohttpd connection thread.
struct ExchangeHandler: Sendable {
    let configuration: RecordingProxyConfiguration
    let journal: TranscriptJournal
    let clients: UpstreamClientPool
    let state: RecordingState

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let sequence = state.nextSequence.wrappingAdd(1, ordering: .relaxed).oldValue
        let logger = configuration.logger
        if let rejection = ProxyChecks.rejection(of: request) {
            state.counters.withLock { $0.rejected += 1 }
            logger.warning(
                "request rejected and not forwarded",
                metadata: [
                    "exchange.sequence": String(sequence), "http.method": request.method.rawValue, "error": rejection,
                ])
            return ProxyChecks.errorResponse(
                .badRequest, detail: "The recording proxy rejected the request: \(rejection).")
        }
        let forwarded = HTTPRequest(
            method: request.method, target: request.target, headers: ForwardedHeaders.request(request.headers),
            body: request.body)

        let response: HTTPResponse
        do {
            response = try clients.send(forwarded, url: configuration.upstream.origin + request.target)
        } catch {
            state.counters.withLock { $0.upstreamFailures += 1 }
            logger.warning(
                "upstream request failed",
                metadata: [
                    "exchange.sequence": String(sequence), "http.method": request.method.rawValue,
                    "error": error.message,
                ])
            return upstreamFailure(error)
        }
        if let problem = ProxyChecks.problem(in: response) {
            state.counters.withLock { $0.upstreamFailures += 1 }
            logger.warning(
                "upstream response invalid and not returned",
                metadata: [
                    "exchange.sequence": String(sequence), "http.method": request.method.rawValue, "error": problem,
                ])
            return ProxyChecks.errorResponse(
                .badGateway, detail: "The recording proxy got an invalid response from the upstream: \(problem).")
        }

        if Exchange.problem(inMethod: request.method.rawValue) == nil, let relative = relativeTarget(request.target) {
            record(request, relative: relative, response: response, sequence: sequence)
        } else {
            state.counters.withLock { $0.notRecorded += 1 }
            logger.warning(
                "request outside the SCIM base, or with a method or path that a transcript cannot store, forwarded but not recorded",
                metadata: [
                    "exchange.sequence": String(sequence), "http.method": request.method.rawValue,
                    "proxy.base": configuration.upstream.path,
                ])
        }
        return HTTPResponse(
            status: response.status, headers: ForwardedHeaders.response(response.headers), body: response.body)
    }

    private func record(_ request: HTTPRequest, relative: String, response: HTTPResponse, sequence: Int) {
        let logger = configuration.logger
        let captured = Exchange(
            request: Exchange.Request(
                method: request.method.rawValue, path: relative, headers: request.headers,
                body: capturedBody(request.body)),
            response: Exchange.Response(
                status: response.status.code, headers: response.headers, body: capturedBody(response.body)))
        let (exchange, findings) = SecretScan.redactFindings(
            in: configuration.policy.apply(to: captured), number: sequence)
        for finding in findings {
            logger.warning(
                "secret-like value replaced before journaling",
                metadata: [
                    "exchange.sequence": String(sequence), "finding.location": finding.location,
                    "finding.kind": finding.kind.rawValue,
                ])
        }
        do {
            try journal.append(exchange, sequence: sequence)
            state.counters.withLock {
                $0.recorded += 1
                $0.secretsReplaced += findings.count
            }
        } catch {
            state.counters.withLock { $0.journalFailures += 1 }
            logger.error(
                "response returned but exchange not journaled",
                metadata: ["exchange.sequence": String(sequence), "error": error.description])
        }
    }

    /// Returns a body for the journal. A body is parsed only when it may contain a JSON member that
    /// the policy redacts, because parsing every body would cost throughput. Other bodies are kept
    /// as text, and `JournalContents` turns them into JSON when it reads the journal back.
    private func capturedBody(_ bytes: [UInt8]) -> RecordedBody {
        if bytes.isEmpty {
            return .none
        }
        if configuration.policy.mayContainListedField(bytes) {
            return RecordedBody(bytes: bytes)
        }
        return .text(String(decoding: bytes, as: UTF8.self))
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
    private func upstreamFailure(_ error: HTTPClientError) -> HTTPResponse {
        if error.kind == .timedOut {
            return ProxyChecks.errorResponse(
                .gatewayTimeout,
                detail: "The recording proxy got no response from the upstream in time: \(error.message)")
        }
        return ProxyChecks.errorResponse(
            .badGateway, detail: "The recording proxy could not get a response from the upstream: \(error.message)")
    }
}

/// The state that connection threads share: the next sequence number and the counters.
final class RecordingState: Sendable {
    let nextSequence: Atomic<Int>
    let counters = Mutex(RecordingCounters())

    init(firstSequence: Int) {
        nextSequence = Atomic(firstSequence)
    }
}
