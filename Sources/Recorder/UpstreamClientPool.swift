import HTTP
import Logging
import Synchronization

/// libcurl clients for the upstream, reused across requests so that their connections stay open.
/// Each client serves one request at a time; a request takes an idle client or makes a new one.
final class UpstreamClientPool: Sendable {
    /// Idle clients kept for reuse; more are closed when they are returned.
    static let maximumIdle = 64

    private let idle = Mutex<[HTTPClient]>([])
    private let configuration: HTTPClientConfiguration
    private let logger: Logger

    init(configuration: HTTPClientConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends `request` to `url` on an idle or new client.
    func send(_ request: HTTPRequest, url: String) throws(HTTPClientError) -> HTTPResponse {
        let client = idle.withLock { $0.popLast() } ?? HTTPClient(configuration: configuration, logger: logger)
        defer {
            idle.withLock { clients in
                if clients.count < UpstreamClientPool.maximumIdle {
                    clients.append(client)
                }
            }
        }
        return try client.send(request, url: url)
    }
}
