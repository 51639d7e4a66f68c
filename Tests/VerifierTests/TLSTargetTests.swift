import Foundation
import HTTP
import ReferenceServer
import Testing
import Transcript

@testable import Verifier

/// HTTPS targets with a self-signed certificate: a clear TLS finding, unless trusted.
@Suite struct TLSTarget {
    /// Creates a self-signed certificate for 127.0.0.1 with the openssl command.
    static func makeCertificate(in folder: URL) throws -> (certificate: String, key: String) {
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days",
            "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("openssl could not create a test certificate")
        }
        return (certificate, key)
    }

    @Test func selfSignedCertificateNeedsTrust() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scimtape-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (certificate, key) = try Self.makeCertificate(in: folder)
        var http = HTTPServerConfiguration()
        http.tls = .init(
            certificatePEM: try String(contentsOfFile: certificate, encoding: .utf8),
            privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8))
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(http: http))
        try server.start()
        defer { server.stop() }
        let transcript = try #require(try shippedTranscripts().first { $0.file == "02-create-user.json" })
        #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))

        let untrusted = try Verifier(options: VerifyOptions(target: server.baseURL)).verify(
            transcript.transcript, file: "tls.json")
        var insecure = VerifyOptions(target: server.baseURL)
        insecure.client.insecure = true
        let skipped = try Verifier(options: insecure).verify(transcript.transcript, file: "tls.json")
        var trusted = VerifyOptions(target: server.baseURL)
        trusted.client.caCertificatePath = certificate
        let verified = try Verifier(options: trusted).verify(transcript.transcript, file: "tls.json")

        #expect(untrusted.status == .failed)
        let finding = try #require(untrusted.errors.first { $0.rule == "transport" })
        #expect(finding.message.lowercased().contains("certificate"), "\(finding.message)")
        #expect(skipped.status == .passed, "\(describe([skipped]))")
        #expect(verified.status == .passed, "\(describe([verified]))")
    }

    /// A certificate that fails verification stops the run in the preflight query, because every
    /// transcript would fail the same way.
    @Test func preflightStopsOnUntrustedCertificate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scimtape-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (certificate, key) = try Self.makeCertificate(in: folder)
        var http = HTTPServerConfiguration()
        http.tls = .init(
            certificatePEM: try String(contentsOfFile: certificate, encoding: .utf8),
            privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8))
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(http: http))
        try server.start()
        defer { server.stop() }
        var trusted = VerifyOptions(target: server.baseURL)
        trusted.client.caCertificatePath = certificate

        #expect(throws: Never.self) { try Verifier(options: trusted).preflight() }
        do {
            try Verifier(options: VerifyOptions(target: server.baseURL)).preflight()
            Issue.record("the preflight query accepted an untrusted certificate")
        } catch {
            guard case .tlsFailed(let message) = error else {
                Issue.record("stopped as \(error), not as a TLS failure")
                return
            }
            #expect(message.contains("libcurl error 60"), "\(message)")
        }
    }
}
