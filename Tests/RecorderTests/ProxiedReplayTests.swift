import Foundation
import HTTP
import Recorder
import SCIM
import Testing
import Transcript
import Verifier

@Suite struct ProxiedReplay {
    static let recordings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Recordings")

    /// Replays a shipped transcript through the proxy, so the proxy records the kind of traffic Entra sends.
    private func driveThroughProxy(_ harness: ProxyHarness, recording: String) throws {
        let path = Self.recordings.appendingPathComponent(recording).path
        guard case .transcript(let transcript) = try TranscriptFile.read(path: path) else {
            throw ProxyTestFailure("\(recording) is not a transcript")
        }
        let verifier = Verifier(
            options: VerifyOptions(target: harness.proxy.url, token: ProxyHarness.token, isolate: false))
        let outcome = try verifier.verify(transcript, file: recording)
        guard outcome.status == .passed else {
            throw ProxyTestFailure("\(recording) did not pass through the proxy: \(outcome.findings)")
        }
    }

    @Test(arguments: ["02-create-user.json", "04-unassign-reassign.json", "07-template-always-mapping.json"])
    func proxiedTranscriptVerifiesElsewhere(recording: String) throws {
        let harness = try ProxyHarness()
        try driveThroughProxy(harness, recording: recording)
        let (recorded, _) = try harness.proxy.finish()
        let transcript = try #require(recorded)

        let outcome = try Verifier(options: VerifyOptions()).verify(transcript, file: "proxied-\(recording)")

        #expect(outcome.status == .passed, "\(outcome.findings.flatMap { $0.lines(file: outcome.file) })")
        #expect(outcome.exchangeCount == transcript.exchanges.count)
        #expect(transcript.source.kind == .proxied)
    }

    @Test func tlsListenerRecordsHTTPS() throws {
        let folder = try ProxyHarness.makeFolder()
        let (certificate, key) = try makeSelfSignedCertificate(in: folder)
        let tls = HTTPServerConfiguration.TLS(
            certificatePEM: try String(contentsOfFile: certificate, encoding: .utf8),
            privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8))
        let harness = try ProxyHarness(tls: tls, folder: folder)
        let client = HTTPClient(configuration: HTTPClientConfiguration(caCertificatePath: certificate))

        let response = try harness.send(.post, "/Users", json: userBody("tls@secure.example"), client: client)
        let (transcript, _) = try harness.proxy.finish()

        #expect(harness.proxy.url.hasPrefix("https://127.0.0.1:"))
        #expect(response.status.code == 201)
        #expect(transcript?.exchanges.count == 1)
        #expect(transcript?.exchanges.first?.request.body.json?["userName"] == "tls@secure.example")
    }

    @Test func untrustedCertificateIsRejectedByClient() throws {
        let folder = try ProxyHarness.makeFolder()
        let (certificate, key) = try makeSelfSignedCertificate(in: folder)
        let tls = HTTPServerConfiguration.TLS(
            certificatePEM: try String(contentsOfFile: certificate, encoding: .utf8),
            privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8))
        let harness = try ProxyHarness(tls: tls, folder: folder)

        #expect(throws: HTTPClientError.self) {
            try harness.send(.get, "/Users")
        }
    }
}
