import Foundation
import HTTP
import Logging
import Recorder
import ReferenceServer
import SCIM
import Testing
import Transcript

/// A reference endpoint that requires a bearer token, with a recording proxy in front of it and
/// the proxy's journal in a fresh temporary folder.
final class ProxyHarness: Sendable {
    static let token = "proxy-test-token-7f3c9a1e5b2d4c6f8a0b"

    let folder: URL
    let upstream: ReferenceServer
    let proxy: RecordingProxy

    init(
        survivesPowerLoss: Bool = false, tls: HTTPServerConfiguration.TLS? = nil, folder: URL? = nil,
        eventLoops: Int? = nil, logger: Logger = .disabled
    ) throws {
        self.folder = try folder ?? ProxyHarness.makeFolder()
        upstream = try ReferenceServer(configuration: ReferenceServerConfiguration(token: ProxyHarness.token))
        try upstream.start()
        var configuration = RecordingProxyConfiguration(
            upstream: try BaseURL(upstream.baseURL),
            journalPath: self.folder.appendingPathComponent("out.journal").path,
            tls: tls, survivesPowerLoss: survivesPowerLoss, name: "proxy-test", logger: logger)
        configuration.eventLoops = eventLoops ?? configuration.eventLoops
        proxy = try RecordingProxy(configuration: configuration)
        try proxy.start()
    }

    deinit {
        _ = try? proxy.finish()
        upstream.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    static func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scimtape-recorder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    var journalPath: String {
        proxy.configuration.journalPath
    }

    /// Sends a request through the proxy with the bearer token.
    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, json body: JSONValue? = nil, client: HTTPClient = HTTPClient(),
        headers extra: HTTPHeaders = []
    ) throws -> HTTPResponse {
        var headers: HTTPHeaders = [("Authorization", "Bearer \(ProxyHarness.token)")]
        if body != nil {
            headers.add(name: "Content-Type", value: "application/scim+json")
        }
        for field in extra {
            headers.add(name: field.name, value: field.value)
        }
        let target = "/scim/v2" + path
        return try client.send(
            HTTPRequest(method: method, target: target, headers: headers, body: body?.serializedBytes() ?? []),
            url: proxy.url + path)
    }

    /// Returns every file under the folder whose bytes contain `needle`.
    func filesContaining(_ needle: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        var found: [String] = []
        while let name = enumerator?.nextObject() as? String {
            let path = folder.appendingPathComponent(name).path
            if let data = FileManager.default.contents(atPath: path), data.range(of: Data(needle.utf8)) != nil {
                found.append(name)
            }
        }
        return found
    }
}

/// Returns a user body with the given userName.
func userBody(_ userName: String) -> JSONValue {
    [
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": .string(userName),
        "active": true,
        "emails": [["value": .string(userName), "type": "work", "primary": true]],
    ]
}

/// Writes a self-signed certificate for 127.0.0.1 and its key with the openssl command line.
func makeSelfSignedCertificate(in folder: URL) throws -> (certificate: String, key: String) {
    let certificate = folder.appendingPathComponent("cert.pem").path
    let key = folder.appendingPathComponent("key.pem").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ProxyTestFailure(
            "openssl req failed with status \(process.terminationStatus); .ci/install installs openssl")
    }
    return (certificate, key)
}

struct ProxyTestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
