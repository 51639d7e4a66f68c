import Foundation
import HTTP
import Logging

/// libcurl clients for the upstream, one per connection thread, so that each client connection
/// has its own keep-alive connection upstream and no request waits for a lock. libmicrohttpd runs
/// one thread per client connection (`HTTPServerConfiguration.Threading.perConnection`); a
/// thread's client is released when the thread ends.
final class UpstreamClientPool: @unchecked Sendable {
    // @unchecked: `key` is written once in `init`; each thread reads and writes only its own slot.
    private var key = pthread_key_t()
    private let configuration: HTTPClientConfiguration
    private let logger: Logger

    init(configuration: HTTPClientConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let created = pthread_key_create(&key) { pointer in
            if let pointer {
                Unmanaged<HTTPClient>.fromOpaque(pointer).release()
            }
        }
        precondition(created == 0, "pthread_key_create failed, which means the process has no thread keys left")
    }

    deinit {
        pthread_key_delete(key)
    }

    /// Sends `request` to `url` on the calling thread's client.
    func send(_ request: HTTPRequest, url: String) throws(HTTPClientError) -> HTTPResponse {
        try threadClient().send(request, url: url)
    }

    private func threadClient() -> HTTPClient {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<HTTPClient>.fromOpaque(pointer).takeUnretainedValue()
        }
        let client = HTTPClient(configuration: configuration, logger: logger)
        pthread_setspecific(key, Unmanaged.passRetained(client).toOpaque())
        return client
    }
}
