import HTTP
import SCIM

/// Short descriptions of an exchange shared by the text and Markdown renderings.
enum ExchangeSummary {
    /// Returns the request path with its query decoded, so that filters read as written:
    /// `/Users?filter=userName eq "alice@example.com"`.
    static func readablePath(_ target: String) -> String {
        let (path, query) = RequestTarget.split(target)
        guard let query else {
            return path
        }
        return path + "?" + RequestTarget.percentDecode(query, plusIsSpace: true)
    }

    /// `200 OK`, with the reason phrase of RFC 9110 when one is known.
    static func status(_ code: Int) -> String {
        let reason = HTTPStatus.standardReasonPhrase(for: code)
        return reason.isEmpty ? String(code) : "\(code) \(reason)"
    }

    /// Returns a hint about the response body: `totalResults 0`, `id 8242996b-...`, or an error's `scimType`.
    static func responseHint(_ exchange: Exchange) -> String? {
        guard let object = exchange.response.body.json?.objectValue else {
            return nil
        }
        if let total = object.value(matching: "totalResults")?.intValue {
            return "totalResults \(total)"
        }
        let schemas = object.value(matching: "schemas")?.arrayValue?.compactMap(\.stringValue) ?? []
        if schemas.contains(SCIMURN.error) {
            return object.value(matching: "scimType")?.stringValue.map { "scimType \($0)" }
        }
        return object.value(matching: "id")?.stringValue.map { "id \($0)" }
    }

    /// Returns the body as readable text: pretty JSON, the text as recorded, or a hex dump of the
    /// first bytes of a body that is not valid UTF-8.
    static func bodyText(_ body: RecordedBody) -> String? {
        switch body {
        case .none: nil
        case .json(let value): value.serialized(.pretty)
        case .text(let text): text
        case .binary(let bytes): hexDump(bytes)
        }
    }

    /// `JSON body (412 bytes)`, `text body (12 bytes)`, `binary body (9 bytes, not UTF-8)` or `no body`.
    static func bodyLabel(_ body: RecordedBody) -> String {
        switch body {
        case .none: "no body"
        case .json: "JSON body (\(body.bytes.count) bytes)"
        case .text: "text body (\(body.bytes.count) bytes)"
        case .binary(let bytes): "binary body (\(bytes.count) bytes, not UTF-8)"
        }
    }

    /// The number of bytes of a binary body that `show` prints.
    static let maximumDumpedBytes = 256

    /// Formats the size and the first `maximumDumpedBytes` bytes as `hexdump -C` prints them: the
    /// offset, 16 bytes in hex, and those bytes as ASCII with `.` for the others.
    static func hexDump(_ bytes: [UInt8]) -> String {
        let shown = bytes.prefix(maximumDumpedBytes)
        var lines = [
            "\(bytes.count) bytes that are not valid UTF-8, in hex"
                + (bytes.count > shown.count ? " (the first \(shown.count)):" : ":")
        ]
        for start in stride(from: 0, to: shown.count, by: 16) {
            let row = shown[start..<min(start + 16, shown.count)]
            var hex = ""
            for (column, byte) in row.enumerated() {
                hex += column == 8 ? "  " : " "
                hex += hexByte(byte)
            }
            let padding = String(repeating: " ", count: 51 - hex.count)
            let ascii = String(
                decoding: row.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
            lines.append(offset(start) + " " + hex + padding + "|" + ascii + "|")
        }
        if bytes.count > shown.count {
            lines.append("... \(bytes.count - shown.count) more bytes, which the transcript keeps in bodyBase64")
        }
        return lines.joined(separator: "\n")
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return byte < 0x10 ? "0" + digits : digits
    }

    /// Returns an offset as eight hex digits, as `hexdump -C` writes it.
    private static func offset(_ value: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// `proxied by scimtape 0.1.0, recorded 2026-01-01T00:00:00.000Z, dialect aadOptscim062020`.
    static func source(_ source: Transcript.Source) -> String {
        var parts = [source.kind.rawValue + (source.tool.map { " by \($0)" } ?? "")]
        if let recordedAt = source.recordedAt {
            parts.append("recorded \(recordedAt)")
        }
        if let dialect = source.dialect {
            parts.append("dialect \(dialect)")
        }
        if let profile = source.profile {
            parts.append("profile \(profile)")
        }
        return parts.joined(separator: ", ")
    }
}
