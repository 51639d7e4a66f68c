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

    /// Returns the body as readable text: pretty JSON, or the text as recorded.
    static func bodyText(_ body: RecordedBody) -> String? {
        switch body {
        case .none: nil
        case .json(let value): value.serialized(.pretty)
        case .text(let text): text
        }
    }

    /// `JSON body (412 bytes)`, `text body (12 bytes)` or `no body`.
    static func bodyLabel(_ body: RecordedBody) -> String {
        switch body {
        case .none: "no body"
        case .json: "JSON body (\(body.bytes.count) bytes)"
        case .text: "text body (\(body.bytes.count) bytes)"
        }
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
