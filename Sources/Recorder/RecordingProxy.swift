import Foundation
import HTTP
import Logging
import SCIM
import Synchronization
import Transcript

/// A recording reverse proxy: it forwards every request to the upstream SCIM base, returns the
/// upstream's response, and journals each exchange before the response goes back to the client.
///
/// The transcript keeps what the client sent and what the upstream answered, not what the proxy
/// changed on the way (`Host`, hop-by-hop fields, `Accept-Encoding`). A recorded response leaves
/// out the fields that describe the connection or the framing (`ForwardedHeaders.recordedResponse`). Secrets are replaced before
/// the journal is written: the policy's headers and JSON members, and anything else the secret
/// scan recognises. Exchanges are numbered when their request has been received, so the
/// transcript lists concurrent requests in the order they arrived.
public final class RecordingProxy: Sendable {
    public let configuration: RecordingProxyConfiguration
    /// Exchanges found in an existing journal that this run continues.
    public let resumedExchanges: Int
    private let journal: TranscriptJournal
    private let server: HTTPServer
    private let state: RecordingState

    /// Opens the journal (continuing it when it exists) and prepares the server.
    public init(configuration: RecordingProxyConfiguration) throws(RecorderError) {
        self.configuration = configuration
        let path = configuration.journalPath
        var firstSequence = 1
        var resumed = 0
        let journal: TranscriptJournal
        do {
            if FileManager.default.fileExists(atPath: path) && RecordingProxy.fileSize(path) > 0 {
                let contents = try JournalContents.read(path: path)
                journal = try TranscriptJournal(
                    continuing: path, validLength: contents.validLength,
                    survivesPowerLoss: configuration.survivesPowerLoss)
                firstSequence = contents.nextSequence
                resumed = contents.entries.count
                configuration.logger.notice(
                    "journal continued",
                    metadata: [
                        "journal.path": path, "journal.exchanges": String(resumed),
                        "journal.damaged_lines": String(contents.damagedLines.count),
                    ])
            } else {
                try? FileManager.default.removeItem(atPath: path)
                let metadata = Transcript(
                    name: configuration.name, description: configuration.description,
                    source: Transcript.Source(
                        kind: .proxied, tool: configuration.tool,
                        recordedAt: SCIMDateTime.format(Date().timeIntervalSince1970),
                        notes: "Recorded by scimtape record, a reverse proxy in front of the upstream."))
                journal = try TranscriptJournal(
                    creating: path, metadata: metadata, survivesPowerLoss: configuration.survivesPowerLoss)
            }
        } catch {
            throw RecorderError("the journal \(error.description)")
        }
        self.journal = journal
        self.resumedExchanges = resumed
        self.state = RecordingState(firstSequence: firstSequence)

        var http = HTTPServerConfiguration(
            host: configuration.host, port: configuration.port, threading: .eventLoops(configuration.eventLoops),
            maximumBodySize: configuration.maximumBodySize, connectionTimeout: configuration.connectionTimeout,
            connectionLimit: configuration.connectionLimit, connectionMemoryLimit: configuration.connectionMemoryLimit,
            tls: configuration.tls,
            payloadTooLargeResponse: { limit in
                ProxyChecks.errorResponse(
                    .payloadTooLarge, detail: "The request body is larger than \(limit) bytes, the proxy's limit.")
            })
        let policy = configuration.policy
        http.loggedTarget = { request in
            guard request.target.hasPrefix("/") else {
                return "(not a path)"
            }
            // The same redaction as the recorded path, because a client may send its token in the path.
            return policy.redactingTarget(request.target, sent: policy.sentCredentials(request.headers))
        }
        let handler = ExchangeHandler(configuration: configuration, journal: journal, state: state)
        self.server = HTTPServer(configuration: http, client: configuration.client, logger: configuration.logger) {
            request, pending in
            handler.handle(request, pending: pending)
        }
    }

    /// Binds the listening socket and starts serving.
    public func start() throws(RecorderError) {
        do {
            try server.start()
        } catch {
            throw RecorderError(error.message)
        }
        configuration.logger.info(
            "recording",
            metadata: ["proxy.url": url, "proxy.upstream": configuration.upstream.description])
    }

    /// The URL to give the client: the proxy's origin and the upstream's base path.
    public var url: String {
        server.origin + configuration.upstream.path
    }

    public var port: UInt16 {
        server.port
    }

    /// Counts of what happened so far.
    public var counts: RecordingCounters {
        state.counters
    }

    /// Stops serving and closes the journal, leaving it for `recover` or a later run to continue.
    public func stop() {
        server.stop()
        journal.close()
    }

    /// Stops serving, waits for requests in progress to be journaled, closes the journal and
    /// returns where its exchanges are. `JournalContents.forEachExchange` reads them.
    public func finishJournal() throws(RecorderError) -> JournalContents {
        stop()
        do {
            return try JournalContents.read(path: configuration.journalPath)
        } catch {
            throw RecorderError("the journal \(error.description)")
        }
    }

    /// Returns `finishJournal()` with the transcript read back from the journal, which is `nil`
    /// when nothing was recorded. The transcript keeps every exchange in memory.
    public func finish() throws(RecorderError) -> (transcript: Transcript?, contents: JournalContents) {
        let contents = try finishJournal()
        guard !contents.entries.isEmpty else {
            return (nil, contents)
        }
        do {
            return (try contents.transcript(), contents)
        } catch {
            throw RecorderError("the journal \(error.description)")
        }
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}

/// Counters of a recording run.
public struct RecordingCounters: Sendable, Equatable {
    /// Exchanges written to the journal.
    public var recorded = 0
    /// Requests that got no valid upstream response. The client got a 504 when the upstream timed
    /// out, a 502 otherwise, and nothing was recorded.
    public var upstreamFailures = 0
    /// Requests outside the SCIM base, or whose method or path a transcript cannot store, forwarded
    /// but not recorded.
    public var notRecorded = 0
    /// Requests rejected and not forwarded: with 400 because their target is not a path or a
    /// header field is invalid, or with 431 because their header block leaves too little
    /// connection memory for a response.
    public var rejected = 0
    /// Exchanges whose response was returned but which are not in the journal, because writing it failed.
    public var journalFailures = 0
    /// Values the secret scan found and replaced, beyond the policy's headers and members.
    public var secretsReplaced = 0
}
