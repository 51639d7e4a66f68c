import Foundation
import HTTP

/// The header fields a reverse proxy forwards. Hop-by-hop fields (RFC 9110 section 7.6.1)
/// describe one connection and are never forwarded. Everything else is end-to-end.
enum ForwardedHeaders {
    /// The hop-by-hop fields of RFC 9110 section 7.6.1, with `Proxy-Connection`, which some
    /// clients still send, and the proxy credentials of RFC 9110 section 11.7, which are meant for
    /// this proxy, not for the upstream.
    static let hopByHop: Set<String> = [
        "connection", "proxy-connection", "keep-alive", "te", "transfer-encoding", "upgrade", "trailer",
        "proxy-authorization", "proxy-authenticate",
    ]

    /// The hop-by-hop fields that describe a connection or a message's framing. A recorded response
    /// keeps none of them, because its body is recorded de-chunked and a replay opens its own
    /// connections.
    static let connectionAndFraming: Set<String> = [
        "connection", "proxy-connection", "keep-alive", "te", "transfer-encoding", "upgrade", "trailer",
    ]

    /// Fields that libcurl and libmicrohttpd compute for the new connection: `Host` from the
    /// upstream URL and `Content-Length` from the body. `Expect: 100-continue` is handled by this
    /// proxy's server, not by the upstream.
    static let recomputed: Set<String> = ["host", "content-length", "expect"]

    /// Returns the request fields to send upstream. `Accept-Encoding` is left out as well, so that
    /// the upstream responds uncompressed and the transcript can keep the body as JSON; every
    /// client accepts the identity encoding unless it excludes it (RFC 9110 section 12.5.3).
    static func request(_ headers: HTTPHeaders) -> HTTPHeaders {
        kept(headers, dropping: droppedFromRequests)
    }

    /// Returns the response fields to send to the client. `Content-Length` is kept for the HTTP
    /// server, which sets the length from the body except in reply to HEAD, where it sends this one.
    static func response(_ headers: HTTPHeaders) -> HTTPHeaders {
        kept(headers, dropping: droppedFromResponses)
    }

    /// Returns the response fields to record: all but `connectionAndFraming` and the fields that
    /// `Connection` lists.
    static func recordedResponse(_ headers: HTTPHeaders) -> HTTPHeaders {
        kept(headers, dropping: droppedFromRecords)
    }

    private static let droppedFromRequests = HeaderNameSet(hopByHop.union(recomputed).union(["accept-encoding"]))
    private static let droppedFromResponses = HeaderNameSet(hopByHop)
    private static let droppedFromRecords = HeaderNameSet(connectionAndFraming)

    /// Returns the fields whose names are neither in `dropped` nor listed in `Connection`.
    private static func kept(_ headers: HTTPHeaders, dropping dropped: HeaderNameSet) -> HTTPHeaders {
        let options = connectionOptions(headers)
        let dropped = options.isEmpty ? dropped : HeaderNameSet(dropped.names.union(options))
        return HTTPHeaders(headers.fields.filter { !dropped.contains($0.name) })
    }

    /// Field names listed in `Connection`, which are hop-by-hop too.
    private static func connectionOptions(_ headers: HTTPHeaders) -> Set<String> {
        Set(
            headers.values(named: "Connection").flatMap { $0.split(separator: ",") }.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            })
    }
}
