import Foundation
import HTTP
import Logging
import Transcript

/// Settings for `RecordingProxy`.
public struct RecordingProxyConfiguration: Sendable {
    /// The SCIM base the proxy forwards to. The proxy serves the same base path, so the URL to
    /// give the client is the proxy's origin followed by this path.
    public var upstream: BaseURL
    /// An IPv4 or IPv6 literal to listen on.
    public var host: String
    /// 0 picks a free port.
    public var port: UInt16
    /// Certificate and key for HTTPS on the listening side; `nil` serves plain HTTP.
    public var tls: HTTPServerConfiguration.TLS?
    /// The append-only journal. An existing journal is continued, so a run after a crash keeps the
    /// exchanges recorded before it.
    public var journalPath: String
    /// Whether each exchange is flushed to the disk (`fsync`) before its response is returned.
    public var survivesPowerLoss: Bool
    public var policy: SecretPolicy
    /// Settings for the connections to the upstream.
    public var client: HTTPClientConfiguration
    /// Largest request body accepted from the client, in bytes.
    public var maximumBodySize: Int
    /// Maximum simultaneous client connections, over all event loops.
    public var connectionLimit: Int
    /// Bytes each client connection has for the request's header block and the response's
    /// together, with libmicrohttpd's bookkeeping for each request field and any pipelined
    /// request it has read ahead.
    public var connectionMemoryLimit: Int
    /// Threads that serve client connections and run their upstream transfers, each an event loop;
    /// one per processor by default.
    public var eventLoops: Int
    /// Seconds an idle client connection is kept open.
    public var connectionTimeout: Int
    /// The transcript's name and description, used when a new journal is created.
    public var name: String
    public var description: String
    /// The program and version written into the transcript's source.
    public var tool: String?
    public var logger: Logger

    public init(
        upstream: BaseURL, journalPath: String, host: String = "127.0.0.1", port: UInt16 = 0,
        tls: HTTPServerConfiguration.TLS? = nil, survivesPowerLoss: Bool = false, policy: SecretPolicy = SecretPolicy(),
        client: HTTPClientConfiguration = HTTPClientConfiguration(), maximumBodySize: Int = 16 * 1024 * 1024,
        connectionLimit: Int = 256, connectionTimeout: Int = 120, name: String = "recording",
        description: String? = nil, tool: String? = nil, logger: Logger = .disabled
    ) {
        self.upstream = upstream
        self.journalPath = journalPath
        self.host = host
        self.port = port
        self.tls = tls
        self.survivesPowerLoss = survivesPowerLoss
        self.policy = policy
        self.client = client
        self.maximumBodySize = maximumBodySize
        self.connectionLimit = connectionLimit
        self.connectionMemoryLimit = 64 * 1024
        self.eventLoops = max(1, ProcessInfo.processInfo.activeProcessorCount)
        self.connectionTimeout = connectionTimeout
        self.name = name
        self.description = description ?? "SCIM exchanges between a client and \(upstream)."
        self.tool = tool
        self.logger = logger
    }
}
