import Foundation
import HTTP
import Logging
import ReferenceServer
import SCIM
import Transcript

/// Replays transcripts against an endpoint and judges them with SCIM semantics and contract rules.
public final class Verifier {
    private let options: VerifyOptions
    private let client: HTTPClient
    private var externalAdminRoute: Bool?
    private let deadline: DispatchTime?

    /// Creates a verifier; the run's time limit, if any, starts now.
    public convenience init(options: VerifyOptions) {
        self.init(options: options, deadline: Verifier.deadline(options))
    }

    /// Creates a verifier that stops sending at `deadline`, which several verifiers of one run
    /// share; `nil` for no limit.
    public init(options: VerifyOptions, deadline: DispatchTime?) {
        self.options = options
        self.client = HTTPClient(configuration: options.client, logger: options.logger)
        self.deadline = deadline
    }

    /// Returns the end of a run with `options.runTimeLimit` that starts now, or `nil` without a limit.
    public static func deadline(_ options: VerifyOptions) -> DispatchTime? {
        options.runTimeLimit.map { DispatchTime.now() + .milliseconds(Int($0 * 1000)) }
    }

    /// Seconds left before the deadline, at most 0 once it has passed; `nil` without a limit.
    private var remainingTime: Double? {
        deadline.map(RunDeadline.remainingSeconds)
    }

    private var settings: ReplaySettings {
        ReplaySettings(
            profile: options.profile, bootstrap: options.bootstrap, cleanup: options.cleanup, derive: options.derive,
            stateHook: options.stateHook, extraHeaders: options.extraHeaders, retries: options.retries,
            deadline: deadline)
    }

    /// Whether the run's time limit has passed.
    public var isPastDeadline: Bool {
        remainingTime.map { $0 <= 0 } ?? false
    }

    /// Checks the options before any request is sent.
    public func validate() throws(VerifyFailure) {
        guard let target = options.target else {
            return
        }
        let base = try parse(target)
        if !options.allowWrites && !base.isLoopback {
            throw VerifyFailure.usage(
                "--target \(base) is not a loopback address; verify creates and changes users there, so pass "
                    + "--allow-writes to confirm")
        }
    }

    /// Sends one read-only request to the target before any transcript runs: the query that Entra's
    /// test connection sends, for a userName that does not exist. A refused connection or a failed
    /// TLS handshake stops the run as unreachable, and a 401 or 403 stops it as a usage error.
    /// Every transcript would fail the same way, and the cause is the token, the URL or the
    /// certificate, not the transcripts.
    public func preflight() throws(VerifyFailure) {
        guard let target = options.target else {
            return
        }
        let base = try parse(target)
        let userName = "scimtape-preflight-\(UUID().uuidString.lowercased())@example.invalid"
        let query = "/Users?filter=userName%20eq%20%22\(userName)%22"
        var headers = HTTPHeaders()
        for field in options.extraHeaders {
            headers.replace(name: field.name, value: field.value)
        }
        if let token = options.token {
            headers.replace(name: "Authorization", value: "Bearer \(token)")
        }
        if isPastDeadline {
            return
        }
        let response: HTTPResponse
        do {
            response = try client.send(
                HTTPRequest(method: .get, target: base.path + query, headers: headers),
                url: base.origin + base.path + query, timeout: remainingTime)
        } catch {
            if error.kind == .connectionFailed {
                throw VerifyFailure.targetUnreachable("the target \(base) is unreachable: \(error.message)")
            }
            if error.kind == .tlsFailed {
                throw VerifyFailure.tlsFailed("the TLS connection to the target \(base) failed: \(error.message)")
            }
            // Timeouts and broken responses are findings of the transcripts.
            return
        }
        if response.status.code == 401 || response.status.code == 403 {
            let advice =
                options.token == nil
                ? "no token was sent; set SCIMTAPE_TOKEN or --token-file" : "check the token and the target URL"
            throw VerifyFailure.usage(
                "the target rejected the bearer token: GET \(base)\(query) returned \(response.status.code); \(advice)")
        }
    }

    private func parse(_ target: String) throws(VerifyFailure) -> BaseURL {
        do {
            return try BaseURL(target)
        } catch {
            throw VerifyFailure.usage("--target: \(error.description)")
        }
    }

    /// Verifies one transcript. Throws only when the whole run must stop.
    public func verify(_ transcript: Transcript, file: String) throws(VerifyFailure) -> TranscriptOutcome {
        if isPastDeadline {
            return Self.notRunOutcome(transcript, file: file)
        }
        guard let target = options.target else {
            return try verifyEmbedded(transcript, file: file)
        }
        try validate()
        let base = try parse(target)
        let hasAdminRoute =
            transcript.preconditions.isEmpty || options.stateHook != nil ? false : try adminRouteAvailable(base)
        if isPastDeadline {
            // The time limit may have cut the probe of the admin route short, so its result is unreliable.
            return Self.notRunOutcome(transcript, file: file)
        }
        let replay = TranscriptReplay(
            transcript: transcript, file: file,
            target: ReplayTarget(
                base: base, token: options.token, hasAdminRoute: hasAdminRoute,
                isolate: options.isolate ?? true, external: true),
            settings: settings, client: client, logger: options.logger)
        return try replay.run()
    }

    /// Returns the outcome of a transcript that the run's time limit did not let start.
    public static func notRunOutcome(_ transcript: Transcript, file: String) -> TranscriptOutcome {
        TranscriptOutcome(
            file: file, name: transcript.name,
            status: .notRun(reason: "the run's time limit was reached before this transcript started"),
            findings: [], exchangeCount: 0, duration: 0)
    }

    private func verifyEmbedded(_ transcript: Transcript, file: String) throws(VerifyFailure) -> TranscriptOutcome {
        let token = "embedded-" + UUID().uuidString.lowercased()
        let server: ReferenceServer
        do {
            // An in-memory endpoint cannot fail to open its store.
            server = try ReferenceServer(
                configuration: ReferenceServerConfiguration(
                    profile: options.profile.serverProfile, deviations: options.embeddedDeviations, token: token,
                    logger: options.logger.child(label: "scimtape.serve")))
            try server.start()
        } catch {
            throw VerifyFailure.usage("the embedded reference endpoint could not start: \(error)")
        }
        defer { server.stop() }
        let base = try parse(server.baseURL)
        let replay = TranscriptReplay(
            transcript: transcript, file: file,
            target: ReplayTarget(
                base: base, token: token, hasAdminRoute: true, isolate: options.isolate ?? false, external: false),
            settings: settings, client: client, logger: options.logger)
        return try replay.run()
    }

    /// Probes `/_scimtape/state` once per run. A 401 or 403 stops the run, because every request
    /// would fail the same way and the cause is the token, not the transcripts.
    private func adminRouteAvailable(_ base: BaseURL) throws(VerifyFailure) -> Bool {
        if let known = externalAdminRoute {
            return known
        }
        var headers = HTTPHeaders()
        if let token = options.token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        let response: HTTPResponse
        do {
            response = try client.send(
                HTTPRequest(method: .get, target: "/_scimtape/state", headers: headers),
                url: base.origin + "/_scimtape/state", timeout: remainingTime)
        } catch {
            if error.kind == .connectionFailed {
                throw VerifyFailure.targetUnreachable("the target \(base) is unreachable: \(error.message)")
            }
            if isPastDeadline {
                // Cut short by the run's time limit; the caller does not run the transcript.
                return false
            }
            externalAdminRoute = false
            return false
        }
        if response.status.code == 401 || response.status.code == 403 {
            let advice = options.token == nil ? "set SCIMTAPE_TOKEN or --token-file" : "check the token"
            throw VerifyFailure.usage(
                "the target rejected the bearer token with \(response.status.code) on \(base.origin)/_scimtape/state; "
                    + advice)
        }
        let available = response.status.code == 200 && (try? JSONValue.parse(bytes: response.body))?["profile"] != nil
        externalAdminRoute = available
        return available
    }

    /// Returns whether a URL's host, as libcurl reads it, is a loopback address.
    public static func isLoopback(_ url: String) -> Bool {
        (try? BaseURL(url))?.isLoopback ?? false
    }
}
