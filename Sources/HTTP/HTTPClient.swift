import CCurl
import Foundation
import Logging

/// Settings for `HTTPClient`.
public struct HTTPClientConfiguration: Sendable {
    /// Time allowed for a whole exchange, in seconds.
    public var timeout: Double
    /// Time allowed to establish the connection, including TLS, in seconds.
    public var connectTimeout: Double
    /// Largest response body accepted, in bytes.
    public var maximumResponseSize: Int
    /// A PEM file of certificate authorities to trust instead of the system store.
    public var caCertificatePath: String?
    /// Skips certificate verification, for development endpoints with self-signed certificates.
    public var insecure: Bool
    /// A Unix-domain socket to connect to instead of the URL's host and port; the URL still names
    /// the scheme, the `Host` header and the path.
    public var unixSocketPath: String?

    public init(
        timeout: Double = 30, connectTimeout: Double = 10, maximumResponseSize: Int = 16 * 1024 * 1024,
        caCertificatePath: String? = nil, insecure: Bool = false
    ) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maximumResponseSize = maximumResponseSize
        self.caCertificatePath = caCertificatePath
        self.insecure = insecure
    }
}

/// An HTTP/1.1 client over one libcurl easy handle, so that consecutive requests to the same
/// host reuse the connection.
///
/// Redirects are never followed: a SCIM client that follows a redirect to another host would
/// send its bearer token there. Calls are serialised by a lock; use one client per thread for
/// parallel requests.
public final class HTTPClient: @unchecked Sendable {
    // @unchecked: the transfer is only touched while `lock` is held.
    private let lock = NSLock()
    private let transfer: CurlTransfer

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration(), logger: Logger = .disabled) {
        transfer = CurlTransfer(configuration: configuration, logger: logger)
    }

    /// Shortens a URL for error messages to at most 300 characters, so that a URL of megabytes
    /// does not become a message of megabytes.
    static func shortened(_ url: String) -> String {
        url.count <= 300 ? url : String(url.prefix(300)) + "... (\(url.utf8.count) bytes)"
    }

    /// Sends `request` to `url` (an absolute http or https URL) and returns the response.
    /// `timeout`, in seconds, shortens the configured timeout of this request alone; a longer
    /// value has no effect.
    public func send(_ request: HTTPRequest, url: String, timeout: Double? = nil) throws(HTTPClientError)
        -> HTTPResponse
    {
        lock.lock()
        defer { lock.unlock() }
        try transfer.prepare(request, url: url)
        guard let timeout, timeout < transfer.configuration.timeout else {
            return try transfer.finish(curl_easy_perform(transfer.handle))
        }
        transfer.setTimeouts(total: timeout, connect: min(timeout, transfer.configuration.connectTimeout))
        defer {
            transfer.setTimeouts(total: transfer.configuration.timeout, connect: transfer.configuration.connectTimeout)
        }
        return try transfer.finish(curl_easy_perform(transfer.handle))
    }

    /// Converts seconds to libcurl's milliseconds, at least 1 (0 would mean no timeout) and at
    /// most one day.
    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else {
            return 1
        }
        return Int(min(seconds, 86_400) * 1000).clamped(to: 1...86_400_000)
    }
}

/// One libcurl easy handle and the request it carries. `prepare` sets a request's options,
/// libcurl runs the transfer (`curl_easy_perform`, or a multi handle on an event loop), and
/// `finish` turns libcurl's result into a response or an error and drops the request's state.
/// The handle keeps its connection and its fixed options from one request to the next.
final class CurlTransfer {
    let handle: UnsafeMutableRawPointer
    let configuration: HTTPClientConfiguration
    private let logger: Logger
    /// libcurl's error buffer, set on the handle once.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var sink: ResponseSink?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// A copy of the request body, which libcurl reads while the transfer runs.
    private var body: UnsafeMutableRawBufferPointer?
    private var method = HTTPMethod.get
    private var url = ""

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    init(configuration: HTTPClientConfiguration, logger: Logger) {
        _ = CurlTransfer.globalInit
        guard let handle = curl_easy_init() else {
            fatalError("curl_easy_init failed, which means libcurl could not allocate memory")
        }
        self.handle = handle
        self.configuration = configuration
        self.logger = logger
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        setFixedOptions()
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
        releaseRequest()
    }

    /// Sets the total and connect timeouts of the requests that follow, in seconds.
    func setTimeouts(total: Double, connect: Double) {
        scimtape_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, HTTPClient.milliseconds(total))
        scimtape_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, HTTPClient.milliseconds(connect))
    }

    /// Sets the options that are the same for every request. They are set once, not again after
    /// a `curl_easy_reset` per request, because the recording proxy pays for each call on every
    /// request it forwards.
    private func setFixedOptions() {
        scimtape_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        scimtape_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        scimtape_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        // Keep "." and ".." segments as they are: a path never leaves the base it was joined to.
        scimtape_curl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1)
        setTimeouts(total: configuration.timeout, connect: configuration.connectTimeout)
        scimtape_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        scimtape_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        if let caPath = configuration.caCertificatePath {
            scimtape_curl_setopt_string(handle, CURLOPT_CAINFO, caPath)
        }
        if let socketPath = configuration.unixSocketPath {
            scimtape_curl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, socketPath)
        }
        if configuration.insecure {
            scimtape_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            scimtape_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        scimtape_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlBodyCallback)
        scimtape_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
    }

    /// Sets the options of one request: its URL, method, headers and body.
    func prepare(_ request: HTTPRequest, url: String) throws(HTTPClientError) {
        let lowered = url.prefix(8).lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw HTTPClientError(kind: .invalidURL, message: "'\(url)' is not an http or https URL")
        }
        releaseRequest()
        method = request.method
        self.url = url
        let sink = ResponseSink(limit: configuration.maximumResponseSize)
        self.sink = sink
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        errorBuffer[0] = 0

        for field in request.headers {
            headerList = curl_slist_append(headerList, "\(field.name): \(field.value)")
        }
        // Remove headers libcurl would add on its own, so the request is exactly what was asked for.
        if !request.headers.contains("Expect") {
            headerList = curl_slist_append(headerList, "Expect:")
        }
        if !request.headers.contains("Accept") {
            headerList = curl_slist_append(headerList, "Accept:")
        }
        if !request.headers.contains("Content-Type") {
            headerList = curl_slist_append(headerList, "Content-Type:")
        }

        scimtape_curl_setopt_string(handle, CURLOPT_URL, url)
        // Back to a plain GET (no body, no HEAD, no custom method) before this request's method
        // is set, since the handle keeps the previous request's options.
        scimtape_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        scimtape_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, nil)
        switch request.method {
        case .get:
            break
        case .head:
            scimtape_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        default:
            scimtape_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        if !request.body.isEmpty || [.post, .put, .patch].contains(request.method) {
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, request.body.count), alignment: 1)
            request.body.withUnsafeBytes { copy.copyMemory(from: $0) }
            body = copy
            scimtape_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            scimtape_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, copy.baseAddress)
            if request.method != .post {
                scimtape_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            }
        }
        scimtape_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        scimtape_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
        scimtape_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer)
    }

    /// Returns the response of the transfer that ended with `code`, or its error, and drops the
    /// request's header list and body.
    func finish(_ code: CURLcode) throws(HTTPClientError) -> HTTPResponse {
        defer { releaseRequest() }
        guard let sink else {
            throw HTTPClientError(kind: .other, message: "no request was prepared")
        }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let summary = String(cString: curl_easy_strerror(code))
            let url = HTTPClient.shortened(url)
            let message = "\(method) \(url): \(detail.isEmpty ? summary : detail) (libcurl error \(code.rawValue))"
            logger.debug("request failed", metadata: ["http.method": method.rawValue, "curl.code": "\(code.rawValue)"])
            if sink.exceededLimit {
                throw HTTPClientError(
                    kind: .responseTooLarge,
                    message:
                        "\(method) \(url): the response body is larger than \(configuration.maximumResponseSize) bytes"
                )
            }
            throw HTTPClientError(kind: CurlTransfer.kind(of: code), message: message)
        }
        guard sink.headerBlockEnded else {
            throw HTTPClientError(
                kind: .invalidResponse,
                message:
                    "\(method) \(HTTPClient.shortened(url)): the connection closed before the end of the header block")
        }
        var statusCode = 0
        scimtape_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &statusCode)
        return HTTPResponse(
            status: HTTPStatus(code: statusCode, reasonPhrase: sink.reasonPhrase), headers: sink.headers,
            body: sink.body)
    }

    /// Points the handle away from the request's header list and body, then frees them.
    private func releaseRequest() {
        if headerList != nil {
            scimtape_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
            curl_slist_free_all(headerList)
            headerList = nil
        }
        if let body {
            scimtape_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil)
            body.deallocate()
            self.body = nil
        }
        sink = nil
    }

    private static func kind(of code: CURLcode) -> HTTPClientError.Kind {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .invalidURL
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connectionFailed
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_USE_SSL_FAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED:
            return .tlsFailed
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return .connectionLost
        case CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_BAD_CONTENT_ENCODING:
            return .invalidResponse
        default:
            return .other
        }
    }
}

/// Collects one response from libcurl's callbacks.
private final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers = HTTPHeaders()
    var reasonPhrase: String?
    var exceededLimit = false
    /// Whether the blank line that ends the last header block arrived. libcurl reports success for
    /// a response cut off inside its header block, so `finish` checks this.
    var headerBlockEnded = false

    init(limit: Int) {
        self.limit = limit
    }

    /// Reads one header line as libcurl delivers it, with its line break. The bytes are split
    /// directly, without Foundation's string trimming, because this runs for every header of
    /// every response and the recording proxy's throughput depends on it.
    func receiveHeaderLine(_ line: UnsafeBufferPointer<UInt8>) {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\r") || line[end - 1] == UInt8(ascii: "\n") {
            end -= 1
        }
        let bytes = UnsafeBufferPointer(rebasing: line[0..<end])
        if bytes.isEmpty {
            headerBlockEnded = end < line.count
            return
        }
        if bytes.starts(with: "HTTP/".utf8) {
            // A new status line starts a new header block (after 100 Continue, for example).
            headers = HTTPHeaders()
            headerBlockEnded = false
            // The reason phrase follows the second space: `HTTP/1.1 200 OK`.
            reasonPhrase = nil
            if let first = bytes.firstIndex(of: UInt8(ascii: " ")),
                let second = bytes[(first + 1)...].firstIndex(of: UInt8(ascii: " "))
            {
                reasonPhrase = String(decoding: UnsafeBufferPointer(rebasing: bytes[(second + 1)...]), as: UTF8.self)
            }
            return
        }
        // A folded line (obs-fold) continues the previous field's value; RFC 9112 section 5.2
        // lets a recipient replace the fold with a space.
        if let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"),
            !headers.fields.isEmpty
        {
            let continuation = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if !continuation.isEmpty {
                headers.continueLastValue(with: continuation)
            }
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            return
        }
        var valueStart = colon + 1
        var valueEnd = bytes.count
        while valueStart < valueEnd, bytes[valueStart] == UInt8(ascii: " ") || bytes[valueStart] == UInt8(ascii: "\t") {
            valueStart += 1
        }
        while valueEnd > valueStart,
            bytes[valueEnd - 1] == UInt8(ascii: " ") || bytes[valueEnd - 1] == UInt8(ascii: "\t")
        {
            valueEnd -= 1
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<colon]), as: UTF8.self)
        let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
        headers.add(name: name, value: value)
    }
}

private let curlBodyCallback: scimtape_curl_data_callback = { data, size, count, context in
    guard let data, let context else {
        return 0
    }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if sink.body.count + length > sink.limit {
        sink.exceededLimit = true
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        sink.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

private let curlHeaderCallback: scimtape_curl_data_callback = { data, size, count, context in
    guard let data, let context else {
        return 0
    }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        sink.receiveHeaderLine(UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self {
        min(max(self, range.lowerBound), range.upperBound)
    }
}
