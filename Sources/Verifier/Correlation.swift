import Foundation
import HTTP
import SCIM
import Transcript

/// Server-generated values learned during a replay: each recorded value maps to the live value
/// the target produced in its place (ids, `meta.location`, `meta.version`, `Location`, `ETag`).
/// Later requests and expectations use the live values, so a transcript replays against any
/// endpoint without hand edits.
struct Correlation {
    private(set) var values: [String: String] = [:]
    /// The recorded values of `minimumSubstringLength` characters or more: the ones replaced
    /// inside longer strings.
    private var substringKeys = SubstringIndex()
    /// The shorter recorded values as quoted JSON strings, each with the quoted live value.
    private var quotedKeys: [String: String] = [:]

    /// Values shorter than this are replaced only where they are a whole string or path segment,
    /// because a short id could occur inside unrelated text.
    static let minimumSubstringLength = 8

    mutating func learn(recorded: String, live: String) {
        guard !recorded.isEmpty, recorded != live, values[recorded] == nil else {
            return
        }
        values[recorded] = live
        if recorded.count >= Correlation.minimumSubstringLength {
            substringKeys.insert(recorded)
        } else {
            quotedKeys[JSONValue.string(recorded).serialized()] = JSONValue.string(live).serialized()
        }
    }

    func live(for recorded: String) -> String? {
        values[recorded]
    }

    /// Learns from a recorded response and the live response to the same request.
    mutating func learn(recorded: Exchange.Response, live: HTTPResponse, liveBody: JSONValue?) {
        if let recordedLocation = recorded.headers["Location"], let liveLocation = live.headers["Location"] {
            learn(recorded: recordedLocation, live: liveLocation)
        }
        if let recordedTag = recorded.headers["ETag"], let liveTag = live.headers["ETag"] {
            learn(recorded: recordedTag, live: liveTag)
        }
        guard let recordedObject = recorded.body.json?.objectValue, let liveObject = liveBody?.objectValue else {
            return
        }
        if let recordedResources = recordedObject["Resources"]?.arrayValue,
            let liveResources = liveObject.value(matching: "Resources")?.arrayValue
        {
            learnList(recordedResources.compactMap(\.objectValue), liveResources.compactMap(\.objectValue))
        } else {
            learnResource(recordedObject, liveObject)
        }
    }

    private mutating func learnResource(_ recorded: JSONObject, _ live: JSONObject) {
        if let recordedId = recorded["id"]?.stringValue, let liveId = live.value(matching: "id")?.stringValue {
            learn(recorded: recordedId, live: liveId)
        }
        if let recordedMeta = recorded["meta"]?.objectValue, let liveMeta = live.value(matching: "meta")?.objectValue {
            for key in ["location", "version"] {
                if let recordedValue = recordedMeta[key]?.stringValue,
                    let liveValue = liveMeta.value(matching: key)?.stringValue
                {
                    learn(recorded: recordedValue, live: liveValue)
                }
            }
        }
    }

    /// Pairs list results by `userName`, `displayName` or `externalId` (after substitution), and
    /// falls back to position when nothing identifies them.
    private mutating func learnList(_ recorded: [JSONObject], _ live: [JSONObject]) {
        var unmatched = Array(live.indices)
        for (position, resource) in recorded.enumerated() {
            var chosen: Int?
            for key in ["userName", "displayName", "externalId"] {
                guard let value = resource[key]?.stringValue else {
                    continue
                }
                chosen = unmatched.first {
                    live[$0].value(matching: key)?.stringValue?.equalsIgnoringCase(substitute(value)) == true
                }
                if chosen != nil {
                    break
                }
            }
            if chosen == nil, recorded.count == live.count, unmatched.contains(position) {
                chosen = position
            }
            if let chosen {
                unmatched.removeAll { $0 == chosen }
                learnResource(resource, live[chosen])
            }
        }
    }

    /// Replaces recorded values in a string. The text is read from left to right, and where
    /// several values start at one place the longest is replaced, so that a value never replaces
    /// part of a longer one.
    func substitute(_ text: String) -> String {
        if let exact = values[text] {
            return exact
        }
        guard !substringKeys.isEmpty else {
            return text
        }
        var bytes = text
        return bytes.withUTF8 { bytes in
            var result: [UInt8] = []
            var copied = 0
            var offset = 0
            while offset < bytes.count {
                guard let length = substringKeys.longestMatch(in: bytes, at: offset) else {
                    offset += 1
                    continue
                }
                let key = String(decoding: bytes[offset..<offset + length], as: UTF8.self)
                result.append(contentsOf: bytes[copied..<offset])
                result.append(contentsOf: values[key, default: key].utf8)
                offset += length
                copied = offset
            }
            guard copied > 0 else {
                return text
            }
            result.append(contentsOf: bytes[copied...])
            return String(decoding: result, as: UTF8.self)
        }
    }

    /// The SCIM query parameters (RFC 7644 section 3.4.2) that hold numbers, attribute names or a
    /// sort order, never a value a server generated. They are left alone, so that with numeric ids
    /// `startIndex=1` stays 1.
    static let parametersWithoutValues: Set<String> = [
        "startindex", "count", "sortby", "sortorder", "attributes", "excludedattributes",
    ]

    /// Replaces recorded values in a request target. A path segment equal to a recorded value
    /// becomes the live value encoded as one segment, so a live id cannot add segments or step up
    /// the path. In the query, values are decoded, substituted and encoded again.
    func substitute(path: String) -> String {
        guard !values.isEmpty else {
            return path
        }
        let (base, query) = RequestTarget.split(path)
        var result = base.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            let decoded = RequestTarget.percentDecode(String(segment))
            guard let live = values[decoded] else {
                return String(segment)
            }
            return RequestTarget.encodePathSegment(live)
        }.joined(separator: "/")
        if let query {
            let items = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2,
                    !Correlation.parametersWithoutValues.contains(
                        RequestTarget.percentDecode(String(parts[0])).lowercased())
                else {
                    return String(pair)
                }
                let decoded = RequestTarget.percentDecode(String(parts[1]), plusIsSpace: true)
                let substituted = substituteQuoted(substitute(decoded))
                return substituted == decoded
                    ? String(pair) : "\(parts[0])=\(RequestTarget.encodeFormValue(substituted))"
            }
            result += "?" + items.joined(separator: "&")
        }
        return result
    }

    /// Replaces short recorded values where they are a whole quoted literal in a filter, such as
    /// `members[value eq "u1"]`. Literals are read with their escapes, so `"x\"u1"` is one
    /// literal that is not replaced.
    private func substituteQuoted(_ text: String) -> String {
        let quote = UInt8(ascii: "\"")
        guard !quotedKeys.isEmpty, text.utf8.contains(quote) else {
            return text
        }
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        var copied = 0
        var start = 0
        while let open = bytes[start...].firstIndex(of: quote) {
            // The literal ends at the next quote that is not escaped.
            var close = open + 1
            while close < bytes.count && bytes[close] != quote {
                close += bytes[close] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard close < bytes.count else {
                break
            }
            if let live = quotedKeys[String(decoding: bytes[open...close], as: UTF8.self)] {
                result.append(contentsOf: bytes[copied..<open])
                result.append(contentsOf: live.utf8)
                copied = close + 1
            }
            start = close + 1
        }
        guard copied > 0 else {
            return text
        }
        result.append(contentsOf: bytes[copied...])
        return String(decoding: result, as: UTF8.self)
    }

    /// The JSON members whose whole value may be a short server-generated value: an id, a member
    /// or manager reference, a version. A short recorded value elsewhere (an `employeeNumber` "1"
    /// beside a recorded id "1") is left alone.
    static let membersWithShortValues: Set<String> = ["id", "value", "$ref", "version"]

    func substitute(_ value: JSONValue) -> JSONValue {
        substitute(value, member: nil)
    }

    private func substitute(_ value: JSONValue, member: String?) -> JSONValue {
        switch value {
        case .string(let text):
            if text.count < Correlation.minimumSubstringLength, values[text] != nil, let member,
                !Correlation.membersWithShortValues.contains(member.lowercased())
            {
                return value
            }
            // A PATCH operation's path may filter by a short id: `members[value eq "2"]`.
            return .string(substituteQuoted(substitute(text)))
        case .array(let elements):
            return .array(elements.map { substitute($0, member: member) })
        case .object(let object):
            var result = JSONObject()
            for (key, element) in object {
                result[key] = substitute(element, member: key)
            }
            return .object(result)
        default:
            return value
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, containsBytes(of: target) else {
            return self
        }
        return replacing(target, with: replacement)
    }
}
