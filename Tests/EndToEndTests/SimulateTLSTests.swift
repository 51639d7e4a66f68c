import Foundation
import SCIM
import Testing

/// `scimtape simulate` against an HTTPS target whose certificate is self-signed: the recording
/// proxy serving TLS in front of a reference endpoint.
@Suite(.serialized) struct SimulateOverTLS {
    static let token = "e2e-simulate-token-9b2e4d6f8a1c3e5f7a9b"
    static let scenario = "Recordings/scenarios/02-create-user.json"

    /// Starts a reference endpoint and an HTTPS recording proxy in front of it, runs simulate
    /// through the proxy with `options`, and returns the simulate result and the proxy's transcript.
    private func simulateThroughProxy(_ options: (_ certificate: String) -> [String]) throws -> (
        simulate: BinaryRunner.Result, proxied: String?, folder: TemporaryFolder
    ) {
        let folder = try TemporaryFolder()
        let (certificate, key) = try folder.makeSelfSignedCertificate()
        let upstream = try ServeProcess([], environment: ["SCIMTAPE_TOKEN": Self.token])
        let record = try RecordProcess(
            [
                "--upstream", upstream.baseURL, "--out", folder.path("proxied.json"), "--tls-cert", certificate,
                "--tls-key", key,
            ], stderrPath: folder.path("record.log"))

        let simulate = try BinaryRunner.run(
            ["simulate", Self.scenario, "--out", folder.path("simulated.json"), "--target", record.url]
                + options(certificate),
            environment: ["SCIMTAPE_TOKEN": Self.token])
        _ = record.stop()
        upstream.stop()
        let proxied = try? folder.read("proxied.json")
        return (simulate, proxied, folder)
    }

    @Test func simulateTrustsCACertificate() throws {
        let (simulate, proxied, folder) = try simulateThroughProxy { certificate in
            ["--cacert", certificate, "--header", "X-Run-Label: tls-run"]
        }

        #expect(simulate.status == 0, "\(simulate.stderr)")
        #expect(simulate.stdout.contains("wrote \(folder.path("simulated.json"))"))
        let proxiedText = try #require(proxied)
        #expect(proxiedText.contains(#""name": "X-Run-Label""#))
        #expect(proxiedText.contains(#""value": "tls-run""#))
        #expect(try !folder.read("simulated.json").contains("X-Run-Label"))
        #expect(folder.filesContaining(Self.token).isEmpty)
    }

    @Test func simulateInsecureSkipsVerification() throws {
        let (simulate, proxied, _) = try simulateThroughProxy { _ in ["--insecure"] }

        #expect(simulate.status == 0, "\(simulate.stderr)")
        #expect(proxied != nil)
    }

    @Test func simulateRejectsUntrustedCertificate() throws {
        let (simulate, _, folder) = try simulateThroughProxy { _ in [] }

        #expect(simulate.status == 3, "\(simulate.stderr)")
        #expect(simulate.stderr.contains("Error: the target could not be reached"))
        #expect(simulate.stderr.contains("(libcurl error 60)"), "\(simulate.stderr)")
        #expect(simulate.stderr.contains("pass --cacert FILE"), "\(simulate.stderr)")
        #expect(simulate.stderr.contains("--insecure skips verification, for development only"), "\(simulate.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("simulated.json")))
    }

    @Test func simulateValidatesConnectionOptions() throws {
        let missing = try BinaryRunner.run(
            ["simulate", Self.scenario, "--out", "x.json", "--cacert", "no-such-ca.pem"])
        let malformed = try BinaryRunner.run(["simulate", Self.scenario, "--out", "x.json", "--header", "NoColon"])
        let authorization = try BinaryRunner.run(
            ["simulate", Self.scenario, "--out", "x.json", "--header", "Authorization: Bearer x"])

        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--cacert 'no-such-ca.pem'"))
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("--header must be NAME:VALUE, not 'NoColon'"))
        #expect(authorization.status == 2)
        #expect(authorization.stderr.contains("not --header Authorization"))
    }
}
