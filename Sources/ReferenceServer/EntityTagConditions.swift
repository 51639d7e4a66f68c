import HTTP
import SCIM

/// The `If-Match` and `If-None-Match` conditions of a request (RFC 9110 section 13.1), compared
/// weakly, as SCIM versions are weak entity tags (RFC 7644 section 3.14).
struct EntityTagConditions {
    /// Tags from `If-Match`; `nil` when the header is absent, `["*"]` for any.
    let ifMatch: [String]?
    /// Tags from `If-None-Match`; `nil` when the header is absent.
    let ifNoneMatch: [String]?

    init(_ headers: HTTPHeaders) {
        ifMatch = headers["If-Match"].map(EntityTagConditions.tags)
        ifNoneMatch = headers["If-None-Match"].map(EntityTagConditions.tags)
    }

    var isEmpty: Bool {
        ifMatch == nil && ifNoneMatch == nil
    }

    /// Checks a change (PUT, PATCH, DELETE) against the resource's current tag; throws 412 when a
    /// condition fails.
    func checkChange(current tag: String) throws(SCIMError) {
        if let ifMatch, !EntityTagConditions.matches(ifMatch, tag) {
            throw SCIMError(
                status: 412,
                detail: "the resource has changed: its version is \(tag), not \(ifMatch.joined(separator: ", "))")
        }
        if let ifNoneMatch, EntityTagConditions.matches(ifNoneMatch, tag) {
            throw SCIMError(
                status: 412,
                detail: "If-None-Match \(ifNoneMatch.joined(separator: ", ")) matches the current version \(tag)")
        }
    }

    /// Returns whether a GET can answer 304 Not Modified; throws 412 when `If-Match` fails.
    func isNotModified(current tag: String) throws(SCIMError) -> Bool {
        if let ifMatch, !EntityTagConditions.matches(ifMatch, tag) {
            throw SCIMError(status: 412, detail: "the resource has changed: its version is \(tag)")
        }
        if let ifNoneMatch {
            return EntityTagConditions.matches(ifNoneMatch, tag)
        }
        return false
    }

    private static func tags(_ value: String) -> [String] {
        value.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    private static func matches(_ tags: [String], _ current: String) -> Bool {
        tags.contains { $0 == "*" || opaque($0) == opaque(current) }
    }

    /// The quoted part of a tag without the weakness indicator: `W/"3"` and `"3"` both give `"3"`.
    private static func opaque(_ tag: String) -> String {
        tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
    }
}
