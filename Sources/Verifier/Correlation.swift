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
    /// The recorded values as quoted JSON strings, each with the quoted live value, for filter
    /// literals.
    private var quotedKeys: [String: String] = [:]

    /// Whether client-chosen attributes (`clientChosenMembers`, and `value` outside a reference
    /// attribute) keep their values. `verify --update` turns this off for its mapping from live
    /// values back to recorded ones, which restores suffixed identities there too.
    var keepsClientChosenValues = true

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
        }
        quotedKeys[JSONValue.string(recorded).serialized()] = JSONValue.string(live).serialized()
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
        // The first segment names the endpoint (`Users`), never a resource, even where a recorded id
        // is spelt the same.
        var result = base.split(separator: "/", omittingEmptySubsequences: false).enumerated().map {
            index, segment in
            let decoded = RequestTarget.percentDecode(String(segment))
            guard index > 1, let live = values[decoded] else {
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
                let isFilter = RequestTarget.percentDecode(String(parts[0])).lowercased() == "filter"
                let substituted = isFilter ? substituteQuoted(decoded) : substituteQuoted(substitute(decoded))
                return substituted == decoded
                    ? String(pair) : "\(parts[0])=\(RequestTarget.encodeFormValue(substituted))"
            }
            result += "?" + items.joined(separator: "&")
        }
        return result
    }

    /// Replaces recorded values where they are a whole quoted literal that a filter compares with an
    /// id or a reference, such as `members[value eq "u1"]` or `id eq "u1"`. Literals are read with
    /// their escapes, so `"x\"u1"` is one literal that is not replaced. A literal compared with
    /// another attribute (`externalId eq "1"`, `userName eq "ann@x.example"`) is left alone, also
    /// where an endpoint uses the same text as an id.
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
            if let live = quotedKeys[String(decoding: bytes[open...close], as: UTF8.self)],
                Correlation.comparesReference(bytes, literalAt: open)
            {
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

    /// The JSON members whose whole value may be a short server-generated value: an id, a URL, a
    /// version. A `value` member is one too inside a reference attribute (see
    /// `referenceAttributes`). A short recorded value elsewhere, such as an `employeeNumber` "1"
    /// beside a recorded id "1", is left alone.
    static let membersWithShortValues: Set<String> = ["id", "$ref", "version"]

    /// The attributes whose `value` sub-attribute is the id of another resource.
    static let referenceAttributes: Set<String> = ["members", "groups", "manager"]

    /// Attributes a client chooses. They keep their recorded values even where an endpoint uses
    /// the same text as an id, such as a userName that is also the user's id.
    static let clientChosenMembers: Set<String> = ["username", "externalid", "displayname"]

    func substitute(_ value: JSONValue) -> JSONValue {
        substitute(value, member: nil, inReference: false)
    }

    /// Replaces recorded values in a JSON value. `inReference` is true inside a reference attribute,
    /// where a `value` member is an id.
    private func substitute(_ value: JSONValue, member: String?, inReference: Bool) -> JSONValue {
        switch value {
        case .string(let text):
            let name = member?.lowercased()
            if keepsClientChosenValues, let name,
                Correlation.clientChosenMembers.contains(name) || (name == "value" && !inReference)
            {
                return value
            }
            if text.count < Correlation.minimumSubstringLength, values[text] != nil, let name,
                !Correlation.membersWithShortValues.contains(name) && name != "value"
            {
                return value
            }
            if keepsClientChosenValues, name == "path" || name == "filter" {
                // A PATCH path or a search filter compares attributes with literals, such as
                // `members[value eq "2"]`. A bulk operation's path is a request path.
                return .string(text.hasPrefix("/") ? substitute(path: text) : substituteQuoted(text))
            }
            return .string(substituteQuoted(substitute(text)))
        case .array(let elements):
            return .array(elements.map { substitute($0, member: member, inReference: inReference) })
        case .object(let object):
            // The value of a PATCH operation is a reference when its path names a reference attribute.
            let operationPath = object.value(matching: "op") == nil ? nil : object.value(matching: "path")?.stringValue
            var result = JSONObject()
            for (key, element) in object {
                let childInReference: Bool
                if key.lowercased() == "value" {
                    childInReference =
                        operationPath.map {
                            Correlation.referenceAttributes.contains(Correlation.rootAttribute(of: $0))
                        }
                        ?? inReference
                } else {
                    childInReference = Correlation.referenceAttributes.contains(Correlation.rootAttribute(of: key))
                }
                result[key] = substitute(element, member: key, inReference: childInReference)
            }
            return .object(result)
        default:
            return value
        }
    }

    /// Returns the lowercased top-level attribute that a PATCH path or a member name names:
    /// `members` for `members[value eq "2"]`, `manager` for
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
    static func rootAttribute(of path: String) -> String {
        var name = Substring(path)
        if let bracket = name.firstIndex(of: "[") {
            name = name[..<bracket]
        }
        if let colon = name.lastIndex(of: ":") {
            name = name[name.index(after: colon)...]
        }
        if let dot = name.firstIndex(of: ".") {
            name = name[..<dot]
        }
        return name.lowercased()
    }

    /// Returns whether the quoted literal that starts at `open` is compared with an id or a
    /// reference: `id`, `$ref`, `members.value`, or `value` inside `members[...]`, `groups[...]` or
    /// `manager[...]`. The operator and the attribute path are read backwards from the literal.
    static func comparesReference(_ bytes: [UInt8], literalAt open: Int) -> Bool {
        let space = UInt8(ascii: " ")
        var end = open
        while end > 0 && bytes[end - 1] == space {
            end -= 1
        }
        var start = end
        while start > 0 && isLetter(bytes[start - 1]) {
            start -= 1
        }
        guard end - start == 2, start > 0, bytes[start - 1] == space else {
            return false
        }

        // The attribute path before the operator.
        end = start - 1
        while end > 0 && bytes[end - 1] == space {
            end -= 1
        }
        start = end
        while start > 0 && !" [(".utf8.contains(bytes[start - 1]) {
            start -= 1
        }
        let attribute = String(decoding: bytes[start..<end], as: UTF8.self).lowercased()

        var components = attribute.split(separator: ":").last.map { $0.split(separator: ".") } ?? []
        guard let last = components.popLast() else {
            return false
        }
        if last == "id" || last == "$ref" {
            return true
        }
        guard last == "value" else {
            return false
        }
        if let container = components.last {
            return referenceAttributes.contains(String(container))
        }

        // `value` inside `attribute[...]`: find the bracket that is still open before the path.
        var position = start
        while position > 0 {
            position -= 1
            if bytes[position] == UInt8(ascii: "]") {
                return false
            }
            if bytes[position] == UInt8(ascii: "[") {
                var nameStart = position
                while nameStart > 0 && !" [(".utf8.contains(bytes[nameStart - 1]) {
                    nameStart -= 1
                }
                let container = String(decoding: bytes[nameStart..<position], as: UTF8.self)
                return referenceAttributes.contains(rootAttribute(of: container))
            }
        }
        return false
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
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
