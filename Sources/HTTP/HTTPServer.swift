import CMicroHTTPD
import Foundation
import Logging
import Synchronization

/// Settings for `HTTPServer`.
public struct HTTPServerConfiguration: Sendable {
    public enum Threading: Sendable {
        /// A fixed pool of threads, each polling many connections with epoll. Handlers must not block for long.
        case pool(Int)
        /// One thread per connection, for handlers that block.
        case perConnection
        /// Event loops, each a thread that serves its share of the connections and runs their
        /// upstream transfers without blocking, for a server built with a `ForwardingHandler`.
        case eventLoops(Int)
    }

    /// PEM-encoded certificate chain and private key for HTTPS.
    public struct TLS: Sendable {
        public var certificatePEM: String
        public var privateKeyPEM: String

        public init(certificatePEM: String, privateKeyPEM: String) {
            self.certificatePEM = certificatePEM
            self.privateKeyPEM = privateKeyPEM
        }
    }

    /// An IPv4 or IPv6 literal to listen on; loopback by default.
    public var host: String
    /// 0 picks a free port.
    public var port: UInt16
    public var threading: Threading
    /// Largest request body accepted, in bytes; larger bodies get `payloadTooLargeResponse`.
    public var maximumBodySize: Int
    /// Seconds an idle connection is kept open.
    public var connectionTimeout: Int
    /// Maximum simultaneous connections. With a pool of threads, libmicrohttpd stops accepting at
    /// the limit, so further clients wait in the listen queue. With a thread per connection, it
    /// closes them at once.
    public var connectionLimit: Int
    /// Memory libmicrohttpd may use per connection for headers and buffers, in bytes. A request's
    /// line and header block larger than this gets libmicrohttpd's 431, and the request's and the
    /// response's header blocks must fit in it together (see `headerBlockProblem`).
    public var connectionMemoryLimit: Int
    public var tls: TLS?
    /// A Unix-domain socket to listen on instead of `host` and `port`, for a client in the same
    /// machine that needs no TCP: the origin is then `http://localhost`.
    public var unixSocketPath: String?
    /// Builds the response for a body over `maximumBodySize`.
    public var payloadTooLargeResponse: @Sendable (Int) -> HTTPResponse
    /// Returns the request target that the debug log line of a handled request shows. The default
    /// shows the path without the query, so a server whose clients may put a credential in the path
    /// replaces it with one that redacts it.
    public var loggedTarget: @Sendable (HTTPRequest) -> String = HTTPServerConfiguration.pathWithoutQuery

    public init(
        host: String = "127.0.0.1", port: UInt16 = 0, threading: Threading = .pool(2), maximumBodySize: Int = 1 << 20,
        connectionTimeout: Int = 30, connectionLimit: Int = 1000, connectionMemoryLimit: Int = 64 * 1024,
        tls: TLS? = nil,
        payloadTooLargeResponse: @escaping @Sendable (Int) -> HTTPResponse = HTTPServerConfiguration.plainTooLarge
    ) {
        self.host = host
        self.port = port
        self.threading = threading
        self.maximumBodySize = maximumBodySize
        self.connectionTimeout = connectionTimeout
        self.connectionLimit = connectionLimit
        self.connectionMemoryLimit = connectionMemoryLimit
        self.tls = tls
        self.payloadTooLargeResponse = payloadTooLargeResponse
    }

    /// Returns the path of an origin-form target without its query, and `(not a path)` for another
    /// target form, which may carry user information.
    public static let pathWithoutQuery: @Sendable (HTTPRequest) -> String = { request in
        request.target.hasPrefix("/") ? request.path : "(not a path)"
    }

    public static let plainTooLarge: @Sendable (Int) -> HTTPResponse = { limit in
        HTTPResponse(
            status: .payloadTooLarge, headers: [("Content-Type", "text/plain; charset=utf-8")],
            body: Array("The request body is larger than \(limit) bytes.\n".utf8))
    }

    /// Connection memory that libmicrohttpd takes besides the two header blocks, for the fields it
    /// adds (`Content-Length`, `Connection`) and its bookkeeping. libmicrohttpd 0.9.75 used about
    /// 200 bytes when measured; this keeps a margin above that.
    public static let connectionMemoryReserve = 512

    /// Connection memory counted for each request field besides its text: libmicrohttpd keeps a
    /// record of each field (pointers and lengths) in the same memory. 64 bytes is an estimate of
    /// that record's size with alignment on 64-bit machines. With it, requests of 1 to 600 fields
    /// and responses up to the limit lost no response.
    public static let connectionMemoryPerField = 64

    /// Returns why `response` cannot be sent in reply to `request`, or `nil` when it can.
    /// libmicrohttpd keeps the request's header block in the connection's memory until the
    /// response's header block has been built there as well, and when the two do not fit it closes
    /// the connection without sending anything.
    /// NOTE: request bytes that libmicrohttpd has read ahead (a pipelined request) take the same
    /// memory and are not counted, so a response close to the limit can still fail on such a
    /// connection.
    public static func headerBlockProblem(
        request: HTTPRequest, response: HTTPResponse, connectionMemoryLimit: Int
    ) -> String? {
        headerBlockProblem(
            requestBytes: requestMemory(request), response: response, connectionMemoryLimit: connectionMemoryLimit)
    }

    /// Returns the connection memory that `request`'s header block leaves for the response's header
    /// block, which is negative when the request's block alone does not fit.
    public static func responseMemory(leftBy request: HTTPRequest, connectionMemoryLimit: Int) -> Int {
        connectionMemoryLimit - connectionMemoryReserve - requestMemory(request)
    }

    /// Returns the connection memory a request's header block takes: its text and a record per field.
    static func requestMemory(_ request: HTTPRequest) -> Int {
        request.headerBlockSize + request.headers.fields.count * connectionMemoryPerField
    }

    static func headerBlockProblem(requestBytes: Int, response: HTTPResponse, connectionMemoryLimit: Int) -> String? {
        let responseBytes = response.headerBlockSize
        guard requestBytes + responseBytes + connectionMemoryReserve > connectionMemoryLimit else {
            return nil
        }
        return
            "the response's header block (\(responseBytes) bytes) and the request's (\(requestBytes) bytes with libmicrohttpd's record of each field) do not fit together in the \(connectionMemoryLimit - connectionMemoryReserve) bytes of connection memory left for them"
    }
}

/// Why a server could not start.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public var description: String {
        message
    }
}

/// Handles one complete request. Called on a libmicrohttpd thread, never on the main actor.
public typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse

/// Handles one complete request on an event loop: returns the response at once, or returns `nil`
/// and responds later through the `PendingExchange`, typically after sending a request upstream
/// with it.
public typealias ForwardingHandler = @Sendable (HTTPRequest, PendingExchange) -> HTTPResponse?

/// A request that an event loop's handler responds to later. It belongs to the loop's thread: use it
/// only in the handler and in the completions and work it schedules.
public final class PendingExchange {
    private let loop: EventLoop
    private let connection: OpaquePointer
    private let state: RequestState
    private var responded = false

    fileprivate init(loop: EventLoop, connection: OpaquePointer, state: RequestState) {
        self.loop = loop
        self.connection = connection
        self.state = state
    }

    /// Sends `request` to `url` on the loop's libcurl multi handle; `completion` runs on the loop's
    /// thread with the response or the error.
    public func send(
        _ request: HTTPRequest, url: String,
        completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void
    ) {
        loop.send(request, url: url, completion: completion)
    }

    /// Sends `response` to the client. Only the first call counts.
    public func respond(_ response: HTTPResponse) {
        guard !responded else {
            return
        }
        responded = true
        state.deferred = response
        if state.suspended {
            MHD_resume_connection(connection)
            loop.resumed()
        }
    }

    /// Runs `work` once the upstream responses that arrived with this one have been handled, so that
    /// work they share (one `fsync` for all of them) is done once.
    public func atEndOfIteration(_ work: @escaping () -> Void) {
        loop.atEndOfIteration(work)
    }
}

/// An HTTP/1.1 server on GNU libmicrohttpd. libmicrohttpd parses requests and manages
/// connections; this type collects each request with its raw target and body, passes it to the
/// handler, and sends the handler's response.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `daemon`, `port` and the TLS buffers change only in `start` and `stop`, which
    // hold `lock`; libmicrohttpd threads read only the immutable `context`.
    private let lock = NSLock()
    private let context: ServerContext
    private var daemon: OpaquePointer?
    private var loops: [EventLoop] = []
    /// The context of each daemon's callbacks, kept alive while the daemons run.
    private var daemonContexts: [DaemonContext] = []
    private var tlsBuffers: [UnsafeMutablePointer<CChar>] = []
    public private(set) var port: UInt16 = 0

    public init(configuration: HTTPServerConfiguration, logger: Logger = .disabled, handler: @escaping HTTPHandler) {
        self.context = ServerContext(configuration: configuration, logger: logger, handler: handler)
    }

    /// Creates a server whose handler may respond later, after an upstream transfer on `client`'s settings.
    /// `configuration.threading` must be `.eventLoops`.
    public init(
        configuration: HTTPServerConfiguration, client: HTTPClientConfiguration, logger: Logger = .disabled,
        forwardingHandler: @escaping ForwardingHandler
    ) {
        self.context = ServerContext(
            configuration: configuration, logger: logger, handler: { _ in HTTPResponse(status: .internalServerError) },
            forwardingHandler: forwardingHandler, client: client)
    }

    deinit {
        stop()
    }

    public var configuration: HTTPServerConfiguration {
        context.configuration
    }

    /// The origin clients use, such as `http://127.0.0.1:8080`.
    public var origin: String {
        let scheme = configuration.tls == nil ? "http" : "https"
        if configuration.unixSocketPath != nil {
            return "\(scheme)://localhost"
        }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "\(scheme)://\(host):\(port)"
    }

    /// Binds and starts serving. Throws when the address is invalid or the port cannot be bound.
    public func start() throws(HTTPServerError) {
        lock.lock()
        defer { lock.unlock() }
        guard daemon == nil && loops.isEmpty else {
            return
        }
        let configuration = context.configuration
        if case .eventLoops(let count) = configuration.threading {
            try startLoops(count: max(1, count))
            context.logger.info("server started", metadata: ["server.origin": origin])
            return
        }
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue
        var options: [MHD_OptionItem] = []
        switch configuration.threading {
        case .pool(let size):
            flags |= MHD_USE_EPOLL.rawValue
            options.append(MHD_OptionItem(option: .THREAD_POOL_SIZE, value: max(1, size), ptr_value: nil))
        case .perConnection:
            flags |= MHD_USE_THREAD_PER_CONNECTION.rawValue | MHD_USE_POLL.rawValue
        case .eventLoops:
            preconditionFailure("event loops start in startLoops")
        }
        options += try sharedOptions(flags: &flags)
        if let socketPath = configuration.unixSocketPath {
            let descriptor = try Self.listenUnixSocket(socketPath)
            options.append(MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(descriptor), ptr_value: nil))
        }
        options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))

        let daemonContext = DaemonContext(server: context, loop: nil)
        daemonContexts = [daemonContext]
        let contextPointer = Unmanaged.passUnretained(daemonContext).toOpaque()
        let started: OpaquePointer?
        if configuration.host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = configuration.port.bigEndian
            guard inet_pton(AF_INET6, configuration.host, &address.sin6_addr) == 1 else {
                throw HTTPServerError(message: "'\(configuration.host)' is not an IPv6 address")
            }
            flags |= MHD_USE_IPv6.rawValue
            started = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    startDaemon(
                        flags: flags, port: configuration.port, address: socketAddress, options: options,
                        context: contextPointer)
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = configuration.port.bigEndian
            let host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                throw HTTPServerError(message: "'\(configuration.host)' is not an IPv4 or IPv6 address")
            }
            started = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    startDaemon(
                        flags: flags, port: configuration.port, address: socketAddress, options: options,
                        context: contextPointer)
                }
            }
        }
        guard let started else {
            freeTLSBuffers()
            daemonContexts = []
            let cause =
                configuration.tls == nil
                ? "the port may be in use" : "the port may be in use, or GnuTLS rejected the certificate or key"
            throw HTTPServerError(message: "could not listen on \(configuration.host):\(configuration.port); \(cause)")
        }
        daemon = started
        port = scimtape_mhd_bound_port(started)
        context.logger.info("server started", metadata: ["server.origin": origin])
    }

    /// Creates a listening Unix-domain socket at `path`, removing a file left at that path.
    /// libmicrohttpd takes it over and closes it when the daemon stops.
    private static func listenUnixSocket(_ path: String) throws(HTTPServerError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw HTTPServerError(message: "the socket path \(path) is longer than a Unix socket path may be")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw HTTPServerError(message: "could not create a Unix socket: \(String(cString: strerror(errno)))")
        }
        unlink(path)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(descriptor, 128) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw HTTPServerError(message: "could not listen on \(path): \(reason)")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        return descriptor
    }

    private func startDaemon(
        flags: UInt32, port: UInt16, address: UnsafePointer<sockaddr>, options: [MHD_OptionItem],
        context: UnsafeMutableRawPointer
    ) -> OpaquePointer? {
        options.withUnsafeBufferPointer { optionPointer in
            scimtape_mhd_start_daemon(
                flags, port, nil, accessHandler, context, requestCompleted, uriLogger, nil, address,
                optionPointer.baseAddress)
        }
    }

    /// Stops accepting connections and waits for running handlers to finish.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        if !loops.isEmpty {
            stopLoops()
        } else if let daemon {
            MHD_stop_daemon(daemon)
            self.daemon = nil
        } else {
            return
        }
        daemonContexts = []
        freeTLSBuffers()
        if let socketPath = configuration.unixSocketPath {
            unlink(socketPath)
        }
        context.logger.info("server stopped", metadata: ["server.origin": origin])
    }

    /// Returns the limit and TLS options that every daemon of the server gets.
    private func sharedOptions(flags: inout UInt32) throws(HTTPServerError) -> [MHD_OptionItem] {
        let configuration = context.configuration
        var options: [MHD_OptionItem] = []
        options.append(
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: configuration.connectionTimeout, ptr_value: nil))
        options.append(MHD_OptionItem(option: .CONNECTION_LIMIT, value: configuration.connectionLimit, ptr_value: nil))
        options.append(
            MHD_OptionItem(option: .CONNECTION_MEMORY_LIMIT, value: configuration.connectionMemoryLimit, ptr_value: nil)
        )
        if let tls = configuration.tls {
            guard MHD_is_feature_supported(.FEATURE_TLS) == .YES else {
                throw HTTPServerError(message: "this libmicrohttpd was built without TLS support")
            }
            flags |= MHD_USE_TLS.rawValue
            let certificate = strdup(tls.certificatePEM)!
            let key = strdup(tls.privateKeyPEM)!
            tlsBuffers = [certificate, key]
            options.append(
                MHD_OptionItem(option: .HTTPS_MEM_CERT, value: 0, ptr_value: UnsafeMutableRawPointer(certificate)))
            options.append(MHD_OptionItem(option: .HTTPS_MEM_KEY, value: 0, ptr_value: UnsafeMutableRawPointer(key)))
        }
        return options
    }

    /// Starts `count` event loops, each with a daemon in external-polling mode. The first daemon
    /// binds the address; the others get duplicates of its listening socket, so that whichever
    /// loop is free accepts the next connection. One connection limit holds for all of them.
    private func startLoops(count: Int) throws(HTTPServerError) {
        let configuration = context.configuration
        var flags = MHD_USE_EPOLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
        var options = try sharedOptions(flags: &flags)
        var address = sockaddr_storage()
        var listener: Int32 = -1
        if let socketPath = configuration.unixSocketPath {
            listener = try Self.listenUnixSocket(socketPath)
        } else {
            try Self.fill(&address, host: configuration.host, port: configuration.port)
            if address.ss_family == sa_family_t(AF_INET6) {
                flags |= MHD_USE_IPv6.rawValue
            }
        }
        options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
        do throws(HTTPServerError) {
            for index in 0..<count {
                let loop = try EventLoop(
                    client: context.client, maximumConnections: configuration.connectionLimit, logger: context.logger)
                let daemonContext = DaemonContext(server: context, loop: loop)
                var daemonOptions = options
                if listener >= 0 {
                    let descriptor = index == 0 ? listener : dup(listener)
                    // Without a socket of its own, libmicrohttpd would bind another port.
                    guard descriptor >= 0 else {
                        throw HTTPServerError(
                            message: "could not share the listening socket: \(String(cString: strerror(errno)))")
                    }
                    daemonOptions.insert(
                        MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(descriptor), ptr_value: nil), at: 0)
                }
                let started = daemonOptions.withUnsafeBufferPointer { optionPointer in
                    withUnsafePointer(to: &address) { pointer in
                        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                            scimtape_mhd_start_daemon(
                                flags, configuration.port, acceptPolicy, accessHandler,
                                Unmanaged.passUnretained(daemonContext).toOpaque(), requestCompleted, uriLogger,
                                connectionNotice, listener >= 0 ? nil : socketAddress, optionPointer.baseAddress)
                        }
                    }
                }
                guard let started else {
                    let cause =
                        configuration.tls == nil
                        ? "the port may be in use" : "the port may be in use, or GnuTLS rejected the certificate or key"
                    throw HTTPServerError(
                        message: "could not listen on \(configuration.host):\(configuration.port); \(cause)")
                }
                if index == 0 {
                    port = scimtape_mhd_bound_port(started)
                    if listener < 0 {
                        listener = scimtape_mhd_listen_fd(started)
                    }
                }
                daemonContexts.append(daemonContext)
                do {
                    try loop.start(daemon: started)
                } catch {
                    MHD_stop_daemon(started)
                    throw error
                }
                loops.append(loop)
            }
        } catch {
            stopLoops()
            daemonContexts = []
            freeTLSBuffers()
            throw error
        }
    }

    /// Asks every loop to stop and waits: each stops accepting, finishes the requests it has
    /// forwarded, and stops its daemon.
    private func stopLoops() {
        for loop in loops {
            loop.requestStop()
        }
        for loop in loops {
            loop.join()
        }
        loops = []
    }

    /// Fills `address` with an IPv4 or IPv6 literal and a port.
    private static func fill(_ address: inout sockaddr_storage, host: String, port: UInt16) throws(HTTPServerError) {
        if host.contains(":") {
            var ipv6 = sockaddr_in6()
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 else {
                throw HTTPServerError(message: "'\(host)' is not an IPv6 address")
            }
            withUnsafeMutableBytes(of: &address) { $0.storeBytes(of: ipv6, as: sockaddr_in6.self) }
        } else {
            var ipv4 = sockaddr_in()
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &ipv4.sin_addr) == 1 else {
                throw HTTPServerError(message: "'\(host)' is not an IPv4 or IPv6 address")
            }
            withUnsafeMutableBytes(of: &address) { $0.storeBytes(of: ipv4, as: sockaddr_in.self) }
        }
    }

    private func freeTLSBuffers() {
        for buffer in tlsBuffers {
            free(buffer)
        }
        tlsBuffers = []
    }
}

/// The state libmicrohttpd's callbacks need. It is immutable except for an atomic count, so any
/// thread may read it.
private final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let logger: Logger
    let handler: HTTPHandler
    let forwardingHandler: ForwardingHandler?
    let client: HTTPClientConfiguration
    /// Connections open on all the event loops' daemons.
    let openConnections = Atomic(0)

    init(
        configuration: HTTPServerConfiguration, logger: Logger, handler: @escaping HTTPHandler,
        forwardingHandler: ForwardingHandler? = nil, client: HTTPClientConfiguration = HTTPClientConfiguration()
    ) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
        self.forwardingHandler = forwardingHandler
        self.client = client
    }
}

/// The context of one daemon's callbacks: the server's context and, with event loops, the
/// daemon's loop.
private final class DaemonContext: @unchecked Sendable {
    // @unchecked: `loop` is used only on its own thread, which is the thread of this daemon's callbacks.
    let server: ServerContext
    let loop: EventLoop?

    init(server: ServerContext, loop: EventLoop?) {
        self.server = server
        self.loop = loop
    }
}

/// One request being received. libmicrohttpd calls back for a connection on one thread at a
/// time, so this needs no lock.
private final class RequestState {
    var target: String?
    var body: [UInt8] = []
    var started = false
    var bodyTooLarge = false
    /// The request headers, collected once; libmicrohttpd has parsed all of them before the
    /// first call of the access handler.
    var headers: HTTPHeaders?
    let startTime = DispatchTime.now()
    /// On an event loop: whether the connection was suspended while the handler waits, and the
    /// response the handler gave later.
    var suspended = false
    var deferred: HTTPResponse?
    /// The method and the logged target, kept for the debug log of a response given later.
    var method = ""
    /// The connection memory the request line and header block take (`requestMemory`), which they
    /// share with the response's header block.
    var headerBytes = 0
}

/// Refuses a connection when the event loops' daemons together have as many as the limit, so
/// that the limit holds for the server and not for each loop. The connection is closed at once.
private let acceptPolicy: MHD_AcceptPolicyCallback = { context, _, _ in
    guard let context else {
        return .NO
    }
    let server = Unmanaged<DaemonContext>.fromOpaque(context).takeUnretainedValue().server
    return server.openConnections.load(ordering: .relaxed) < server.configuration.connectionLimit ? .YES : .NO
}

private let connectionNotice: MHD_NotifyConnectionCallback = { context, _, _, notice in
    guard let context else {
        return
    }
    let server = Unmanaged<DaemonContext>.fromOpaque(context).takeUnretainedValue().server
    if notice == .CONNECTION_NOTIFY_STARTED {
        server.openConnections.add(1, ordering: .relaxed)
    } else if notice == .CONNECTION_NOTIFY_CLOSED {
        server.openConnections.subtract(1, ordering: .relaxed)
    }
}

private let uriLogger: scimtape_mhd_uri_callback = { _, uri, _ in
    let state = RequestState()
    state.target = uri.map(requestTarget)
    return Unmanaged.passRetained(state).toOpaque()
}

private let requestCompleted: MHD_RequestCompletedCallback = { context, _, requestContext, _ in
    guard let requestContext, let pointer = requestContext.pointee else {
        return
    }
    let state = Unmanaged<RequestState>.fromOpaque(pointer).takeRetainedValue()
    if state.suspended, let context {
        Unmanaged<DaemonContext>.fromOpaque(context).takeUnretainedValue().loop?.completedSuspendedRequest()
    }
    requestContext.pointee = nil
}

private let accessHandler: MHD_AccessHandlerCallback = {
    context, connection, url, method, version, uploadData, uploadDataSize, requestContext in
    guard let context, let connection, let requestContext, let uploadDataSize else {
        return .NO
    }
    let daemon = Unmanaged<DaemonContext>.fromOpaque(context).takeUnretainedValue()
    let server = daemon.server
    let state: RequestState
    if let pointer = requestContext.pointee {
        state = Unmanaged<RequestState>.fromOpaque(pointer).takeUnretainedValue()
    } else {
        state = RequestState()
        state.target = url.map(requestTarget)
        requestContext.pointee = Unmanaged.passRetained(state).toOpaque()
    }
    let limit = server.configuration.maximumBodySize

    if !state.started {
        state.started = true
        let length = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length")
        let encoding = MHD_lookup_connection_value(connection, .HEADER_KIND, "Transfer-Encoding")
        if length != nil {
            let headers = collectHeaders(connection)
            state.headers = headers
            if let problem = framingProblem(headers, hasTransferEncoding: encoding != nil) {
                return queue(badFramingResponse(problem), on: connection)
            }
        }
        if let length {
            let text = String(cString: length).trimmingCharacters(in: .whitespaces)
            // Digits that do not fit an Int are a length no limit allows.
            let declared =
                Int(text) ?? (text.utf8.allSatisfy { (48...57).contains($0) } && !text.isEmpty ? Int.max : nil)
            if let declared, declared > limit {
                state.bodyTooLarge = true
                return queue(server.configuration.payloadTooLargeResponse(limit), on: connection)
            }
        }
        return .YES
    }
    if uploadDataSize.pointee > 0 {
        let count = uploadDataSize.pointee
        if !state.bodyTooLarge {
            if state.body.count + count > limit {
                state.bodyTooLarge = true
                state.body = []
            } else if let uploadData {
                uploadData.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
                    state.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
                }
            }
        }
        uploadDataSize.pointee = 0
        return .YES
    }
    if state.bodyTooLarge {
        return queue(server.configuration.payloadTooLargeResponse(limit), on: connection)
    }

    if let deferred = state.deferred {
        // A suspended request's connection was resumed with the handler's response.
        state.deferred = nil
        logHandled(server, state, deferred)
        return queue(sendable(deferred, server, state), on: connection, isHead: isHead(method))
    }
    let headers = state.headers ?? collectHeaders(connection)
    let request = HTTPRequest(
        method: HTTPMethod(method.map { String(cString: $0) } ?? "GET"),
        target: state.target ?? "/",
        headers: headers,
        body: state.body,
        version: version.map { String(cString: $0) })
    state.headerBytes = HTTPServerConfiguration.requestMemory(request)
    if server.logger.level <= .debug {
        state.method = request.method.rawValue + " " + server.configuration.loggedTarget(request)
    }
    guard let loop = daemon.loop, let forward = server.forwardingHandler else {
        let response = server.handler(request)
        logHandled(server, state, response)
        return queue(sendable(response, server, state), on: connection, isHead: isHead(method))
    }
    if loop.isStopping {
        return queue(stoppingResponse, on: connection)
    }
    let pending = PendingExchange(loop: loop, connection: connection, state: state)
    if let response = forward(request, pending) {
        pending.respond(response)
    }
    if let response = state.deferred {
        state.deferred = nil
        logHandled(server, state, response)
        return queue(sendable(response, server, state), on: connection, isHead: isHead(method))
    }
    state.suspended = true
    loop.suspended()
    MHD_suspend_connection(connection)
    return .YES
}

/// Logs a handled request at debug level. The metadata is built only then, because formatting it
/// costs about 4% of a request.
private func logHandled(_ server: ServerContext, _ state: RequestState, _ response: HTTPResponse) {
    guard server.logger.level <= .debug else {
        return
    }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - state.startTime.uptimeNanoseconds) / 1_000_000
    let parts = state.method.split(separator: " ", maxSplits: 1)
    server.logger.debug(
        "request handled",
        metadata: [
            "http.method": parts.first.map(String.init) ?? "",
            "http.target": parts.count > 1 ? String(parts[1]) : "",
            "http.status": String(response.status.code),
            "http.duration_ms": String(format: "%.3f", elapsed),
        ])
}

/// Returns `response`, or a 500 when its header block does not fit in the connection's memory
/// beside the request's, because libmicrohttpd would close the connection without a response.
private func sendable(_ response: HTTPResponse, _ server: ServerContext, _ state: RequestState) -> HTTPResponse {
    guard
        let problem = HTTPServerConfiguration.headerBlockProblem(
            requestBytes: state.headerBytes, response: response,
            connectionMemoryLimit: server.configuration.connectionMemoryLimit)
    else {
        return response
    }
    server.logger.error(
        "response replaced by a 500 because it cannot be sent",
        metadata: ["http.status": String(response.status.code), "error": problem])
    return HTTPResponse(
        status: .internalServerError,
        headers: [("Content-Type", "text/plain; charset=utf-8")],
        body: Array("The server's response could not be sent: \(problem).\n".utf8))
}

/// The response to a request that arrives on an open connection while the server stops.
private let stoppingResponse = HTTPResponse(
    status: .serviceUnavailable, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")],
    body: Array("The server is stopping and takes no more requests.\n".utf8))

private let headerCollector: MHD_KeyValueIterator = { context, _, key, value in
    guard let context, let key else {
        return .YES
    }
    let headers = context.assumingMemoryBound(to: HTTPHeaders.self)
    headers.pointee.add(name: String(cString: key), value: value.map { String(cString: $0) } ?? "")
    return .YES
}

/// Returns why a request's body framing is ambiguous, or `nil`. RFC 9112 section 6.3: a request
/// with `Transfer-Encoding` and `Content-Length`, or with differing `Content-Length` values, may be
/// read differently by a proxy in front, so that part of one body becomes another request. Such a
/// request is refused and the connection closed.
private func framingProblem(_ headers: HTTPHeaders, hasTransferEncoding: Bool) -> String? {
    if hasTransferEncoding {
        return "the request has both Transfer-Encoding and Content-Length"
    }
    // Nearly every request has one Content-Length field; count without building strings first.
    let fieldCount = headers.fields.count { isContentLength($0.name) }
    guard fieldCount > 1 else {
        return nil
    }
    let lengths = Set(
        headers.fields.filter { $0.name.lowercased() == "content-length" }.map {
            $0.value.trimmingCharacters(in: .whitespaces)
        })
    return lengths.count > 1 ? "the request has Content-Length fields with different values" : nil
}

/// Returns whether a field name is `Content-Length` in any letter case, compared byte by byte.
private func isContentLength(_ name: String) -> Bool {
    let expected = "content-length".utf8
    guard name.utf8.count == expected.count else {
        return false
    }
    return zip(name.utf8, expected).allSatisfy { byte, lower in
        byte == lower || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte | 0x20 == lower)
    }
}

private func collectHeaders(_ connection: OpaquePointer) -> HTTPHeaders {
    var headers = HTTPHeaders()
    withUnsafeMutablePointer(to: &headers) { headersPointer in
        _ = MHD_get_connection_values(connection, .HEADER_KIND, headerCollector, headersPointer)
    }
    return headers
}

private func badFramingResponse(_ problem: String) -> HTTPResponse {
    HTTPResponse(
        status: .badRequest, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")],
        body: Array("Bad request: \(problem) (RFC 9112 section 6.3).\n".utf8))
}

/// Returns the request target as text. RFC 3986 allows only ASCII in a URI, so when the target is
/// not valid UTF-8, each byte above 0x7F is percent-encoded instead of being replaced by U+FFFD.
private func requestTarget(_ raw: UnsafePointer<CChar>) -> String {
    if let text = String(validatingCString: raw) {
        return text
    }
    let hex = Array("0123456789ABCDEF".utf8)
    var encoded: [UInt8] = []
    for byte in UnsafeBufferPointer(
        start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw))
    {
        if byte < 0x80 {
            encoded.append(byte)
        } else {
            encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        }
    }
    return String(decoding: encoded, as: UTF8.self)
}

private func isHead(_ method: UnsafePointer<CChar>?) -> Bool {
    method.map { strcmp($0, "HEAD") == 0 } ?? false
}

/// Ends the response with an error. libmicrohttpd sends no body in reply to HEAD, so it does not
/// call this reader.
private let noBodyReader: MHD_ContentReaderCallback = { _, _, _, _ in -2 }

/// Queues a response. libmicrohttpd sets `Content-Length` from the body, so an empty response to
/// HEAD that names the length of the body a GET would get is queued with that size and no data.
private func queue(_ response: HTTPResponse, on connection: OpaquePointer, isHead: Bool = false) -> MHD_Result {
    let headLength =
        isHead && response.body.isEmpty
        ? response.headers.first { isContentLength($0.name) }.flatMap {
            UInt64($0.value.trimmingCharacters(in: .whitespaces))
        } : nil
    let mhdResponse: OpaquePointer?
    if let headLength, headLength > 0 {
        mhdResponse = MHD_create_response_from_callback(headLength, 4096, noBodyReader, nil, nil)
    } else {
        mhdResponse = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(
                bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
    }
    guard let mhdResponse else {
        return .NO
    }
    defer { MHD_destroy_response(mhdResponse) }
    for field in response.headers where !isContentLength(field.name) {
        MHD_add_response_header(mhdResponse, field.name, field.value)
    }
    return MHD_queue_response(connection, UInt32(response.status.code), mhdResponse)
}
