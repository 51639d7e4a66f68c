import Foundation
import HTTP
import Transcript

/// The credentials a run sends (the bearer token and the values of `--header` fields whose names
/// mark them as secret), replaced by `[redacted]` wherever a response repeats them, in any ASCII
/// letter case or base64-encoded.
///
/// An endpoint may echo what it was sent: a token in an error detail, a cookie in a body. Every
/// finding, report, reproducer and `--update` rewrite is made from the responses, so masking
/// them as they arrive keeps the credentials out of all of those at once.
struct SecretMask: Sendable {
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
        // An endpoint may also echo a credential base64-encoded, as in a Basic value or a debug
        // dump of the request.
        let encoded = values.flatMap(SecretPolicy.base64Encodings(of:))
        secrets = Array(Set((values + encoded).filter { $0.utf8.count >= Self.minimumLength }.map { Array($0.utf8) }))
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
            headers.add(name: field.name, value: apply(field.value))
        }
        return HTTPResponse(status: response.status, headers: headers, body: apply(response.body))
    }

    /// Returns the text with every secret replaced, as `apply(_:)` does for bytes.
    func apply(_ text: String) -> String {
        guard !secrets.isEmpty else {
            return text
        }
        return String(decoding: apply(Array(text.utf8)), as: UTF8.self)
    }

    /// Returns the bytes with every copy of a secret replaced, in any ASCII letter case. Copies
    /// count as sent, and also where only decoding shows them: JSON string escapes (`\/`,
    /// `\u002B`, any `\uXXXX`), percent escapes (`%2F`, `%2f`, `%74`), or both. The bytes that spell
    /// an escaped copy are replaced as a whole, so no part of an escape is left behind.
    func apply(_ bytes: [UInt8]) -> [UInt8] {
        guard !secrets.isEmpty else {
            return bytes
        }
        var ranges = matches(in: bytes)
        let jsonDecoded = DecodedBytes(decodingJSONEscapesIn: bytes)
        if let jsonDecoded {
            ranges += matches(in: jsonDecoded.bytes).map(jsonDecoded.sourceRange(of:))
            if let bothDecoded = DecodedBytes(decodingPercentEscapesIn: jsonDecoded.bytes) {
                ranges += matches(in: bothDecoded.bytes).map {
                    jsonDecoded.sourceRange(of: bothDecoded.sourceRange(of: $0))
                }
            }
        }
        if let percentDecoded = DecodedBytes(decodingPercentEscapesIn: bytes) {
            ranges += matches(in: percentDecoded.bytes).map(percentDecoded.sourceRange(of:))
        }
        guard !ranges.isEmpty else {
            return bytes
        }
        return SecretPolicy.replacing(
            SecretPolicy.merged(ranges), in: bytes, with: SecretRedaction.placeholder)
    }

    /// Returns the ranges of every copy of each secret in `bytes`, in any ASCII letter case.
    private func matches(in bytes: [UInt8]) -> [Range<Int>] {
        bytes.withUnsafeBufferPointer { CaseInsensitiveBytes.ranges(of: secrets, in: $0) }
    }
}

/// A copy of some bytes with one kind of escape decoded, and for each decoded byte the range of
/// the source bytes that spelled it, so that a secret found in the copy can be replaced in the
/// source.
struct DecodedBytes {
    private(set) var bytes: [UInt8] = []
    private var sources: [Range<Int>] = []

    /// Decodes the escapes of JSON strings (RFC 8259 section 7) wherever they are, because a body
    /// that is not valid JSON and a header value may contain them too. A `\u` escape of a UTF-16
    /// surrogate pair decodes to one character. An escape that is not valid is kept as it is.
    /// Returns `nil` when there is no backslash.
    init?(decodingJSONEscapesIn source: [UInt8]) {
        guard Self.contains(UInt8(ascii: "\\"), in: source) else {
            return nil
        }
        bytes.reserveCapacity(source.count)
        sources.reserveCapacity(source.count)
        var index = 0
        while index < source.count {
            guard source[index] == UInt8(ascii: "\\"), index + 1 < source.count else {
                append(source[index], from: index..<index + 1)
                index += 1
                continue
            }
            let decoded: UInt8?
            switch source[index + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded = source[index + 1]
            case UInt8(ascii: "b"): decoded = 0x08
            case UInt8(ascii: "f"): decoded = 0x0C
            case UInt8(ascii: "n"): decoded = 0x0A
            case UInt8(ascii: "r"): decoded = 0x0D
            case UInt8(ascii: "t"): decoded = 0x09
            default: decoded = nil
            }
            if let decoded {
                append(decoded, from: index..<index + 2)
                index += 2
            } else if let (scalar, length) = Self.unicodeEscape(in: source, at: index) {
                for byte in String(scalar).utf8 {
                    append(byte, from: index..<index + length)
                }
                index += length
            } else {
                append(source[index], from: index..<index + 1)
                index += 1
            }
        }
    }

    /// Decodes `%XX` escapes (RFC 3986 section 2.1), with upper- or lowercase hex digits. Returns
    /// `nil` when there is none.
    init?(decodingPercentEscapesIn source: [UInt8]) {
        func isEscape(at index: Int) -> Bool {
            source[index] == UInt8(ascii: "%") && index + 2 < source.count
                && RequestTarget.hexValue(source[index + 1]) != nil && RequestTarget.hexValue(source[index + 2]) != nil
        }
        guard Self.contains(UInt8(ascii: "%"), in: source) && source.indices.contains(where: isEscape) else {
            return nil
        }
        bytes.reserveCapacity(source.count)
        sources.reserveCapacity(source.count)
        var index = 0
        while index < source.count {
            if isEscape(at: index), let high = RequestTarget.hexValue(source[index + 1]),
                let low = RequestTarget.hexValue(source[index + 2])
            {
                append(high << 4 | low, from: index..<index + 3)
                index += 3
            } else {
                append(source[index], from: index..<index + 1)
                index += 1
            }
        }
    }

    /// Returns whether `bytes` contains `byte`, with `memchr`, which a long body needs.
    private static func contains(_ byte: UInt8, in bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                return false
            }
            return memchr(base, Int32(byte), buffer.count) != nil
        }
    }

    private mutating func append(_ decoded: UInt8, from source: Range<Int>) {
        bytes.append(decoded)
        sources.append(source)
    }

    /// Returns the range of source bytes that spelled the decoded bytes in `range`.
    func sourceRange(of range: Range<Int>) -> Range<Int> {
        sources[range.lowerBound].lowerBound..<sources[range.upperBound - 1].upperBound
    }

    /// Returns the character of a `\uXXXX` escape at `index`, or of two escapes that spell a
    /// surrogate pair, with the number of bytes they take. Returns `nil` for anything else,
    /// including a surrogate without its pair.
    private static func unicodeEscape(in source: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        guard let high = codeUnit(in: source, at: index) else {
            return nil
        }
        if let scalar = Unicode.Scalar(high) {
            return (scalar, 6)
        }
        guard (0xD800..<0xDC00).contains(high), let low = codeUnit(in: source, at: index + 6),
            (0xDC00..<0xE000).contains(low)
        else {
            return nil
        }
        let value = 0x10000 + (UInt32(high - 0xD800) << 10 | UInt32(low - 0xDC00))
        return Unicode.Scalar(value).map { ($0, 12) }
    }

    /// Returns the UTF-16 code unit of a `\uXXXX` escape at `index`.
    private static func codeUnit(in source: [UInt8], at index: Int) -> UInt16? {
        guard index + 6 <= source.count, source[index] == UInt8(ascii: "\\"), source[index + 1] == UInt8(ascii: "u")
        else {
            return nil
        }
        var value: UInt16 = 0
        for byte in source[(index + 2)..<(index + 6)] {
            guard let digit = RequestTarget.hexValue(byte) else {
                return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
