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
    /// Recorded values ordered longest first, so that a value never replaces part of a longer one.
    private var orderedKeys: [String] = []
    /// The recorded values of `minimumSubstringLength` characters or more, longest first: the
    /// ones replaced inside longer strings.
    private var substringKeys: [String] = []
    /// The shorter recorded values, longest first, each with its quoted JSON form.
    private var quotedKeys: [(key: String, quoted: String)] = []

    /// Values shorter than this are replaced only where they are a whole string or path segment,
    /// because a short id could occur inside unrelated text.
    static let minimumSubstringLength = 8

    mutating func learn(recorded: String, live: String) {
        guard !recorded.isEmpty, recorded != live, values[recorded] == nil else {
            return
        }
        values[recorded] = live
        orderedKeys.append(recorded)
        orderedKeys.sort { $0.utf8.count > $1.utf8.count }
        substringKeys = orderedKeys.filter { $0.count >= Correlation.minimumSubstringLength }
        quotedKeys = orderedKeys.filter { $0.count < Correlation.minimumSubstringLength }.map {
            ($0, JSONValue.string($0).serialized())
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

    /// Replaces recorded values in a string.
    func substitute(_ text: String) -> String {
        if let exact = values[text] {
            return exact
        }
        var result = text
        for key in substringKeys where result.containsBytes(of: key) {
            result = result.replacingAll(key, with: values[key]!)
        }
        return result
    }

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
                guard parts.count == 2 else {
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
    /// `members[value eq "u1"]`.
    private func substituteQuoted(_ text: String) -> String {
        var result = text
        for (key, quoted) in quotedKeys where result.containsBytes(of: quoted) {
            result = result.replacingAll(quoted, with: JSONValue.string(values[key]!).serialized())
        }
        return result
    }

    func substitute(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(substitute(text))
        case .array(let elements):
            return .array(elements.map(substitute))
        case .object(let object):
            var result = JSONObject()
            for (key, element) in object {
                result[key] = substitute(element)
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
