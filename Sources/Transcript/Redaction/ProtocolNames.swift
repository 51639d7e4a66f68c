import Foundation
import HTTP
import SCIM

/// Names that SCIM (RFC 7643, RFC 7644) and HTTP give to endpoints, resource types, schemas and
/// headers. Redaction keeps them even where a person or a group has the same name, because a
/// replaced endpoint or media type no longer replays.
enum ProtocolNames {
    /// Endpoint path segments (RFC 7644 section 3.2), lowercased. `ServiceProviderConfigs` is the
    /// spelling of early SCIM 2.0 drafts that some endpoints still serve.
    static let endpoints: Set<String> = [
        "users", "groups", "me", "schemas", "resourcetypes", "serviceproviderconfig", "serviceproviderconfigs",
        "bulk", ".search",
    ]

    /// Endpoints whose next path segment is a schema URN or a resource type name, not an id.
    static let namingEndpoints: Set<String> = ["schemas", "resourcetypes"]

    /// Endpoints that describe the service (RFC 7643 sections 5 to 7) and return no personal data.
    static let discoveryEndpoints: Set<String> = [
        "schemas", "resourcetypes", "serviceproviderconfig", "serviceproviderconfigs",
    ]

    /// Schema URNs of the discovery resources, lowercased.
    static let discoverySchemas: Set<String> = [
        "urn:ietf:params:scim:schemas:core:2.0:schema",
        "urn:ietf:params:scim:schemas:core:2.0:resourcetype",
        "urn:ietf:params:scim:schemas:core:2.0:serviceproviderconfig",
    ]

    /// Header fields, lowercased, whose values are media types, lengths, versions, dates,
    /// encodings or credentials. Replay sends recorded request headers again and compares
    /// versions, so a replaced word in these would break it. `Authorization` contains
    /// `Bearer [redacted]` by the time personal data is replaced.
    static let structuralHeaders: Set<String> = [
        "accept", "accept-charset", "accept-encoding", "accept-ranges", "authorization", "cache-control", "connection",
        "content-encoding", "content-length", "content-range", "content-type", "date", "etag", "expect", "expires",
        "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "keep-alive",
        "last-modified", "pragma", "proxy-authorization", "range", "retry-after", "te", "trailer",
        "transfer-encoding", "upgrade", "vary",
    ]

    /// Query parameters (RFC 7644 section 3.4.2), lowercased, whose values are attribute names,
    /// sort orders and numbers. A `filter` parameter gets its literals replaced instead.
    static let queryParameters: Set<String> = [
        "attributes", "excludedattributes", "sortby", "sortorder", "startindex", "count",
    ]

    static func isEndpoint(_ segment: String) -> Bool {
        endpoints.contains(segment.lowercased())
    }

    static func isURN(_ text: String) -> Bool {
        text.lowercased().hasPrefix("urn:")
    }

    /// Returns the first endpoint name in a `/`-separated path, lowercased, or `nil`.
    static func endpoint(of path: String) -> String? {
        path.split(separator: "/").lazy.map { RequestTarget.percentDecode(String($0)).lowercased() }.first {
            endpoints.contains($0)
        }
    }

    /// Returns true when an object's `schemas` lists a discovery schema.
    static func isDiscoveryResource(_ object: JSONObject) -> Bool {
        guard let key = object.key(matching: "schemas"), let schemas = object[key]?.arrayValue else {
            return false
        }
        return schemas.contains { $0.stringValue.map { discoverySchemas.contains($0.lowercased()) } ?? false }
    }

    /// Rebuilds a `/`-separated path, passing each percent-decoded segment that may be personal
    /// to `replace` and percent-encoding a replacement. Segments up to and including the first
    /// endpoint name (the service's base path and the endpoint) are kept. The segment after
    /// `Schemas` or `ResourceTypes` names a schema or resource type and is kept, and so is
    /// `.search`. The segment after any other endpoint is an id, passed even where it spells an
    /// endpoint name, so that it changes exactly as an `id` member does. Other segments are passed
    /// unless they are endpoint names or URNs.
    static func replacingSegments(of path: String, replace: (String) -> String?) -> String {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let decoded = segments.map { RequestTarget.percentDecode($0) }
        let endpointIndex = decoded.firstIndex { isEndpoint($0) }
        for index in (endpointIndex.map { $0 + 1 } ?? 0)..<segments.count {
            let segment = decoded[index]
            if let endpointIndex, index == endpointIndex + 1 {
                if namingEndpoints.contains(decoded[endpointIndex].lowercased()) || segment == ".search" {
                    continue
                }
            } else if isEndpoint(segment) || isURN(segment) {
                continue
            }
            if let replacement = replace(segment) {
                segments[index] = RequestTarget.encodePathSegment(replacement)
            }
        }
        return segments.joined(separator: "/")
    }

    /// Applies `replace` to the parts of `text` outside URNs, so that a schema URN quoted in an
    /// error detail keeps its words. A URN starts with `urn:` after a character that is not a
    /// letter or digit and runs to the next whitespace, quote, bracket, comma or semicolon.
    static func replacingOutsideURNs(in text: String, replace: (String) -> String) -> String {
        var urns: [Range<String.Index>] = []
        var searchStart = text.startIndex
        while let found = text.range(of: "urn:", options: .caseInsensitive, range: searchStart..<text.endIndex) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            if let before, before.isLetter || before.isNumber {
                searchStart = found.upperBound
                continue
            }
            let end = text[found.lowerBound...].firstIndex(where: isURNEnd) ?? text.endIndex
            urns.append(found.lowerBound..<end)
            searchStart = end
        }
        guard !urns.isEmpty else {
            return replace(text)
        }
        var result = ""
        var copied = text.startIndex
        for urn in urns {
            result += replace(String(text[copied..<urn.lowerBound]))
            result += text[urn]
            copied = urn.upperBound
        }
        return result + replace(String(text[copied...]))
    }

    private static func isURNEnd(_ character: Character) -> Bool {
        character.isWhitespace || "\"'<>()[]{},;".contains(character)
    }
}
