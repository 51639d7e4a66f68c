import Foundation
import HTTP
import Transcript

/// The credentials a run sends (the bearer token and the values of `--header` fields whose names
/// mark them as secret), replaced by `[redacted]` wherever a response repeats them.
///
/// An endpoint may echo what it was sent: a token in an error detail, a cookie in a body. Every
/// finding, report, reproducer and `--update` rewrite is made from the responses, so masking
/// them as they arrive keeps the credentials out of all of those at once.
struct SecretMask: Sendable {
    static let replacement = Array("[redacted]".utf8)

    /// Values shorter than this are not masked: replacing every `ab` in a body would garble it
    /// and hide nothing a reader could use.
    static let minimumLength = 6

    private let secrets: [[UInt8]]

    init(token: String?, extraHeaders: HTTPHeaders) {
        var values: [String] = []
        if let token {
            values.append(token)
        }
        for field in extraHeaders where Self.isSecretHeader(field.name) {
            values.append(field.value)
            // "Bearer abc" is sent as one value; the credential is the last word.
            if let last = field.value.split(separator: " ").last, last.count != field.value.count {
                values.append(String(last))
            }
        }
        secrets = Array(Set(values.filter { $0.utf8.count >= Self.minimumLength }.map { Array($0.utf8) }))
            .sorted { $0.count > $1.count }
    }

    /// Returns whether a header with this name carries a credential, as
    /// `SecretRedaction.namesCredential(_:)` decides.
    static func isSecretHeader(_ name: String) -> Bool {
        SecretRedaction.namesCredential(name)
    }

    /// Returns the response with every secret in its body and header values replaced.
    func apply(_ response: HTTPResponse) -> HTTPResponse {
        guard !secrets.isEmpty else {
            return response
        }
        var headers = HTTPHeaders()
        for field in response.headers {
            headers.add(name: field.name, value: String(decoding: apply(Array(field.value.utf8)), as: UTF8.self))
        }
        return HTTPResponse(status: response.status, headers: headers, body: apply(response.body))
    }

    func apply(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for secret in secrets {
            result = Self.replace(secret, in: result)
        }
        return result
    }

    private static func replace(_ needle: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        guard let first = needle.first, haystack.count >= needle.count else {
            return haystack
        }
        var output: [UInt8] = []
        var copied = 0
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<index + needle.count].elementsEqual(needle) {
                output.append(contentsOf: haystack[copied..<index])
                output.append(contentsOf: replacement)
                index += needle.count
                copied = index
            } else {
                index += 1
            }
        }
        guard copied > 0 else {
            return haystack
        }
        output.append(contentsOf: haystack[copied...])
        return output
    }
}
