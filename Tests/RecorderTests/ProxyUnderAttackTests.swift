import Foundation
import HTTP
import Logging
import Recorder
import ReferenceServer
import SCIM
import TestSupport
import Testing
import Transcript
import Verifier

/// A recording proxy in front of the reference endpoint, which requires a bearer token. With
/// `misbehaviours`, a `ScriptedUpstream` sits between them: it relays requests to the reference
/// endpoint and breaks the ones the test names. The journal is in a fresh temporary folder.
private final class AttackedProxy {
    static let token = "attack-test-token-2b9e4f7a1c3d5e6f8a0b"

    let folder: URL
    let reference: ReferenceServer
    let scripted: ScriptedUpstream?
    let proxy: RecordingProxy
    private let lock = NSLock()
    private var completedExchanges: [String] = []

    init(
        misbehaviours: [String: ScriptedUpstream.Misbehaviour]? = nil,
        configure: (inout RecordingProxyConfiguration) -> Void = { _ in }
    ) throws {
        folder = try ProxyHarness.makeFolder()
        reference = try ReferenceServer(configuration: ReferenceServerConfiguration(token: Self.token))
        try reference.start()
        var upstream = reference.baseURL
        if let misbehaviours {
            let scripted = try ScriptedUpstream(
                relayTo: reference.baseURL.replacingOccurrences(of: "/scim/v2", with: ""), misbehaviours: misbehaviours)
            upstream = scripted.baseURL
            self.scripted = scripted
        } else {
            scripted = nil
        }
        var configuration = RecordingProxyConfiguration(
            upstream: try BaseURL(upstream), journalPath: folder.appendingPathComponent("attack.journal").path,
            name: "attack")
        configure(&configuration)
        proxy = try RecordingProxy(configuration: configuration)
        try proxy.start()
    }

    deinit {
        proxy.stop()
        scripted?.stop()
        reference.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    var port: UInt16 {
        proxy.port
    }

    /// "METHOD /path" of every exchange that a well-behaved client completed, in completion order.
    var completed: [String] {
        lock.lock()
        defer { lock.unlock() }
        return completedExchanges
    }

    /// Notes an exchange that a raw client completed.
    func complete(_ exchange: String) {
        lock.lock()
        completedExchanges.append(exchange)
        lock.unlock()
    }

    /// Sends a request through the proxy with the bearer token and notes it as completed.
    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, json body: JSONValue? = nil,
        client: HTTPClient = HTTPClient(configuration: HTTPClientConfiguration(timeout: 10))
    ) throws -> HTTPResponse {
        var headers: HTTPHeaders = [("Authorization", "Bearer \(Self.token)")]
        if body != nil {
            headers.add(name: "Content-Type", value: "application/scim+json")
        }
        let response = try client.send(
            HTTPRequest(
                method: method, target: "/scim/v2" + path, headers: headers, body: body?.serializedBytes() ?? []),
            url: proxy.url + path)
        complete("\(method.rawValue) \(path)")
        return response
    }

    /// Reads a page of users through the proxy and returns whether the status was 200.
    func stillServes() -> Bool {
        (try? send(.get, "/Users?count=1").status.code) == 200
    }

    /// Reads a page of users through the proxy until the status is 200 or `seconds` have passed.
    /// Checks right after many connections closed need this, because the proxy notices each close
    /// on that connection's own thread.
    func servesAgain(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if stillServes() {
                return true
            }
            usleep(100_000)
        }
        return false
    }

    /// Counts the users on the reference endpoint, asking it directly, not through the proxy.
    func userCount() throws -> Int {
        let response = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/scim/v2/Users", headers: [("Authorization", "Bearer \(Self.token)")]),
            url: reference.baseURL + "/Users")
        return try JSONValue.parse(bytes: response.body)["totalResults"]?.intValue ?? -1
    }

    /// Returns "METHOD /path" of every exchange in the journal, in sequence order, and the numbers
    /// of damaged lines.
    func journaled() throws -> (exchanges: [String], damagedLines: [Int]) {
        let contents = try JournalContents.read(path: proxy.configuration.journalPath)
        var exchanges: [String] = []
        try contents.forEachExchange { exchanges.append("\($0.request.method) \($0.request.path)") }
        return (exchanges, contents.damagedLines.map(\.number))
    }

    /// Returns a raw request line and header block with the bearer token.
    static func rawHead(_ requestLine: String, _ fields: [String] = []) -> String {
        ([requestLine, "Host: 127.0.0.1", "Authorization: Bearer \(token)"] + fields).joined(separator: "\r\n")
            + "\r\n\r\n"
    }
}

/// The recording proxy under hostile clients and a broken upstream keeps serving others, stays
/// within its limits, and journals exactly the exchanges that completed.
@Suite(.serialized) struct ProxyUnderAttack {
    /// Checks that the journal and the finished transcript contain exactly the completed exchanges.
    private func expectExactlyCompletedRecorded(
        _ attacked: AttackedProxy, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let journal = try attacked.journaled()
        #expect(journal.damagedLines.isEmpty, "damaged journal lines", sourceLocation: sourceLocation)
        #expect(journal.exchanges.sorted() == attacked.completed.sorted(), sourceLocation: sourceLocation)
        #expect(attacked.proxy.counts.recorded == attacked.completed.count, sourceLocation: sourceLocation)
        let (transcript, _) = try attacked.proxy.finish()
        let recorded = (transcript?.exchanges ?? []).map { "\($0.request.method) \($0.request.path)" }
        #expect(recorded.sorted() == attacked.completed.sorted(), sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /scim/v2/Users HTTP/9.9\r\nHost: x\r\n\r\n",
        "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    ])
    func malformedRequestNotRecorded(request: String) throws {
        let attacked = try AttackedProxy()
        #expect(attacked.stillServes())

        let reply = RawClient.exchange(attacked.port, request, timeout: 2)

        #expect(!reply.hasPrefix("HTTP/1.1 2"), "\(reply.prefix(80))")
        #expect(attacked.stillServes())
        try expectExactlyCompletedRecorded(attacked)
    }

    /// A target that is not a path would be appended to the upstream origin and could name another
    /// host, because `@host:port/...` turns the origin into user information. The canary is that host.
    @Test(arguments: [
        "GET @127.0.0.1:CANARY/scim/v2/Users HTTP/1.1", "GET http://127.0.0.1:CANARY/scim/v2/Users HTTP/1.1",
        "OPTIONS * HTTP/1.1", "GET scim/v2/Users HTTP/1.1",
    ])
    func targetThatIsNoPathRejected(requestLine: String) throws {
        let canary = try ScriptedUpstream(relayTo: nil)
        defer { canary.stop() }
        let attacked = try AttackedProxy(misbehaviours: [:])
        let line = requestLine.replacingOccurrences(of: "CANARY", with: String(canary.port))

        let reply = RawClient.exchange(attacked.port, AttackedProxy.rawHead(line, ["Connection: close"]))

        #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(80))")
        #expect(reply.contains(SCIMURN.error))
        #expect(canary.acceptedConnections == 0)
        #expect(attacked.scripted?.acceptedConnections == 0)
        #expect(attacked.proxy.counts.rejected == 1)
        #expect(attacked.stillServes())
        try expectExactlyCompletedRecorded(attacked)
    }

    /// Fields that RFC 9110 section 5.5 and RFC 9112 section 5.1 make invalid, and that a
    /// transcript cannot store, get 400 and never reach the upstream.
    @Test(arguments: ["X-Space-Before-Colon : v", "X Space In Name: v", "X-Control: a\u{01}b"])
    func invalidHeaderFieldRejected(field: String) throws {
        let attacked = try AttackedProxy(misbehaviours: [:])

        let reply = RawClient.exchange(
            attacked.port, AttackedProxy.rawHead("GET /scim/v2/Users HTTP/1.1", [field, "Connection: close"]))

        #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(80))")
        #expect(reply.contains(SCIMURN.error))
        #expect(attacked.scripted?.acceptedConnections == 0)
        #expect(attacked.proxy.counts.rejected == 1)
        #expect(attacked.stillServes())
        try expectExactlyCompletedRecorded(attacked)
    }

    /// libmicrohttpd joins a folded line to the field's name, so a credential folded onto the
    /// next line would be a name no redaction matches. Such a request gets 400, and the
    /// credential reaches neither the upstream, the journal, the log nor the response.
    @Test(arguments: [
        "Authorization: Bearer\r\n\tFOLDED-credential-7f3a", "Cookie: a=b;\r\n sid=FOLDED-credential-7f3a",
        "X-Api-Key:\r\n FOLDED-credential-7f3a",
    ])
    func foldedRedactedHeaderRejected(field: String) throws {
        let handler = CapturingLogHandler()
        let attacked = try AttackedProxy(misbehaviours: [:]) { configuration in
            configuration.policy = SecretPolicy(extraHeaders: ["X-Api-Key"])
            configuration.logger = Logger(label: "test", level: .debug, handler: handler)
        }

        let reply = RawClient.exchange(
            attacked.port, AttackedProxy.rawHead("GET /scim/v2/Users HTTP/1.1", [field, "Connection: close"]))

        #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(80))")
        #expect(!reply.contains("FOLDED-credential"))
        #expect(attacked.scripted?.acceptedConnections == 0)
        #expect(attacked.proxy.counts.rejected == 1)
        #expect(!handler.captured.contains { $0.formatted().contains("FOLDED-credential") })
        try expectExactlyCompletedRecorded(attacked)
    }

    /// Header names are not redacted, so a name that contains the client's credential (a folded
    /// line after another field) gets 400 instead of being recorded.
    @Test func headerNameWithCredentialRejected() throws {
        let handler = CapturingLogHandler()
        let attacked = try AttackedProxy(misbehaviours: [:]) { configuration in
            configuration.logger = Logger(label: "test", level: .debug, handler: handler)
        }

        let reply = RawClient.exchange(
            attacked.port,
            AttackedProxy.rawHead(
                "GET /scim/v2/Users HTTP/1.1",
                ["Authorization: Bearer NAMEDCRED-55aa", "X-Other: hello\r\n NAMEDCRED-55aa", "Connection: close"]))

        #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply.prefix(80))")
        #expect(!reply.contains("NAMEDCRED"))
        #expect(attacked.scripted?.acceptedConnections == 0)
        #expect(!handler.captured.contains { $0.formatted().contains("NAMEDCRED") })
        try expectExactlyCompletedRecorded(attacked)
    }

    /// A folded line in the upstream's header block continues the previous field's value
    /// (RFC 9112 section 5.2), in what the client gets and in the transcript.
    @Test func foldedUpstreamHeaderJoined() throws {
        let answer =
            "HTTP/1.1 200 OK\r\nWWW-Authenticate: Bearer\r\n\terror=\"invalid_token\"\r\n"
            + "Content-Type: application/scim+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
        let attacked = try AttackedProxy(misbehaviours: ["folded": .reply(Array(answer.utf8))])

        let response = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/scim/v2/Users/folded"), url: attacked.proxy.url + "/Users/folded")
        let (transcript, _) = try attacked.proxy.finish()

        #expect(response.headers["WWW-Authenticate"] == #"Bearer error="invalid_token""#)
        let recorded = try #require(transcript?.exchanges.first)
        #expect(recorded.response.headers["WWW-Authenticate"] == #"Bearer error="invalid_token""#)
    }

    /// A method that is a valid HTTP token but not an uppercase name cannot be a transcript's
    /// method, so it is forwarded like a request outside the SCIM base and not recorded.
    @Test(arguments: ["get", "M-SEARCH"])
    func nonUppercaseMethodNotRecorded(method: String) throws {
        let attacked = try AttackedProxy()

        let reply = RawClient.exchange(
            attacked.port, AttackedProxy.rawHead("\(method) /scim/v2/Users HTTP/1.1", ["Connection: close"]))

        #expect(reply.hasPrefix("HTTP/1.1 405"), "\(reply.prefix(80))")
        #expect(attacked.proxy.counts.notRecorded == 1)
        #expect(attacked.stillServes())
        try expectExactlyCompletedRecorded(attacked)
    }

    @Test func oversizedHeaderBlockRejected() throws {
        let attacked = try AttackedProxy()
        let header = "X-Big: " + String(repeating: "a", count: 200_000)

        let reply = RawClient.exchange(attacked.port, AttackedProxy.rawHead("GET /scim/v2/Users HTTP/1.1", [header]))

        #expect(reply.hasPrefix("HTTP/1.1 4"), "\(reply.prefix(80))")
        #expect(attacked.stillServes())
        try expectExactlyCompletedRecorded(attacked)
    }

    /// A body of 4,096 bytes against a limit of 1,024, announced three ways.
    @Test(arguments: ["content-length", "expect-continue", "chunked"])
    func bodyOverLimitGets413NotForwarded(framing: String) throws {
        let attacked = try AttackedProxy { $0.maximumBodySize = 1024 }
        let body = String(repeating: "x", count: 4096)
        let request: String
        switch framing {
        case "content-length":
            request =
                AttackedProxy.rawHead("POST /scim/v2/Users HTTP/1.1", ["Content-Length: 4096", "Connection: close"])
                + body
        case "expect-continue":
            request = AttackedProxy.rawHead(
                "POST /scim/v2/Users HTTP/1.1", ["Content-Length: 4096", "Expect: 100-continue", "Connection: close"])
        default:
            let chunks = stride(from: 0, to: body.count, by: 1000).map { start in
                let chunk = String(body.dropFirst(start).prefix(1000))
                return String(chunk.count, radix: 16) + "\r\n" + chunk + "\r\n"
            }
            request =
                AttackedProxy.rawHead(
                    "POST /scim/v2/Users HTTP/1.1", ["Transfer-Encoding: chunked", "Connection: close"])
                + chunks.joined() + "0\r\n\r\n"
        }

        let reply = RawClient.exchange(attacked.port, request)

        #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(80))")
        #expect(reply.contains(SCIMURN.error), "\(reply)")
        #expect(try attacked.userCount() == 0)
        #expect(attacked.stillServes())
        try expectExactlyCompletedRecorded(attacked)
    }

    @Test func bodyAtLimitForwardedAndRecorded() throws {
        let attacked = try AttackedProxy { $0.maximumBodySize = 1024 }
        var body = userBody("limit@attack.example").serializedBytes()
        body += [UInt8](repeating: UInt8(ascii: " "), count: 1024 - body.count)
        let head = AttackedProxy.rawHead(
            "POST /scim/v2/Users HTTP/1.1",
            ["Content-Type: application/scim+json", "Content-Length: 1024", "Connection: close"])

        let reply = RawClient.exchange(attacked.port, Array(head.utf8) + body)
        if reply.hasPrefix("HTTP/1.1 201") {
            attacked.complete("POST /Users")
        }

        #expect(reply.hasPrefix("HTTP/1.1 201"), "\(reply.prefix(80))")
        #expect(try attacked.userCount() == 1)
        try expectExactlyCompletedRecorded(attacked)
    }

    /// A client announces 1,000 bytes, sends 100 and then closes, or stops sending until the idle
    /// timeout closes its connection.
    @Test(arguments: [true, false])
    func incompleteBodyNotForwardedNorRecorded(clientCloses: Bool) throws {
        let attacked = try AttackedProxy { $0.connectionTimeout = 1 }
        let descriptor = RawClient.connect(attacked.port)
        defer { close(descriptor) }
        let head = AttackedProxy.rawHead(
            "POST /scim/v2/Users HTTP/1.1", ["Content-Type: application/scim+json", "Content-Length: 1000"])

        RawClient.send(descriptor, head + String(repeating: " ", count: 100))
        if clientCloses {
            shutdown(descriptor, Int32(SHUT_RDWR))
        } else {
            let seconds = RawClient.secondsUntilClosed(descriptor, timeout: 6)
            #expect(seconds != nil, "the proxy closed the stalled connection")
            #expect((seconds ?? 99) < 4)
        }

        #expect(attacked.stillServes())
        #expect(try attacked.userCount() == 0)
        try expectExactlyCompletedRecorded(attacked)
    }

    @Test func idleAndSlowClientsDoNotBlockOthers() throws {
        let attacked = try AttackedProxy()
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<200 {
            let descriptor = RawClient.connect(attacked.port)
            if descriptor >= 0 {
                RawClient.send(descriptor, "GET /scim/v2/Us")
                idle.append(descriptor)
            }
        }
        // A client that sends its request one byte every 20 ms, about 3 s in all.
        let dripReply = Failures()
        let dripDone = DispatchSemaphore(value: 0)
        let port = attacked.port
        Thread.detachNewThread {
            let descriptor = RawClient.connect(port)
            defer {
                close(descriptor)
                dripDone.signal()
            }
            for byte in AttackedProxy.rawHead("GET /scim/v2/Users?count=2 HTTP/1.1", ["Connection: close"]).utf8 {
                guard RawClient.send(descriptor, [byte]) else {
                    return
                }
                usleep(20_000)
            }
            dripReply.add(RawClient.readResponse(descriptor))
        }

        var elapsed: [Double] = []
        for _ in 0..<3 {
            let started = Date()
            #expect(attacked.stillServes())
            elapsed.append(Date().timeIntervalSince(started))
        }
        #expect(dripDone.wait(timeout: .now() + 15) == .success)
        let drip = dripReply.all.first ?? ""
        if drip.hasPrefix("HTTP/1.1 200") {
            attacked.complete("GET /Users?count=2")
        }

        #expect(idle.count == 200)
        #expect(elapsed.allSatisfy { $0 < 2 }, "\(elapsed)")
        #expect(drip.hasPrefix("HTTP/1.1 200"), "\(drip.prefix(80))")
        try expectExactlyCompletedRecorded(attacked)
    }

    @Test func connectionLimitEnforced() throws {
        let attacked = try AttackedProxy { $0.connectionLimit = 20 }
        var open: [Int32] = []
        for _ in 0..<20 {
            open.append(RawClient.connect(attacked.port))
        }
        usleep(200_000)

        let refused = RawClient.exchange(
            attacked.port, AttackedProxy.rawHead("GET /scim/v2/Users HTTP/1.1", ["Connection: close"]))
        open.forEach { close($0) }
        let served = attacked.servesAgain(within: 5)

        #expect(open.allSatisfy { $0 >= 0 })
        #expect(refused.isEmpty, "the 21st connection is closed without an answer")
        #expect(served)
        try expectExactlyCompletedRecorded(attacked)
    }

    /// `record` without `--max-connections` accepts 256 connections and closes the 257th.
    @Test func defaultConnectionLimitIs256() throws {
        let attacked = try AttackedProxy()
        var open: [Int32] = []
        for _ in 0..<256 {
            open.append(RawClient.connect(attacked.port))
        }
        usleep(300_000)

        let refused = RawClient.exchange(
            attacked.port, AttackedProxy.rawHead("GET /scim/v2/Users HTTP/1.1", ["Connection: close"]))
        open.forEach { close($0) }
        let served = attacked.servesAgain(within: 5)

        #expect(attacked.proxy.configuration.connectionLimit == 256)
        #expect(open.allSatisfy { $0 >= 0 })
        #expect(refused.isEmpty, "the 257th connection is closed without an answer")
        #expect(served)
        try expectExactlyCompletedRecorded(attacked)
    }

    @Test func idleConnectionClosedAfterTimeout() throws {
        let attacked = try AttackedProxy { $0.connectionTimeout = 1 }
        let descriptor = RawClient.connect(attacked.port)
        defer { close(descriptor) }

        let seconds = RawClient.secondsUntilClosed(descriptor, timeout: 6)

        #expect(seconds != nil, "the proxy closed the idle connection")
        #expect((seconds ?? 99) < 4)
        #expect(attacked.stillServes())
        try expectExactlyCompletedRecorded(attacked)
    }

    /// An upstream that never answers, or answers too slowly, costs the client at most the
    /// upstream timeout (1 s here), and other clients are served meanwhile.
    @Test(arguments: ["hang", "trickle"])
    func slowUpstreamGets504WithinTimeout(misbehaviour: String) throws {
        let attacked = try AttackedProxy(misbehaviours: ["hang": .hang, "trickle": .trickle]) {
            $0.client.timeout = 1
            $0.client.connectTimeout = 1
        }
        let result = Failures()
        let done = DispatchSemaphore(value: 0)
        let url = attacked.proxy.url
        Thread.detachNewThread {
            defer { done.signal() }
            let started = Date()
            let response = try? HTTPClient(configuration: HTTPClientConfiguration(timeout: 10)).send(
                HTTPRequest(
                    method: .get, target: "/scim/v2/Users/\(misbehaviour)",
                    headers: [("Authorization", "Bearer \(AttackedProxy.token)")]),
                url: url + "/Users/\(misbehaviour)")
            result.add(String(Date().timeIntervalSince(started)))
            result.add(String(response?.status.code ?? 0))
            result.add(response?.bodyText ?? "")
        }

        let servedMeanwhile = attacked.stillServes()
        #expect(done.wait(timeout: .now() + 15) == .success)
        let outcome = result.all

        #expect(servedMeanwhile)
        #expect(outcome.count == 3)
        let seconds = Double(outcome.first ?? "") ?? 99
        #expect(seconds >= 0.9)
        #expect(seconds < 3)
        #expect(outcome.dropFirst().first == "504")
        let body = try JSONValue.parse(outcome.last ?? "")
        #expect(body["schemas"] == [.string(SCIMURN.error)])
        #expect(body["status"] == "504")
        #expect(attacked.proxy.counts.upstreamFailures == 1)
        #expect(attacked.stillServes())
        try expectExactlyCompletedRecorded(attacked)
    }

    static let brokenAnswers: [String: String] = [
        "not-http": "SSH-2.0-OpenSSH_9.6\r\n\r\n",
        "close-without-reply": "",
        "switching-protocols": "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
        "partial-body": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"id\":",
        // libcurl reports success for these; the missing blank line gives them away.
        "cut-in-header-block": "HTTP/1.1 201 Created\r\nContent-Type: application/js",
        "cut-after-header-line": "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n",
        "status-line-only": "HTTP/1.1 200 OK\r\n",
        "conflicting-lengths": "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "status-999": "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\n{}",
        "status-600": "HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\n{}",
        "status-099": "HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\n{}",
        "space-in-header-name": "HTTP/1.1 200 OK\r\nX Bad Name: v\r\nContent-Length: 2\r\n\r\n{}",
        "control-in-header-value": "HTTP/1.1 200 OK\r\nX-Control: a\u{01}b\r\nContent-Length: 2\r\n\r\n{}",
        "nul-in-header-value": "HTTP/1.1 200 OK\r\nX-Nul: a\u{00}b\r\nContent-Length: 2\r\n\r\n{}",
        "huge-header":
            "HTTP/1.1 200 OK\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\nContent-Length: 2\r\n\r\n{}",
        "body-over-limit": "HTTP/1.1 200 OK\r\nContent-Length: 8192\r\n\r\n\(String(repeating: " ", count: 8192))",
    ]

    @Test(arguments: brokenAnswers.keys.sorted())
    func brokenUpstreamAnswerGets502(answer: String) throws {
        let misbehaviours = Self.brokenAnswers.mapValues { ScriptedUpstream.Misbehaviour.reply(Array($0.utf8)) }
        let attacked = try AttackedProxy(misbehaviours: misbehaviours) { $0.client.maximumResponseSize = 4096 }
        #expect(attacked.stillServes())

        let response = try HTTPClient().send(
            HTTPRequest(
                method: .get, target: "/scim/v2/Users/\(answer)",
                headers: [("Authorization", "Bearer \(AttackedProxy.token)")]),
            url: attacked.proxy.url + "/Users/\(answer)")

        #expect(response.status.code == 502)
        let body = try JSONValue.parse(bytes: response.body)
        #expect(body["schemas"] == [.string(SCIMURN.error)])
        #expect(body["status"] == "502")
        #expect(attacked.proxy.counts.upstreamFailures == 1)
        #expect(attacked.stillServes())
        try expectExactlyCompletedRecorded(attacked)
    }

    /// A JSON body nested within a few levels of the readers' limit would make the transcript
    /// nest deeper than that limit, so it is recorded as text and the transcript stays readable.
    @Test func deeplyNestedBodyRecordedAsText() throws {
        let levels = RecordedBody.maximumJSONDepth + 3
        let deep = String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        let reply =
            "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: \(deep.utf8.count)\r\n\r\n\(deep)"
        let attacked = try AttackedProxy(misbehaviours: ["deep": .reply(Array(reply.utf8))])
        // `secretary` makes the proxy parse the request body, because it starts with a listed name.
        let requestBody = #"{"secretary":"# + String(deep.dropFirst().dropLast()) + "}"
        let client = HTTPClient()
        let headers: HTTPHeaders = [
            ("Authorization", "Bearer \(AttackedProxy.token)"), ("Content-Type", "application/scim+json"),
        ]

        let read = try client.send(
            HTTPRequest(method: .get, target: "/scim/v2/Users/deep", headers: headers),
            url: attacked.proxy.url + "/Users/deep")
        let written = try client.send(
            HTTPRequest(method: .post, target: "/scim/v2/Users/deep", headers: headers, body: Array(requestBody.utf8)),
            url: attacked.proxy.url + "/Users/deep")
        let journal = try attacked.journaled()
        let (finished, _) = try attacked.proxy.finish()
        let transcript = try #require(finished)
        let path = attacked.folder.appendingPathComponent("deep.json").path
        try Data(transcript.encoded()).write(to: URL(fileURLWithPath: path))
        let readBack = try TranscriptFile.read(path: path)
        let options = VerifyOptions(
            target: try #require(attacked.scripted).baseURL, token: AttackedProxy.token, allowWrites: true,
            isolate: false)
        let outcome = try Verifier(options: options).verify(transcript, file: "deep.json")

        #expect(read.status.code == 200)
        #expect(written.status.code == 200)
        #expect(journal.damagedLines.isEmpty)
        #expect(transcript.exchanges.count == 2)
        #expect(transcript.exchanges.first?.response.body == .text(deep))
        #expect(transcript.exchanges.last?.request.body == .text(requestBody))
        guard case .transcript(let decoded) = readBack else {
            Issue.record("the recorded file did not read back as a transcript: \(readBack)")
            return
        }
        #expect(decoded.exchanges == transcript.exchanges)
        #expect(outcome.status == .passed, "\(outcome.findings.flatMap { $0.lines(file: outcome.file) })")
    }

    /// A JSON body exactly at the limit is still recorded as JSON.
    @Test func bodyAtDepthLimitRecordedAsJSON() throws {
        let levels = RecordedBody.maximumJSONDepth
        let deep = String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        let reply =
            "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: \(deep.utf8.count)\r\n\r\n\(deep)"
        let attacked = try AttackedProxy(misbehaviours: ["deep": .reply(Array(reply.utf8))])

        let response = try attacked.send(.get, "/Users/deep")
        let (finished, _) = try attacked.proxy.finish()
        let transcript = try #require(finished)
        let decoded = try Transcript(json: try JSONValue.parse(bytes: transcript.encoded()))

        #expect(response.status.code == 200)
        #expect(transcript.exchanges.first?.response.body.json != nil)
        #expect(decoded.exchanges == transcript.exchanges)
    }

    /// A response body is recorded de-chunked, so the recorded response keeps no field that
    /// describes the connection or the framing, and keeps the end-to-end fields.
    @Test func responseFramingFieldsNotRecorded() throws {
        let chunked =
            "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n"
            + "Connection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\nTrailer: X-Checksum\r\nX-Hop: 1\r\n"
            + "X-Kept: yes\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\nX-Checksum: 0\r\n\r\n"
        let attacked = try AttackedProxy(misbehaviours: ["chunked": .reply(Array(chunked.utf8))])
        let headers: HTTPHeaders = [("Authorization", "Bearer \(AttackedProxy.token)")]

        let response = try HTTPClient().send(
            HTTPRequest(method: .get, target: "/scim/v2/Users/chunked", headers: headers),
            url: attacked.proxy.url + "/Users/chunked")
        let (finished, _) = try attacked.proxy.finish()
        let exchange = try #require(finished?.exchanges.first)
        let responseNames = Set(exchange.response.headers.fields.map { $0.name.lowercased() })

        #expect(response.status.code == 200)
        #expect(exchange.response.body.json == ["a": 1])
        for name in ["transfer-encoding", "connection", "keep-alive", "trailer", "x-hop"] {
            #expect(!responseNames.contains(name), "the recorded response has \(name)")
        }
        #expect(responseNames.contains("x-kept"))
        #expect(responseNames.contains("content-type"))
    }

    /// A request whose header block leaves too little connection memory for the proxy to respond
    /// after forwarding gets 431 and is neither forwarded nor recorded. One with a few fields fewer
    /// is forwarded and recorded.
    @Test func nearlyFullHeaderBlockGets431() throws {
        let attacked = try AttackedProxy()
        let body = userBody("crowded@header.example").serialized()
        let filler = String(repeating: "v", count: 80)
        func request(fields count: Int, lastValue: String? = nil) -> HTTPRequest {
            var headers: HTTPHeaders = [
                ("Host", "127.0.0.1"), ("Authorization", "Bearer \(AttackedProxy.token)"),
                ("Content-Type", "application/scim+json"), ("Content-Length", String(body.utf8.count)),
                ("Connection", "close"),
            ]
            for index in 0..<count {
                headers.add(name: String(format: "X-R%04d", index), value: filler)
            }
            if let lastValue {
                headers.add(name: "X-Last", value: lastValue)
            }
            return HTTPRequest(method: .post, target: "/scim/v2/Users", headers: headers)
        }
        func raw(_ request: HTTPRequest) -> String {
            let fields = request.headers.fields.map { "\($0.name): \($0.value)" }
            return (["POST /scim/v2/Users HTTP/1.1"] + fields).joined(separator: "\r\n") + "\r\n\r\n" + body
        }
        let limit = attacked.proxy.configuration.connectionMemoryLimit
        // The first count whose header block leaves less than 800 bytes, which is below the room
        // the proxy keeps and above the size of its 431.
        var count = 1
        while HTTPServerConfiguration.responseMemory(leftBy: request(fields: count), connectionMemoryLimit: limit)
            >= 800
        {
            count += 1
        }

        let left = HTTPServerConfiguration.responseMemory(leftBy: request(fields: count), connectionMemoryLimit: limit)
        // X-Last takes its name, value, ": " and CRLF, and 64 bytes of libmicrohttpd's record,
        // so this value leaves 70 bytes: too few for the SCIM error, enough for a 431 without fields.
        let nearlyFull = request(fields: count, lastValue: String(repeating: "w", count: left - 6 - 4 - 64 - 70))

        let crowded = RawClient.exchange(attacked.port, raw(request(fields: count)))
        let full = RawClient.exchange(attacked.port, raw(nearlyFull))
        let usersAfterCrowded = try attacked.userCount()
        let roomy = RawClient.exchange(attacked.port, raw(request(fields: count - 10)))
        let usersAfterRoomy = try attacked.userCount()
        let journal = try attacked.journaled()

        #expect(crowded.hasPrefix("HTTP/1.1 431"), "\(crowded.prefix(80))")
        #expect(crowded.contains("did not forward the request"))
        #expect(full.hasPrefix("HTTP/1.1 431"), "\(full.prefix(80))")
        #expect(HTTPServerConfiguration.responseMemory(leftBy: nearlyFull, connectionMemoryLimit: limit) == 70)
        #expect(usersAfterCrowded == 0)
        #expect(roomy.hasPrefix("HTTP/1.1 201"), "\(roomy.prefix(80))")
        #expect(usersAfterRoomy == 1)
        #expect(journal.exchanges == ["POST /Users"])
        #expect(journal.damagedLines.isEmpty)
        #expect(attacked.proxy.counts.rejected == 2)
        #expect(attacked.stillServes())
    }
}
