/// Why a request got no usable response.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The URL is malformed or uses a scheme other than http or https.
        case invalidURL
        /// No connection could be made: refused, unresolvable host, unreachable network.
        case connectionFailed
        /// The request or response did not complete within the timeout.
        case timedOut
        /// The TLS handshake or certificate verification failed.
        case tlsFailed
        /// The connection closed or reset before a complete response arrived.
        case connectionLost
        /// The peer sent something that is not HTTP.
        case invalidResponse
        /// The response body exceeded the client's limit.
        case responseTooLarge
        /// Any other libcurl failure.
        case other
    }

    public let kind: Kind
    /// libcurl's description of the failure, with its error code.
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String {
        message
    }
}
