import HTTP
import SCIM

extension Transcript {
    /// Returns whether a parsed JSON document claims to be a transcript, by its `format` member.
    public static func isTranscript(_ json: JSONValue) -> Bool {
        json.objectValue?["format"]?.stringValue == formatName
    }

    /// Reads a transcript from parsed JSON. Every fault names the JSON path where it is.
    public init(json: JSONValue) throws(TranscriptError) {
        let reader = FieldReader()
        let root = try reader.object(json, at: .root)
        try reader.rejectUnknown(
            root, allowed: ["format", "version", "name", "description", "source", "preconditions", "exchanges"],
            at: .root)
        let format = try reader.string(root, "format", at: .root)
        guard format == Transcript.formatName else {
            throw TranscriptError(
                path: JSONPath.root.appending(key: "format"),
                message: "format is \(JSONValue.string(format).serialized()), expected \"\(Transcript.formatName)\"")
        }
        let version = try reader.integer(root, "version", at: .root)
        guard version == Transcript.currentVersion else {
            throw TranscriptError(
                path: JSONPath.root.appending(key: "version"),
                message: "version \(version) is not supported; this scimtape reads version \(Transcript.currentVersion)"
            )
        }
        name = try reader.string(root, "name", at: .root)
        description = try reader.string(root, "description", at: .root)
        source = try Transcript.readSource(root, reader: reader)

        preconditions = []
        let preconditionsPath = JSONPath.root.appending(key: "preconditions")
        for (index, item) in try reader.array(root, "preconditions", at: .root, required: false).enumerated() {
            do {
                preconditions.append(try Precondition(json: item))
            } catch {
                throw TranscriptError(
                    path: preconditionsPath.appending(index: index).appending(error.path), message: error.message)
            }
        }

        exchanges = []
        let exchangesPath = JSONPath.root.appending(key: "exchanges")
        for (index, item) in try reader.array(root, "exchanges", at: .root).enumerated() {
            exchanges.append(try Exchange(json: item, at: exchangesPath.appending(index: index), reader: reader))
        }
        guard !exchanges.isEmpty else {
            throw TranscriptError(path: exchangesPath, message: "a transcript needs at least one exchange")
        }
    }

    private static func readSource(_ root: JSONObject, reader: FieldReader) throws(TranscriptError) -> Source {
        let path = JSONPath.root.appending(key: "source")
        guard let value = root["source"] else {
            throw TranscriptError(path: path, message: "the member 'source' is missing")
        }
        let object = try reader.object(value, at: path)
        try reader.rejectUnknown(
            object, allowed: ["kind", "tool", "scenario", "dialect", "profile", "recordedAt", "notes"], at: path)
        let kindText = try reader.string(object, "kind", at: path)
        guard let kind = Source.Kind(rawValue: kindText) else {
            throw TranscriptError(
                path: path.appending(key: "kind"),
                message:
                    "kind '\(kindText)' is not one of \(Source.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return Source(
            kind: kind, tool: try reader.optionalString(object, "tool", at: path),
            scenario: try reader.optionalString(object, "scenario", at: path),
            dialect: try reader.optionalString(object, "dialect", at: path),
            profile: try reader.optionalString(object, "profile", at: path),
            recordedAt: try reader.optionalString(object, "recordedAt", at: path),
            notes: try reader.optionalString(object, "notes", at: path))
    }
}

extension Exchange {
    init(json: JSONValue, at path: JSONPath, reader: FieldReader) throws(TranscriptError) {
        let object = try reader.object(json, at: path)
        try reader.rejectUnknown(object, allowed: ["description", "step", "request", "response", "expect"], at: path)
        description = try reader.optionalString(object, "description", at: path)
        step = try reader.optionalString(object, "step", at: path)

        let requestPath = path.appending(key: "request")
        guard let requestValue = object["request"] else {
            throw TranscriptError(path: requestPath, message: "the member 'request' is missing")
        }
        let requestObject = try reader.object(requestValue, at: requestPath)
        try reader.rejectUnknown(
            requestObject, allowed: ["method", "path", "headers", "body", "bodyText", "bodyBase64"], at: requestPath)
        let method = try reader.string(requestObject, "method", at: requestPath)
        if let problem = Exchange.problem(inMethod: method) {
            throw TranscriptError(path: requestPath.appending(key: "method"), message: problem)
        }
        let target = try reader.string(requestObject, "path", at: requestPath)
        if let problem = Exchange.problem(inPath: target) {
            throw TranscriptError(
                path: requestPath.appending(key: "path"),
                message: "path \(JSONValue.string(target).serialized()) \(problem)")
        }
        request = Request(
            method: method, path: target, headers: try reader.headers(requestObject, at: requestPath),
            body: try reader.body(requestObject, at: requestPath))

        let responsePath = path.appending(key: "response")
        guard let responseValue = object["response"] else {
            throw TranscriptError(path: responsePath, message: "the member 'response' is missing")
        }
        let responseObject = try reader.object(responseValue, at: responsePath)
        try reader.rejectUnknown(
            responseObject, allowed: ["status", "headers", "body", "bodyText", "bodyBase64"], at: responsePath)
        response = Response(
            status: try reader.status(responseObject, "status", at: responsePath),
            headers: try reader.headers(responseObject, at: responsePath),
            body: try reader.body(responseObject, at: responsePath))

        expectations = Expectations()
        if let expectValue = object["expect"] {
            expectations = try Expectations(json: expectValue, at: path.appending(key: "expect"), reader: reader)
        }
    }
}

extension Exchange {
    /// Returns what is wrong with a recorded request path, or `nil` when the path is relative to
    /// the SCIM base, percent-encoded, and unable to leave the base.
    public static func problem(inPath target: String) -> String? {
        guard target.hasPrefix("/"), !target.hasPrefix("//") else {
            return "must start with a single '/' and be relative to the SCIM base, such as /Users"
        }
        // One pass over the bytes, because the recording proxy checks the path of every exchange.
        // In UTF-8, a byte below 0x21 or equal to 0x7F is always that ASCII character.
        var text = target
        let (hasControl, hasFragment, hasDot) = text.withUTF8 { bytes in
            var found = (control: false, fragment: false, dot: false)
            for byte in bytes {
                if byte < 0x21 || byte == 0x7F {
                    found.control = true
                } else if byte == UInt8(ascii: "#") {
                    found.fragment = true
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "%") {
                    found.dot = true
                }
            }
            return found
        }
        if hasControl {
            return "contains a space or control character; percent-encode it"
        }
        if hasFragment {
            return "contains '#'; a request path has no fragment"
        }
        // A "." or ".." segment needs a dot, written as it is or percent-encoded.
        guard hasDot else {
            return nil
        }
        for segment in RequestTarget.split(target).path.split(separator: "/", omittingEmptySubsequences: false) {
            let decoded = RequestTarget.percentDecode(String(segment))
            if decoded == "." || decoded == ".." {
                return "contains a '.' or '..' segment, which would leave the SCIM base"
            }
        }
        return nil
    }

    /// The status codes a transcript accepts, because RFC 9110 section 15 makes every code
    /// outside 100...599 invalid.
    public static let statusCodes = 100...599

    /// Returns what is wrong with a recorded request method, or `nil` when it is an uppercase
    /// name such as GET or PATCH.
    public static func problem(inMethod method: String) -> String? {
        guard !method.isEmpty, method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return "method \(JSONValue.string(method).serialized()) is not an HTTP method such as GET or PATCH"
        }
        return nil
    }

    /// Returns what is wrong with a header field name, or `nil` when it is visible ASCII without a
    /// colon, which includes every token of RFC 9110 section 5.1.
    public static func problem(inHeaderName name: String) -> String? {
        var name = name
        let valid = name.withUTF8 { bytes in
            !bytes.isEmpty && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
        }
        guard valid else {
            return "\(JSONValue.string(name).serialized()) is not a header name"
        }
        return nil
    }

    /// Returns what is wrong with a header field value, or `nil` when it has no control character
    /// other than a tab (RFC 9110 section 5.5).
    public static func problem(inHeaderValue value: String) -> String? {
        // Bytes are checked instead of scalars, because below 0x80 a UTF-8 byte is the scalar itself.
        // The recording proxy checks every header of every exchange, so the bytes are read from
        // contiguous storage rather than through the UTF-8 view's iterator.
        var value = value
        let hasControl = value.withUTF8 { bytes in bytes.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F } }
        if hasControl {
            return "a header value must not contain a line break or control character"
        }
        return nil
    }
}

extension Expectations {
    /// The maximum length of a matcher pattern, in bytes. Real patterns are a few segments long,
    /// and checking one of many thousand segments against a body takes time that grows with its
    /// square.
    public static let maximumMatcherPatternLength = 1024

    init(json: JSONValue, at path: JSONPath, reader: FieldReader) throws(TranscriptError) {
        let object = try reader.object(json, at: path)
        try reader.rejectUnknown(object, allowed: ["status", "profiles", "matchers"], at: path)
        status = object["status"] == nil ? nil : try reader.statusList(object, "status", at: path)
        matchers = []
        if let matchersValue = object["matchers"] {
            let matchersPath = path.appending(key: "matchers")
            for (text, value) in try reader.object(matchersValue, at: matchersPath) {
                guard text.utf8.count <= Self.maximumMatcherPatternLength else {
                    throw TranscriptError(
                        path: matchersPath,
                        message:
                            "a matcher pattern of \(text.utf8.count) bytes is longer than the \(Self.maximumMatcherPatternLength) allowed: '\(text.prefix(40))...'"
                    )
                }
                let matcherPath = matchersPath.appending(key: text)
                guard let pattern = JSONPathPattern(text) else {
                    throw TranscriptError(
                        path: matcherPath,
                        message: "'\(text)' is not a JSONPath pattern such as $.meta.version or $.Resources[*].id")
                }
                do {
                    matchers.append(MatcherEntry(pattern: pattern, matcher: try ResponseMatcher(json: value)))
                } catch {
                    throw TranscriptError(path: matcherPath, message: error.message)
                }
            }
        }
        profiles = [:]
        if let profilesValue = object["profiles"] {
            let profilesPath = path.appending(key: "profiles")
            for (name, value) in try reader.object(profilesValue, at: profilesPath) {
                let profilePath = profilesPath.appending(key: name)
                guard Expectations.profileNames.contains(name) else {
                    throw TranscriptError(
                        path: profilePath,
                        message:
                            "unknown profile '\(name)'; expected one of \(Expectations.profileNames.sorted().joined(separator: ", "))"
                    )
                }
                let profileObject = try reader.object(value, at: profilePath)
                try reader.rejectUnknown(
                    profileObject, allowed: ["status", "body", "bodyText", "bodyBase64"], at: profilePath)
                let hasBody = FieldReader.bodyMembers.contains { profileObject[$0] != nil }
                profiles[name] = ProfileExpectation(
                    status: try reader.statusList(profileObject, "status", at: profilePath),
                    body: hasBody ? try reader.body(profileObject, at: profilePath) : nil)
            }
        }
    }
}

/// Typed member access that throws `TranscriptError` with the member's path.
struct FieldReader {
    func object(_ value: JSONValue, at path: JSONPath) throws(TranscriptError) -> JSONObject {
        guard let object = value.objectValue else {
            throw TranscriptError(path: path, message: "expected an object, found \(value.typeName)")
        }
        return object
    }

    func rejectUnknown(_ object: JSONObject, allowed: Set<String>, at path: JSONPath) throws(TranscriptError) {
        for key in object.keys where !allowed.contains(key) {
            throw TranscriptError(
                path: path.appending(key: key),
                message: "unknown member '\(key)'; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func string(_ object: JSONObject, _ key: String, at path: JSONPath) throws(TranscriptError) -> String {
        guard let value = object[key] else {
            throw TranscriptError(path: path.appending(key: key), message: "the member '\(key)' is missing")
        }
        guard let string = value.stringValue else {
            throw TranscriptError(path: path.appending(key: key), message: "expected a string, found \(value.typeName)")
        }
        return string
    }

    func optionalString(_ object: JSONObject, _ key: String, at path: JSONPath) throws(TranscriptError) -> String? {
        guard let value = object[key], !value.isNull else {
            return nil
        }
        return try string(object, key, at: path)
    }

    func integer(_ object: JSONObject, _ key: String, at path: JSONPath) throws(TranscriptError) -> Int {
        guard let value = object[key] else {
            throw TranscriptError(path: path.appending(key: key), message: "the member '\(key)' is missing")
        }
        guard let number = value.numberValue, let integer = number.intValue else {
            throw TranscriptError(
                path: path.appending(key: key), message: "expected an integer, found \(value.serialized())")
        }
        return integer
    }

    func status(_ object: JSONObject, _ key: String, at path: JSONPath) throws(TranscriptError) -> Int {
        let code = try integer(object, key, at: path)
        guard Exchange.statusCodes.contains(code) else {
            throw TranscriptError(path: path.appending(key: key), message: "status \(code) is not between 100 and 599")
        }
        return code
    }

    func statusList(_ object: JSONObject, _ key: String, at path: JSONPath) throws(TranscriptError) -> [Int] {
        guard let value = object[key] else {
            throw TranscriptError(path: path.appending(key: key), message: "the member '\(key)' is missing")
        }
        if value.numberValue != nil {
            return [try status(object, key, at: path)]
        }
        guard let list = value.arrayValue, !list.isEmpty else {
            throw TranscriptError(
                path: path.appending(key: key), message: "expected a status code or a non-empty array of them")
        }
        var codes: [Int] = []
        for (index, item) in list.enumerated() {
            guard let code = item.intValue, Exchange.statusCodes.contains(code) else {
                throw TranscriptError(
                    path: path.appending(key: key).appending(index: index),
                    message: "expected a status code between 100 and 599, found \(item.serialized())")
            }
            codes.append(code)
        }
        return codes
    }

    func array(_ object: JSONObject, _ key: String, at path: JSONPath, required: Bool = true) throws(TranscriptError)
        -> [JSONValue]
    {
        guard let value = object[key] else {
            if required {
                throw TranscriptError(path: path.appending(key: key), message: "the member '\(key)' is missing")
            }
            return []
        }
        guard let array = value.arrayValue else {
            throw TranscriptError(path: path.appending(key: key), message: "expected an array, found \(value.typeName)")
        }
        return array
    }

    func headers(_ object: JSONObject, at path: JSONPath) throws(TranscriptError) -> HTTPHeaders {
        var headers = HTTPHeaders()
        let headersPath = path.appending(key: "headers")
        for (index, item) in try array(object, "headers", at: path, required: false).enumerated() {
            let fieldPath = headersPath.appending(index: index)
            let field = try self.object(item, at: fieldPath)
            try rejectUnknown(field, allowed: ["name", "value"], at: fieldPath)
            let name = try string(field, "name", at: fieldPath)
            let value = try string(field, "value", at: fieldPath)
            if let problem = Exchange.problem(inHeaderName: name) {
                throw TranscriptError(path: fieldPath.appending(key: "name"), message: problem)
            }
            if let problem = Exchange.problem(inHeaderValue: value) {
                throw TranscriptError(path: fieldPath.appending(key: "value"), message: problem)
            }
            headers.add(name: name, value: value)
        }
        return headers
    }

    /// The members that hold a body: JSON, text, or bytes that are not valid UTF-8 as base64.
    static let bodyMembers = ["body", "bodyText", "bodyBase64"]

    func body(_ object: JSONObject, at path: JSONPath) throws(TranscriptError) -> RecordedBody {
        let given = FieldReader.bodyMembers.filter { object[$0] != nil }
        if given.count > 1 {
            throw TranscriptError(
                path: path.appending(key: given[1]),
                message:
                    "found both '\(given[0])' and '\(given[1])', but a message takes only one of 'body', 'bodyText' and 'bodyBase64'"
            )
        }
        if let json = object["body"] {
            return .json(json)
        }
        if object["bodyText"] != nil {
            // An empty text is an empty body, which is how an expectation of no body is written.
            let text = try string(object, "bodyText", at: path)
            return text.isEmpty ? .none : .text(text)
        }
        if object["bodyBase64"] != nil {
            let text = try string(object, "bodyBase64", at: path)
            guard let bytes = RecordedBody.bytes(base64: text) else {
                throw TranscriptError(
                    path: path.appending(key: "bodyBase64"),
                    message:
                        "\(Self.excerpt(text)) is not standard base64 (RFC 4648 section 4), which uses only A-Z, a-z, 0-9, '+' and '/', pads with '=' to a multiple of 4 characters, sets the unused bits of the last character to zero, and has no line breaks"
                )
            }
            return bytes.isEmpty ? .none : .binary(bytes)
        }
        return .none
    }

    /// Returns a string as a JSON literal, cut to its first 40 characters, for messages that quote it.
    private static func excerpt(_ text: String) -> String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "..." : text
        return JSONValue.string(shown).serialized()
    }
}
