import Foundation
import SCIM
import Testing

/// `scimtape verify` against an HTTPS target whose certificate is self-signed: the recording
/// proxy serving TLS in front of a reference endpoint.
@Suite(.serialized) struct VerifyOverTLS {
    static let token = "e2e-verify-tls-token-4c7a1e9b3d5f"

    /// Starts a reference endpoint and an HTTPS recording proxy in front of it, and runs verify
    /// through the proxy with `options`.
    private func verifyThroughProxy(_ options: (_ certificate: String) -> [String], in folder: TemporaryFolder)
        throws -> BinaryRunner.Result
    {
        let (certificate, key) = try folder.makeSelfSignedCertificate()
        let upstream = try ServeProcess([], environment: ["SCIMTAPE_TOKEN": Self.token])
        defer { upstream.stop() }
        let record = try RecordProcess(
            [
                "--upstream", upstream.baseURL, "--out", folder.path("proxied.json"), "--tls-cert", certificate,
                "--tls-key", key,
            ], stderrPath: folder.path("record.log"))
        defer { _ = record.stop() }

        return try BinaryRunner.run(
            [
                "verify", "Recordings/02-create-user.json", "Recordings/08-deleted-teammate.json", "--target",
                record.url, "--json", folder.path("report.json"),
            ] + options(certificate),
            environment: ["SCIMTAPE_TOKEN": Self.token])
    }

    /// An untrusted certificate would fail every transcript the same way, so the preflight query
    /// stops the run as for an unreachable target, and the error explains how to trust the certificate.
    @Test func untrustedCertificateStopsRun() throws {
        let folder = try TemporaryFolder()

        let verify = try verifyThroughProxy({ _ in [] }, in: folder)

        #expect(verify.status == 3, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stderr.contains("Error: the TLS connection to the target"), "\(verify.stderr)")
        #expect(verify.stderr.contains("(libcurl error 60)"), "\(verify.stderr)")
        #expect(verify.stderr.contains("pass --cacert FILE"), "\(verify.stderr)")
        #expect(verify.stderr.contains("--insecure skips verification, for development only"), "\(verify.stderr)")
        #expect(!verify.stdout.contains("[transport]"), "\(verify.stdout)")
        #expect(!verify.stdout.contains("SKIP"), "\(verify.stdout)")
        let report = try JSONValue.parse(try folder.read("report.json"))
        #expect(report["stopped"]?.stringValue?.contains("(libcurl error 60)") == true, "\(report)")
        #expect(report["transcripts"]?.arrayValue?.isEmpty == true)
    }

    @Test func trustedCertificateRunsTranscripts() throws {
        let folder = try TemporaryFolder()

        let verify = try verifyThroughProxy({ certificate in ["--cacert", certificate] }, in: folder)

        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("2 transcripts: 2 passed"), "\(verify.stdout)")
    }
}
