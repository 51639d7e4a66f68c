import CCurl
import CMicroHTTPD
import Foundation
import Logging
import Synchronization

/// One thread that serves client connections and runs upstream transfers together, as a proxy
/// such as nginx does: libmicrohttpd in external-polling mode with epoll for the clients, and
/// libcurl's multi interface for the upstream, both driven by one `epoll_wait`.
///
/// A request that the handler forwards suspends its client connection. When the upstream's
/// response arrives, the handler's response resumes it. No request waits for another thread, and a
/// busy loop picks up many ready sockets per `epoll_wait`, where a thread per connection would be
/// woken for each.
///
/// Everything but `requestStop` and `join` runs on the loop's own thread.
final class EventLoop: @unchecked Sendable {
    // @unchecked: every property except `stopRequested` and `thread` is used only on the loop's
    // thread, which starts after `init` has set them. `thread` is written before the thread
    // starts and read by `join` after `requestStop`.
    private static let daemonTag = UInt64.max
    private static let wakeTag = UInt64.max - 1
    /// How long a stopping loop waits for ready responses to be sent: 5 s.
    private static let sendGrace: UInt64 = 5_000_000_000

    private let epoll: Int32
    private let wake: Int32
    private var daemon: OpaquePointer?
    private let upstream: CurlMulti
    private let logger: Logger
    private let stopRequested = Atomic(false)
    private var quiesced = false
    /// When a stopping loop gives up waiting for responses to be sent, in `DispatchTime` nanoseconds.
    private var stopDeadline: UInt64 = 0
    private var runDaemonAgain = false
    /// Requests whose connection was suspended and whose response has not been sent.
    private(set) var pendingRequests = 0
    /// Requests whose connection is suspended now. libmicrohttpd must not stop with any.
    private var suspendedRequests = 0
    /// Work that runs once the upstream responses of one `epoll_wait` are handled, such as one
    /// `fsync` for all exchanges journaled in it.
    private var endOfIteration: [() -> Void] = []
    private var thread = pthread_t()
    private var started = false

    init(client: HTTPClientConfiguration, maximumConnections: Int, logger: Logger) throws(HTTPServerError) {
        self.logger = logger
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epoll >= 0, wake >= 0 else {
            let reason = String(cString: strerror(errno))
            if epoll >= 0 {
                close(epoll)
            }
            if wake >= 0 {
                close(wake)
            }
            throw HTTPServerError(message: "could not create an event loop: \(reason)")
        }
        upstream = CurlMulti(
            configuration: client, logger: logger, epoll: epoll, maximumConnections: maximumConnections)
        add(wake, tag: EventLoop.wakeTag)
    }

    deinit {
        close(epoll)
        close(wake)
    }

    /// Starts the loop's thread for `daemon`, a libmicrohttpd daemon with epoll and no thread of
    /// its own.
    func start(daemon: OpaquePointer) throws(HTTPServerError) {
        self.daemon = daemon
        let daemonEpoll = scimtape_mhd_epoll_fd(daemon)
        guard daemonEpoll >= 0 else {
            throw HTTPServerError(message: "libmicrohttpd did not create its epoll descriptor")
        }
        add(daemonEpoll, tag: EventLoop.daemonTag)
        let box = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { pointer in
                let loop = Unmanaged<EventLoop>.fromOpaque(pointer!).takeRetainedValue()
                loop.run()
                return nil
            }, box)
        guard created == 0 else {
            Unmanaged<EventLoop>.fromOpaque(box).release()
            throw HTTPServerError(
                message: "could not start an event loop thread: \(String(cString: strerror(created)))")
        }
        started = true
    }

    /// Asks the loop to stop accepting connections, finish the requests it has forwarded, and
    /// stop its daemon. Any thread may call it.
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// Waits for the loop's thread to end; call after `requestStop`.
    func join() {
        if started {
            pthread_join(thread, nil)
            started = false
        }
    }

    /// Whether the loop is stopping; requests that arrive now are not forwarded.
    var isStopping: Bool {
        quiesced
    }

    /// Sends `request` upstream; `completion` runs on this loop's thread.
    func send(
        _ request: HTTPRequest, url: String,
        completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void
    ) {
        upstream.send(request, url: url, completion: completion)
    }

    /// Runs `work` after the upstream responses of the current iteration have been handled.
    func atEndOfIteration(_ work: @escaping () -> Void) {
        endOfIteration.append(work)
    }

    /// Called when a suspended request's response is ready and its connection resumed.
    func resumed() {
        suspendedRequests -= 1
        runDaemonAgain = true
    }

    func suspended() {
        pendingRequests += 1
        suspendedRequests += 1
    }

    func completedSuspendedRequest() {
        pendingRequests -= 1
    }

    private func add(_ descriptor: Int32, tag: UInt64) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = tag
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event)
    }

    private func run() {
        guard let daemon else {
            return
        }
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            if stopRequested.load(ordering: .acquiring) && !quiesced {
                quiesced = true
                stopDeadline = DispatchTime.now().uptimeNanoseconds + EventLoop.sendGrace
                let listener = MHD_quiesce_daemon(daemon)
                if listener >= 0 {
                    close(listener)
                }
            }
            // A stopping loop ends once every forwarded request has its response and, unless the
            // grace period is over, every response has been sent. libcurl's timeout bounds the
            // first, and a client that does not read its response could hold up the second.
            if quiesced && suspendedRequests == 0 && upstream.activeTransfers == 0 && endOfIteration.isEmpty
                && (pendingRequests == 0 || DispatchTime.now().uptimeNanoseconds > stopDeadline)
            {
                break
            }
            let count = events.withUnsafeMutableBufferPointer { buffer in
                epoll_wait(epoll, buffer.baseAddress, Int32(buffer.count), waitTimeout(daemon))
            }
            if count < 0 && errno != EINTR {
                logger.error("epoll_wait failed", metadata: ["error": String(cString: strerror(errno))])
                break
            }
            var runDaemon = false
            for event in events.prefix(max(0, Int(count))) {
                switch event.data.u64 {
                case EventLoop.daemonTag:
                    runDaemon = true
                case EventLoop.wakeTag:
                    var value: UInt64 = 0
                    _ = read(wake, &value, 8)
                default:
                    upstream.socketReady(Int32(truncatingIfNeeded: event.data.u64), events: event.events)
                }
            }
            upstream.runTimers()
            upstream.collectFinished()
            if !endOfIteration.isEmpty {
                let work = endOfIteration
                endOfIteration = []
                for item in work {
                    item()
                }
            }
            if runDaemon || runDaemonAgain || scimtape_mhd_timeout_ms(daemon) == 0 {
                runDaemonAgain = false
                // A resumed connection takes a few runs (resume, send, find no next request yet),
                // and the daemon reports this with a timeout of 0. Those runs follow at once, without
                // an epoll_wait between them that could only return at once too.
                var runs = 0
                repeat {
                    MHD_run(daemon)
                    runs += 1
                } while runs < 4 && scimtape_mhd_timeout_ms(daemon) == 0
                // Requests the daemon just handed over start upstream now, not after another wait.
                // libcurl may finish one at once when the upstream responds fast, so its response
                // then makes the next wait return at once.
                upstream.runTimers()
                upstream.collectFinished()
            }
        }
        MHD_stop_daemon(daemon)
        self.daemon = nil
        upstream.close()
    }

    /// Milliseconds `epoll_wait` may sleep: until the next libcurl or libmicrohttpd timeout,
    /// at most one second so that a stop request is seen soon even without a wake-up.
    private func waitTimeout(_ daemon: OpaquePointer) -> Int32 {
        if runDaemonAgain || !endOfIteration.isEmpty {
            return 0
        }
        var timeout = 1000
        let daemonTimeout = scimtape_mhd_timeout_ms(daemon)
        if daemonTimeout >= 0 {
            timeout = min(timeout, Int(daemonTimeout))
        }
        if let upstreamTimeout = upstream.millisecondsToTimer() {
            timeout = min(timeout, upstreamTimeout)
        }
        return Int32(timeout)
    }
}

/// libcurl's multi interface on an event loop's epoll descriptor: libcurl names the sockets to
/// watch (socket callback) and when to call it back (timer callback), and the loop reports ready
/// sockets. Easy handles are kept between requests so that they keep their fixed options.
final class CurlMulti {
    private let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClientConfiguration
    private let logger: Logger
    private let epoll: Int32
    private var idle: [CurlTransfer] = []
    private var active: [UnsafeMutableRawPointer: Active] = [:]
    /// The events each socket is registered for in the epoll set.
    private var registered: [Int32: UInt32] = [:]
    /// Sockets that libcurl no longer watches but that stay registered for input: idle upstream
    /// connections, which the next request on them usually needs again. Leaving them saves two
    /// `epoll_ctl` calls per request. One that becomes readable while idle (the upstream closed
    /// it) is taken out of the set then.
    private var parked = Set<Int32>()
    /// When libcurl wants to be called for its timeouts, in `DispatchTime` nanoseconds.
    private var timerDeadline: UInt64?
    private var closed = false

    private struct Active {
        let transfer: CurlTransfer
        let completion: (Result<HTTPResponse, HTTPClientError>) -> Void
    }

    var activeTransfers: Int {
        active.count
    }

    init(configuration: HTTPClientConfiguration, logger: Logger, epoll: Int32, maximumConnections: Int) {
        guard let multi = curl_multi_init() else {
            fatalError("curl_multi_init failed, which means libcurl could not allocate memory")
        }
        self.multi = multi
        self.configuration = configuration
        self.logger = logger
        self.epoll = epoll
        let context = Unmanaged.passUnretained(self).toOpaque()
        scimtape_curl_multi_setopt_socket_callback(multi, curlSocketCallback)
        scimtape_curl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, context)
        scimtape_curl_multi_setopt_timer_callback(multi, curlTimerCallback)
        scimtape_curl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, context)
        // Keep an idle upstream connection for every client connection the loop may serve, so
        // that a burst does not close connections that the next requests open again.
        scimtape_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maximumConnections)
    }

    deinit {
        // A loop whose thread never started did not close its multi handle.
        close()
    }

    /// Ends every transfer and frees the handles.
    func close() {
        guard !closed else {
            return
        }
        closed = true
        for (handle, _) in active {
            curl_multi_remove_handle(multi, handle)
        }
        active = [:]
        idle = []
        curl_multi_cleanup(multi)
    }

    func send(
        _ request: HTTPRequest, url: String,
        completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void
    ) {
        let transfer = idle.popLast() ?? newTransfer()
        do {
            try transfer.prepare(request, url: url)
        } catch {
            idle.append(transfer)
            completion(.failure(error))
            return
        }
        active[transfer.handle] = Active(transfer: transfer, completion: completion)
        let added = curl_multi_add_handle(multi, transfer.handle)
        if added != CURLM_OK {
            active[transfer.handle] = nil
            _ = try? transfer.finish(CURLE_FAILED_INIT)
            idle.append(transfer)
            let reason = String(cString: curl_multi_strerror(added))
            completion(
                .failure(HTTPClientError(kind: .other, message: "libcurl could not start the transfer: \(reason)")))
        }
    }

    /// Creates a transfer whose handle reports the sockets libcurl closes, so that a parked
    /// socket's number is forgotten before another socket can get it.
    private func newTransfer() -> CurlTransfer {
        let transfer = CurlTransfer(configuration: configuration, logger: logger)
        scimtape_curl_setopt_close_callback(transfer.handle, curlCloseCallback)
        scimtape_curl_setopt_pointer(
            transfer.handle, CURLOPT_CLOSESOCKETDATA, Unmanaged.passUnretained(self).toOpaque())
        return transfer
    }

    func socketReady(_ descriptor: Int32, events: UInt32) {
        if parked.contains(descriptor) {
            parked.remove(descriptor)
            registered[descriptor] = nil
            _ = epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, nil)
            return
        }
        var flags: Int32 = 0
        if events & EPOLLIN.rawValue != 0 {
            flags |= CURL_CSELECT_IN
        }
        if events & EPOLLOUT.rawValue != 0 {
            flags |= CURL_CSELECT_OUT
        }
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            flags |= CURL_CSELECT_ERR
        }
        var running: Int32 = 0
        curl_multi_socket_action(multi, curl_socket_t(descriptor), flags, &running)
    }

    /// Calls libcurl for its timeouts when one is due.
    func runTimers() {
        guard let deadline = timerDeadline, deadline <= DispatchTime.now().uptimeNanoseconds else {
            return
        }
        timerDeadline = nil
        var running: Int32 = 0
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
    }

    func millisecondsToTimer() -> Int? {
        guard let deadline = timerDeadline else {
            return nil
        }
        let now = DispatchTime.now().uptimeNanoseconds
        return deadline <= now ? 0 : Int((deadline - now + 999_999) / 1_000_000)
    }

    /// Hands every finished transfer's response or error to its completion.
    func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                let finished = active.removeValue(forKey: handle)
            else {
                continue
            }
            let code = scimtape_curl_message_result(message)
            curl_multi_remove_handle(multi, handle)
            let result = Result { () throws(HTTPClientError) in try finished.transfer.finish(code) }
            idle.append(finished.transfer)
            finished.completion(result)
        }
    }

    fileprivate func watch(_ descriptor: Int32, what: Int32) {
        if what == CURL_POLL_REMOVE {
            guard let events = registered[descriptor] else {
                return
            }
            if events == EPOLLIN.rawValue {
                parked.insert(descriptor)
            } else {
                registered[descriptor] = nil
                _ = epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, nil)
            }
            return
        }
        parked.remove(descriptor)
        var event = epoll_event()
        event.events = 0
        if what & CURL_POLL_IN != 0 {
            event.events |= EPOLLIN.rawValue
        }
        if what & CURL_POLL_OUT != 0 {
            event.events |= EPOLLOUT.rawValue
        }
        event.data.u64 = UInt64(UInt32(bitPattern: descriptor))
        switch registered[descriptor] {
        case event.events:
            return
        case nil:
            _ = epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event)
        default:
            _ = epoll_ctl(epoll, EPOLL_CTL_MOD, descriptor, &event)
        }
        registered[descriptor] = event.events
    }

    /// Forgets a socket libcurl closes; closing it takes it out of the epoll set.
    fileprivate func closing(_ descriptor: Int32) {
        registered[descriptor] = nil
        parked.remove(descriptor)
    }

    fileprivate func setTimer(milliseconds: Int) {
        if milliseconds < 0 {
            timerDeadline = nil
        } else {
            timerDeadline = DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
        }
    }
}

private let curlSocketCallback: scimtape_curl_socket_callback = { _, descriptor, what, context, _ in
    guard let context else {
        return 0
    }
    Unmanaged<CurlMulti>.fromOpaque(context).takeUnretainedValue().watch(descriptor, what: what)
    return 0
}

private let curlCloseCallback: scimtape_curl_close_callback = { context, descriptor in
    if let context {
        Unmanaged<CurlMulti>.fromOpaque(context).takeUnretainedValue().closing(descriptor)
    }
    return close(descriptor)
}

private let curlTimerCallback: scimtape_curl_timer_callback = { _, milliseconds, context in
    guard let context else {
        return 0
    }
    Unmanaged<CurlMulti>.fromOpaque(context).takeUnretainedValue().setTimer(milliseconds: milliseconds)
    return 0
}
