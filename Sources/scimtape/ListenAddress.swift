import Foundation
import HTTP
import Transcript

/// Parsing of `--listen HOST:PORT` and of the `--tls-cert` and `--tls-key` files.
enum ListenAddress {
    /// Splits `127.0.0.1:8443`, `[::1]:8443` or `0.0.0.0:0` into a host literal and a port.
    static func parse(_ text: String) throws(UsageError) -> (host: String, port: UInt16) {
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw UsageError(message: "--listen must be HOST:PORT, such as [::1]:8443, not '\(text)'")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw UsageError(message: "--listen must be HOST:PORT, such as 127.0.0.1:8443, not '\(text)'")
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else {
            throw UsageError(message: "--listen needs a host, such as 127.0.0.1:\(portText) or 0.0.0.0:\(portText)")
        }
        guard let port = UInt16(portText) else {
            throw UsageError(message: "--listen port must be a number from 0 to 65535, not '\(portText)'")
        }
        return (host, port)
    }

    /// Reads the certificate and key; both or neither must be given.
    static func tls(certificate: String?, key: String?) throws(UsageError) -> HTTPServerConfiguration.TLS? {
        switch (certificate, key) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw UsageError(message: "--tls-cert needs --tls-key")
        case (nil, .some):
            throw UsageError(message: "--tls-key needs --tls-cert")
        case (let certificate?, let key?):
            let certificatePEM = try readPEM(certificate, option: "--tls-cert", marker: "-----BEGIN CERTIFICATE-----")
            let keyPEM = try readPEM(key, option: "--tls-key", marker: "PRIVATE KEY-----")
            if keyPEM.contains("ENCRYPTED PRIVATE KEY") || keyPEM.contains("Proc-Type: 4,ENCRYPTED") {
                throw UsageError(message: "--tls-key \(key) is encrypted; give an unencrypted PEM key")
            }
            return HTTPServerConfiguration.TLS(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
        }
    }

    private static func readPEM(_ path: String, option: String, marker: String) throws(UsageError) -> String {
        if let problem = FileCheck.problem(readingRegularFile: path) {
            throw UsageError(message: "\(option) \(path) \(problem)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.contains(marker) else {
            throw UsageError(message: "\(option) \(path) is not a PEM file with a '\(marker)' block")
        }
        return text
    }
}
