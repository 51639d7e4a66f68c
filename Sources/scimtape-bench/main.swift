import Foundation
import HTTP
import Logging
import SCIM
import Synchronization

// The helpers .ci/bench needs around wrk: a fixed-response server that measures what
// libmicrohttpd and the HTTP module can serve on this machine, and a seeder that creates users
// through any SCIM endpoint before the load runs.

let usage = """
    USAGE:
      scimtape-bench ceiling [--host ADDRESS] [--port N] [--threads N]
      scimtape-bench forward --upstream ORIGIN [--host ADDRESS] [--port N] [--threads N]
      scimtape-bench seed --url SCIM_BASE --users N [--token-file FILE] [--concurrency N] [--ids-file FILE]
                          [--time-limit SECONDS] [--allow-writes]

    SUBCOMMANDS:
      ceiling   Serve one fixed application/scim+json ListResponse for every request, on the same
                HTTPServer and thread pool as 'scimtape serve'. The first line of standard output is the
                origin, such as http://127.0.0.1:8080. SIGINT or SIGTERM stops the server.
      forward   Forward every request to ORIGIN (such as http://127.0.0.1:8080) and return its answer,
                on the same event loops and libcurl multi handles as 'scimtape record', without
                capturing or journaling anything: what a proxy on these libraries costs before it
                records. The first line of standard output is the origin. SIGINT or SIGTERM stops it.
      seed      Create users user0@bench.example to user{N-1}@bench.example with POST SCIM_BASE/Users
                and print how long it took. Stops at the first response other than 201 Created.

    OPTIONS (ceiling):
      --host ADDRESS      IPv4 or IPv6 address to listen on. (default: 127.0.0.1)
      --port N            TCP port; 0 picks a free one. (default: 0)
      --threads N         Server threads. (default: the number of processors)

    OPTIONS (forward):
      --upstream ORIGIN   Scheme, host and port to forward to; the request target is kept.
      --host, --port      As for ceiling.
      --threads N         Event loops. (default: the number of processors)

    OPTIONS (seed):
      --url SCIM_BASE     SCIM base URL, such as http://127.0.0.1:8080/scim/v2.
      --users N           Number of users to create.
      --token-file FILE   File containing the bearer token to send. SCIMTAPE_TOKEN works too. Without
                          either, no Authorization header is sent.
      --concurrency N     Parallel connections, one libcurl client and thread each. (default: 8)
      --ids-file FILE     Write the id of each created user to FILE, one per line, in userName order.
      --time-limit SECONDS
                          Start no new request after SECONDS. The users created are then user0 to
                          user{K-1}, and the output reports K. (default: no limit)
      --allow-writes      Allow a SCIM base that is not on a loopback address.
    """

/// Exit codes: 0 success, 1 seeding failed (a request, or writing the ids file), 2 a usage error.
enum ExitCode: Int32 {
    case success = 0
    case failed = 1
    case usage = 2
}

struct UsageError: Error {
    let message: String
}

func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

// MARK: - Arguments

/// `--name value` and `--name=value` options plus flags, checked against the names a subcommand
/// accepts.
struct Options {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    init(_ arguments: [String], valued: Set<String>, flags flagNames: Set<String>) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else {
                throw UsageError(message: "unexpected argument '\(argument)'")
            }
            let parts = argument.dropFirst(2).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            if flagNames.contains(name), parts.count == 1 {
                flags.insert(name)
                index += 1
                continue
            }
            guard valued.contains(name) else {
                throw UsageError(message: "unknown option '--\(name)'")
            }
            guard values[name] == nil else {
                throw UsageError(message: "--\(name) is given more than once")
            }
            if parts.count == 2 {
                values[name] = String(parts[1])
                index += 1
            } else {
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                    throw UsageError(message: "--\(name) needs a value")
                }
                values[name] = arguments[index + 1]
                index += 2
            }
        }
    }

    func value(_ name: String) -> String? {
        values[name]
    }

    func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// Reads an integer option within `range`, or returns `defaultValue` when it is absent.
    func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws(UsageError) -> Int {
        guard let text = values[name] else {
            return defaultValue
        }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(
                message: "--\(name) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }
}

// MARK: - ceiling

/// A ListResponse holding one user shaped like the seeded ones, so that the ceiling sends about as
/// many bytes per response as a `userName eq` filter on `scimtape serve`.
func ceilingBody() -> [UInt8] {
    let user: JSONValue = [
        "schemas": [.string(SCIMURN.user)],
        "id": "00000000-0000-4000-8000-000000000000",
        "externalId": "bench-0",
        "userName": "user0@bench.example",
        "name": ["givenName": "Bench", "familyName": "User 0"],
        "displayName": "Bench User 0",
        "emails": [["value": "user0@bench.example", "type": "work", "primary": true]],
        "active": true,
        "meta": [
            "resourceType": "User",
            "created": "2025-01-01T00:00:00Z",
            "lastModified": "2025-01-01T00:00:00Z",
            "location": "http://127.0.0.1/scim/v2/Users/00000000-0000-4000-8000-000000000000",
            "version": "W/\"1\"",
        ],
    ]
    return ListResponse(totalResults: 1, resources: [user]).json.serializedBytes()
}

func runCeiling(_ arguments: [String]) throws(UsageError) -> Never {
    // SIGINT and SIGTERM are blocked before any thread starts, so every libmicrohttpd thread
    // inherits the mask and the signals wait for `sigwait` below. This avoids a dispatch signal
    // source with SIG_IGN, because on Linux libdispatch installs its own handler asynchronously on
    // its manager thread (src/event/event_epoll.c), and a SIG_IGN that lands after that handler
    // makes the process ignore the signal.
    let stopSignals = blockStopSignals()

    let options = try Options(arguments, valued: ["host", "port", "threads"], flags: [])
    var configuration = HTTPServerConfiguration()
    configuration.host = options.value("host") ?? "127.0.0.1"
    configuration.port = UInt16(try options.integer("port", in: 0...65_535, default: 0))
    let threads = try options.integer(
        "threads", in: 1...256, default: ProcessInfo.processInfo.activeProcessorCount)
    configuration.threading = .pool(threads)

    let response = HTTPResponse(
        status: .ok, headers: [("Content-Type", "\(SCIMMediaType.scimJSON); charset=utf-8")], body: ceilingBody())
    let logger = Logger(label: "scimtape-bench.ceiling", level: .notice)
    let server = HTTPServer(configuration: configuration, logger: logger) { _ in response }
    serveUntilStopped(
        server, signals: stopSignals, logger: logger, name: "ceiling",
        metadata: ["server.threads": String(threads), "http.body_bytes": String(response.body.count)])
}

/// Blocks SIGINT and SIGTERM in the calling thread, so that threads started later inherit the
/// mask and the signals wait for `sigwait`; returns the set.
func blockStopSignals() -> sigset_t {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    return signals
}

/// Starts `server`, prints its origin as the first line of standard output, and stops it and
/// exits when one of `signals` arrives. The signals must be blocked in every thread.
func serveUntilStopped(
    _ server: HTTPServer, signals: sigset_t, logger: Logger, name: String, metadata: [String: String]
) -> Never {
    do {
        try server.start()
    } catch {
        printError("Error: \(error.message)")
        exit(ExitCode.usage.rawValue)
    }
    printLine(server.origin)
    logger.notice("\(name) server started", metadata: metadata.merging(["server.origin": server.origin]) { $1 })
    var signals = signals
    var received: Int32 = 0
    sigwait(&signals, &received)
    server.stop()
    logger.notice("\(name) server stopped", metadata: ["server.origin": server.origin, "signal": String(received)])
    exit(ExitCode.success.rawValue)
}

// MARK: - forward

/// Header fields a proxy does not pass on: hop-by-hop fields, and the ones libcurl and
/// libmicrohttpd write themselves.
let notForwarded: Set<String> = ["host", "connection", "keep-alive", "transfer-encoding", "content-length", "te"]

func forwardable(_ headers: HTTPHeaders) -> HTTPHeaders {
    HTTPHeaders(headers.fields.filter { !notForwarded.contains($0.name.lowercased()) })
}

func runForward(_ arguments: [String]) throws(UsageError) -> Never {
    // As in runCeiling, before any thread starts.
    let stopSignals = blockStopSignals()

    let options = try Options(arguments, valued: ["upstream", "host", "port", "threads"], flags: [])
    guard let upstream = options.value("upstream"), upstream.hasPrefix("http://") || upstream.hasPrefix("https://")
    else {
        throw UsageError(message: "forward needs --upstream with an http or https origin")
    }
    let origin = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
    var configuration = HTTPServerConfiguration()
    configuration.host = options.value("host") ?? "127.0.0.1"
    configuration.port = UInt16(try options.integer("port", in: 0...65_535, default: 0))
    let loops = try options.integer("threads", in: 1...256, default: ProcessInfo.processInfo.activeProcessorCount)
    configuration.threading = .eventLoops(loops)
    configuration.connectionLimit = 256

    let logger = Logger(label: "scimtape-bench.forward", level: .notice)
    let server = HTTPServer(configuration: configuration, client: HTTPClientConfiguration(), logger: logger) {
        request, pending in
        let forwarded = HTTPRequest(
            method: request.method, target: request.target, headers: forwardable(request.headers),
            body: request.body)
        pending.send(forwarded, url: origin + request.target) { result in
            switch result {
            case .success(let response):
                pending.respond(
                    HTTPResponse(status: response.status, headers: forwardable(response.headers), body: response.body))
            case .failure(let error):
                pending.respond(HTTPResponse(status: .badGateway, body: Array((error.message + "\n").utf8)))
            }
        }
        return nil
    }
    serveUntilStopped(
        server, signals: stopSignals, logger: logger, name: "forwarding",
        metadata: ["server.loops": String(loops), "proxy.upstream": origin])
}

// MARK: - seed

/// State shared by the seeding threads: the next user index to create, the ids created so far,
/// and the first failure, which makes every thread stop.
final class SeedRun: Sendable {
    let userCount: Int
    /// `DispatchTime.uptimeNanoseconds` after which no index is handed out.
    let deadline: UInt64
    private let nextIndex = Atomic<Int>(0)
    private let ids: Mutex<[String?]>
    private let failure = Mutex<String?>(nil)

    init(userCount: Int, deadline: UInt64) {
        self.userCount = userCount
        self.deadline = deadline
        self.ids = Mutex([String?](repeating: nil, count: userCount))
    }

    /// Claims the next user index, or returns `nil` when every user is claimed, a thread failed
    /// or the deadline passed.
    func claimIndex() -> Int? {
        guard firstFailure == nil, DispatchTime.now().uptimeNanoseconds < deadline else {
            return nil
        }
        let index = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < userCount ? index : nil
    }

    func record(id: String, at index: Int) {
        ids.withLock { $0[index] = id }
    }

    /// Keeps the first failure message, because later ones are usually follow-on errors.
    func fail(_ message: String) {
        failure.withLock { current in
            if current == nil {
                current = message
            }
        }
    }

    var firstFailure: String? {
        failure.withLock { $0 }
    }

    var createdIds: [String?] {
        ids.withLock { $0 }
    }
}

func userBody(index: Int) -> [UInt8] {
    let userName = "user\(index)@bench.example"
    let user: JSONValue = [
        "schemas": [.string(SCIMURN.user)],
        "userName": .string(userName),
        "externalId": .string("bench-\(index)"),
        "name": ["givenName": "Bench", "familyName": .string("User \(index)")],
        "displayName": .string("Bench User \(index)"),
        "emails": [["value": .string(userName), "type": "work", "primary": true]],
        "active": true,
    ]
    return user.serializedBytes()
}

/// Creates users on one connection until `run` has no index left or a request failed.
func seedUsers(run: SeedRun, usersURL: String, token: String?) {
    let client = HTTPClient()
    var headers: HTTPHeaders = [("Content-Type", SCIMMediaType.scimJSON), ("Accept", SCIMMediaType.scimJSON)]
    if let token {
        headers.add(name: "Authorization", value: "Bearer \(token)")
    }
    while let index = run.claimIndex() {
        let request = HTTPRequest(method: .post, target: usersURL, headers: headers, body: userBody(index: index))
        let response: HTTPResponse
        do {
            response = try client.send(request, url: usersURL)
        } catch {
            run.fail("POST \(usersURL) for user\(index)@bench.example failed: \(error.message)")
            return
        }
        guard response.status.code == 201 else {
            let body = String(decoding: response.body.prefix(500), as: UTF8.self)
            run.fail(
                "POST \(usersURL) for user\(index)@bench.example returned \(response.status), expected 201 Created: \(body)"
            )
            return
        }
        let parsed = try? JSONValue.parse(bytes: response.body)
        guard let id = parsed?["id"]?.stringValue, !id.isEmpty else {
            run.fail("POST \(usersURL) for user\(index)@bench.example returned 201 Created without a string 'id'")
            return
        }
        run.record(id: id, at: index)
    }
}

func readToken(file: String?) throws(UsageError) -> String? {
    guard let file else {
        let token = ProcessInfo.processInfo.environment["SCIMTAPE_TOKEN"]?.trimmingCharacters(
            in: .whitespacesAndNewlines)
        return token?.isEmpty == false ? token : nil
    }
    let contents: String
    do {
        contents = try String(contentsOfFile: file, encoding: .utf8)
    } catch {
        throw UsageError(message: "cannot read the token file '\(file)': \(error.localizedDescription)")
    }
    let token = contents.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
        throw UsageError(message: "the token file '\(file)' must contain one token without spaces or line breaks")
    }
    return token
}

func runSeed(_ arguments: [String]) throws(UsageError) -> ExitCode {
    let options = try Options(
        arguments, valued: ["url", "users", "token-file", "concurrency", "ids-file", "time-limit"],
        flags: ["allow-writes"])
    guard let urlText = options.value("url") else {
        throw UsageError(message: "--url is missing. Pass the SCIM base URL, such as http://127.0.0.1:8080/scim/v2.")
    }
    guard options.value("users") != nil else {
        throw UsageError(message: "--users is missing. Pass the number of users to create.")
    }
    let userCount = try options.integer("users", in: 1...10_000_000, default: 0)
    let concurrency = try options.integer("concurrency", in: 1...256, default: 8)
    let timeLimit = try options.integer("time-limit", in: 1...86_400, default: 86_400)
    let base: BaseURL
    do {
        base = try BaseURL(urlText)
    } catch {
        throw UsageError(message: error.description)
    }
    guard base.isLoopback || options.flag("allow-writes") else {
        throw UsageError(
            message: "\(base) is not on a loopback address. Pass --allow-writes to create \(userCount) users there.")
    }
    let token = try readToken(file: options.value("token-file"))
    let usersURL = base.description + "/Users"

    let started = DispatchTime.now()
    let run = SeedRun(
        userCount: userCount, deadline: started.uptimeNanoseconds + UInt64(timeLimit) * 1_000_000_000)
    let group = DispatchGroup()
    for _ in 0..<min(concurrency, userCount) {
        group.enter()
        let thread = Thread {
            seedUsers(run: run, usersURL: usersURL, token: token)
            group.leave()
        }
        thread.start()
    }
    group.wait()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9

    if let failure = run.firstFailure {
        let created = run.createdIds.count { $0 != nil }
        printError("Error: \(failure)")
        printError("Created \(created) of \(userCount) users before the failure, in \(formatted(seconds)) s.")
        return .failed
    }
    // Indexes are claimed in order and every claimed request completed, so the created users are
    // a prefix of the requested ones.
    let createdIds = run.createdIds.prefix { $0 != nil }.compactMap { $0 }
    if let idsFile = options.value("ids-file") {
        let text = createdIds.map { $0 + "\n" }.joined()
        do {
            try text.write(toFile: idsFile, atomically: true, encoding: .utf8)
        } catch {
            printError("Error: cannot write the ids file '\(idsFile)': \(error.localizedDescription)")
            return .failed
        }
    }
    let rate = Double(createdIds.count) / max(seconds, 1e-9)
    let limitNote = createdIds.count < userCount ? "; stopped at the \(timeLimit) s time limit" : ""
    printLine(
        "seeded \(createdIds.count) of \(userCount) users at \(usersURL) in \(formatted(seconds)) s "
            + "(\(Int(rate.rounded())) users/s, \(min(concurrency, userCount)) connections\(limitNote))")
    return .success
}

func formatted(_ seconds: Double) -> String {
    String(format: "%.2f", seconds)
}

// MARK: - Entry point

func main() -> ExitCode {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let subcommand = arguments.first else {
        printError(usage)
        return .usage
    }
    let rest = Array(arguments.dropFirst())
    do throws(UsageError) {
        switch subcommand {
        case "-h", "--help", "help":
            printLine(usage)
            return .success
        case "ceiling":
            try runCeiling(rest)
        case "forward":
            try runForward(rest)
        case "seed":
            return try runSeed(rest)
        default:
            throw UsageError(message: "unknown subcommand '\(subcommand)'. Use ceiling, forward or seed.")
        }
    } catch {
        printError("Error: \(error.message)")
        printError("Run 'scimtape-bench --help' for the usage.")
        return .usage
    }
}

exit(main().rawValue)
