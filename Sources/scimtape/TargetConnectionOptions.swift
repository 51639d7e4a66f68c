import HTTP
import Transcript

/// The options `verify` and `simulate` share for reaching a `--target`: extra headers, and the
/// TLS trust for an endpoint whose certificate the system store does not vouch for.
enum TargetConnectionOptions {
    static let specOptions: [CommandSpec.Option] = [
        .init(
            name: "header", valueName: "name:value", help: "Add a header to every request. Repeatable.",
            repeating: true),
        .init(
            name: "cacert", valueName: "file",
            help: "Trust the certificate authorities in this PEM file for --target."),
        .init(name: "insecure", valueName: nil, help: "Do not verify the target's TLS certificate."),
    ]

    /// Returns the `--header` values as header fields. Throws when one is not `NAME:VALUE`, has
    /// characters a header field cannot carry, or sets `Authorization`, which comes from the token.
    static func headers(_ arguments: ParsedArguments) throws(UsageError) -> HTTPHeaders {
        var headers: HTTPHeaders = []
        for header in arguments.allValues("header") {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                throw UsageError(message: "--header must be NAME:VALUE, not '\(header)'")
            }
            let name = String(header[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), !value.contains(where: { $0.isNewline }) else {
                throw UsageError(message: "--header '\(name)' has characters a header cannot carry")
            }
            guard name.lowercased() != "authorization" else {
                throw UsageError(
                    message: "pass the token with --token-file or SCIMTAPE_TOKEN, not --header Authorization")
            }
            headers.add(name: name, value: value)
        }
        return headers
    }

    /// Returns what to do after a failed TLS handshake with `--target`. Without `--insecure` the
    /// likely cause is a certificate that the trusted authorities do not vouch for: self-signed,
    /// from a private CA, for another host name, or expired.
    static func tlsAdvice(insecure: Bool) -> String {
        if insecure {
            return "Check that the target serves HTTPS on that port; for a plain HTTP endpoint, use an http:// URL."
        }
        return "If the target's certificate is self-signed or from a private CA, pass --cacert FILE with that CA's "
            + "certificate in PEM; --insecure skips verification, for development only. Also check that the "
            + "certificate names the host in --target and has not expired."
    }

    /// Sets `--cacert` and `--insecure` on the client configuration. Throws when the `--cacert`
    /// file is missing or not a readable regular file.
    static func applyTLS(_ arguments: ParsedArguments, to client: inout HTTPClientConfiguration) throws(UsageError) {
        client.caCertificatePath = arguments.value("cacert")
        if let path = client.caCertificatePath, let problem = FileCheck.problem(readingRegularFile: path) {
            throw UsageError(message: "--cacert '\(path)' \(problem)")
        }
        client.insecure = arguments.flag("insecure")
    }
}
