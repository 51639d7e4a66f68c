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

    public init(options: VerifyOptions) {
        self.options = options
        self.client = HTTPClient(configuration: options.client, logger: options.logger)
    }

    /// Checks the options before any request is sent.
    public func validate() throws(VerifyFailure) {
        guard let target = options.target else {
            return
        }
        let lowered = target.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw VerifyFailure.usage("--target must be an http or https URL, not '\(target)'")
        }
        if !options.allowWrites && !Verifier.isLoopback(target) {
            throw VerifyFailure.usage(
                "--target \(target) is not a loopback address; verify creates and changes users there, so pass --allow-writes to confirm"
            )
        }
    }

    /// Verifies one transcript. Throws only when the whole run must stop.
    public func verify(_ transcript: Transcript, file: String) throws(VerifyFailure) -> TranscriptOutcome {
        if let target = options.target {
            let replay = TranscriptReplay(
                transcript: transcript, file: file,
                target: ReplayTarget(
                    baseURL: Verifier.trimmed(target), token: options.token,
                    hasAdminRoute: transcript.preconditions.isEmpty ? false : try adminRouteAvailable(target),
                    isolate: options.isolate ?? true, external: true),
                profile: options.profile, client: client, logger: options.logger)
            return try replay.run()
        }
        return try verifyEmbedded(transcript, file: file)
    }

    private func verifyEmbedded(_ transcript: Transcript, file: String) throws(VerifyFailure) -> TranscriptOutcome {
        let token = "embedded-" + UUID().uuidString.lowercased()
        let server = ReferenceServer(
            configuration: ReferenceServerConfiguration(
                profile: options.profile.serverProfile, deviations: options.embeddedDeviations, token: token,
                logger: options.logger.child(label: "scimtape.serve")))
        do {
            try server.start()
        } catch {
            throw VerifyFailure.usage("the embedded reference endpoint could not start: \(error.message)")
        }
        defer { server.stop() }
        let replay = TranscriptReplay(
            transcript: transcript, file: file,
            target: ReplayTarget(
                baseURL: server.baseURL, token: token, hasAdminRoute: true, isolate: options.isolate ?? false,
                external: false),
            profile: options.profile, client: client, logger: options.logger)
        return try replay.run()
    }

    private func adminRouteAvailable(_ target: String) throws(VerifyFailure) -> Bool {
        if let known = externalAdminRoute {
            return known
        }
        let origin = ReplayTarget(
            baseURL: Verifier.trimmed(target), token: nil, hasAdminRoute: false, isolate: false, external: true
        ).origin
        var headers = HTTPHeaders()
        if let token = options.token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        do {
            let response = try client.send(
                HTTPRequest(method: .get, target: "/_scimtape/state", headers: headers),
                url: origin + "/_scimtape/state")
            let available =
                response.status.code == 200 && (try? JSONValue.parse(bytes: response.body))?["profile"] != nil
            externalAdminRoute = available
            return available
        } catch {
            if error.kind == .connectionFailed {
                throw VerifyFailure.targetUnreachable("the target \(target) is unreachable: \(error.message)")
            }
            externalAdminRoute = false
            return false
        }
    }

    static func trimmed(_ url: String) -> String {
        var result = url
        while result.hasSuffix("/") {
            result.removeLast()
        }
        if let query = result.firstIndex(of: "?") {
            // The tenant URL's feature flag (?aadOptscim062020) is not part of the base path.
            result = String(result[..<query])
            while result.hasSuffix("/") {
                result.removeLast()
            }
        }
        return result
    }

    /// Returns whether a URL's host is a loopback address.
    public static func isLoopback(_ url: String) -> Bool {
        guard let schemeEnd = url.range(of: "://") else {
            return false
        }
        var host = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" }
        if let at = host.lastIndex(of: "@") {
            host = host[host.index(after: at)...]
        }
        let hostName: Substring
        if host.hasPrefix("[") {
            hostName = host.dropFirst().prefix { $0 != "]" }
        } else {
            hostName = host.prefix { $0 != ":" }
        }
        let lowered = hostName.lowercased()
        if lowered == "localhost" || lowered == "::1" {
            return true
        }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { octet in octet.count <= 3 && UInt8(octet) != nil }
    }
}
