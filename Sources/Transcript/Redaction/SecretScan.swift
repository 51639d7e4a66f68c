import HTTP
import SCIM

/// Finds values that look like credentials anywhere in a transcript: bearer tokens and JWTs in
/// paths, headers and bodies, and long random-looking values in headers that are not known to
/// hold identifiers. Values already replaced with `[redacted]` are not reported.
public enum SecretScan {
    /// Returns every finding in the transcript, in exchange order.
    public static func scan(_ transcript: Transcript) -> [SecretFinding] {
        transcript.exchanges.enumerated().flatMap { index, exchange in
            scan(exchange, number: index + 1)
        }
    }

    /// Returns every finding in one exchange; `number` is its 1-based position.
    public static func scan(_ exchange: Exchange, number: Int) -> [SecretFinding] {
        var walker = Walker(number: number, replacing: false)
        _ = walker.visit(exchange)
        return walker.findings
    }

    /// Returns the exchange with every finding replaced by `[redacted]`, and the findings. Every
    /// other copy of a flagged value in the exchange is replaced too, in each spelling from
    /// `SecretPolicy.spellings(of:)`, because the scan flags a token only where it looks like
    /// one (after `Bearer `). The recorder calls this before an exchange reaches the journal, so
    /// an unlisted credential never reaches the disk either.
    public static func redactFindings(in exchange: Exchange, number: Int) -> (Exchange, [SecretFinding]) {
        // Most exchanges hold no secret, so a scan that builds nothing comes first.
        guard !scan(exchange, number: number).isEmpty else {
            return (exchange, [])
        }
        var walker = Walker(number: number, replacing: true)
        let redacted = walker.visit(exchange)
        let copies = Set(walker.values).flatMap(SecretPolicy.spellings(of:))
        return (copies.isEmpty ? redacted : SecretPolicy.replacing(copies, in: redacted), walker.findings)
    }

    /// Returns each value the scan flags in the exchange once, as the exchange stores it: decoded
    /// in a JSON body and in the request path.
    public static func flaggedValues(in exchange: Exchange) -> [String] {
        var walker = Walker(number: 0, replacing: false)
        _ = walker.visit(exchange)
        return Array(Set(walker.values))
    }

    /// Returns a request target with each bearer token and JWT replaced by `%5Bredacted%5D`, the
    /// percent-encoded `[redacted]`, so that a token sent as a query parameter, such as
    /// `?access_token=eyJ...`, leaves the rest of the query as it was. A query value whose token
    /// is only visible once decoded (`Bearer%20abc...`) is replaced in decoded form and encoded
    /// again as an HTML form encodes it.
    ///
    /// NOTE: A token that is percent-encoded in the path before `?` is reported by `scan` but
    /// left as it is here.
    public static func redactCredentials(inPath target: String) -> String {
        let (path, query) = RequestTarget.split(target)
        let redactedPath = replaceCredentials(in: path)
        guard let query else {
            return redactedPath
        }
        // `;` separates parameters too in some servers' query parsing; each separator is kept.
        var result = redactedPath + "?"
        var rest = Substring(query)
        while true {
            let end = rest.firstIndex { $0 == "&" || $0 == ";" } ?? rest.endIndex
            result += redactParameter(rest[..<end])
            guard end < rest.endIndex else {
                break
            }
            result.append(rest[end])
            rest = rest[rest.index(after: end)...]
        }
        return result
    }

    private static func redactParameter(_ parameter: Substring) -> String {
        guard let equals = parameter.firstIndex(of: "=") else {
            return replaceCredentials(in: String(parameter))
        }
        let value = String(parameter[parameter.index(after: equals)...])
        let name = RequestTarget.percentDecode(String(parameter[..<equals]), plusIsSpace: true).lowercased()
        if credentialParameters.contains(name) && !value.isEmpty {
            return String(parameter[...equals]) + "%5Bredacted%5D"
        }
        let decoded = RequestTarget.percentDecode(value, plusIsSpace: true)
        let random = randomRanges(inQueryValue: decoded, name: name)
        guard !random.isEmpty else {
            return String(parameter[...equals]) + redactCredentials(inQueryValue: value)
        }
        var result = decoded
        let credentials = SecretPatterns.credentialRanges(in: decoded).map(\.range)
        for range in (random + credentials).sorted(by: { $0.lowerBound > $1.lowerBound }) {
            result.replaceSubrange(range, with: SecretRedaction.placeholder)
        }
        return String(parameter[...equals]) + RequestTarget.encodeFormValue(result)
    }

    /// SCIM's query parameters (RFC 7644 sections 3.4.2 and 3.9, and `cursor` from RFC 9865),
    /// whose values are filters, attribute names, numbers and page cursors, never credentials.
    static let scimQueryParameters: Set<String> = [
        "filter", "attributes", "excludedattributes", "sortby", "sortorder", "startindex", "count", "cursor",
    ]

    /// Returns the long random-looking parts of a decoded query value, as the scan finds them in
    /// header values, except in SCIM's own parameters and where a bearer token or JWT overlaps.
    /// A signature or key in a query (`?sig=...`) is a credential as much as one in a header.
    static func randomRanges(inQueryValue value: String, name: String) -> [Range<String.Index>] {
        guard !scimQueryParameters.contains(name) else {
            return []
        }
        let credentials = SecretPatterns.credentialRanges(in: value).map(\.range)
        return SecretPatterns.randomRanges(in: value).filter { range in
            !credentials.contains { $0.overlaps(range) }
        }
    }

    /// Returns the name, lowercased, and the value of each `name=value` parameter of a request
    /// target's query, both percent-decoded.
    static func queryParameters(of target: String) -> [(name: String, value: String)] {
        guard let query = RequestTarget.split(target).query else {
            return []
        }
        return query.split(whereSeparator: { $0 == "&" || $0 == ";" }).compactMap {
            (parameter: Substring) -> (name: String, value: String)? in
            guard let equals = parameter.firstIndex(of: "=") else {
                return nil
            }
            let name = RequestTarget.percentDecode(String(parameter[..<equals]), plusIsSpace: true).lowercased()
            let value = RequestTarget.percentDecode(
                String(parameter[parameter.index(after: equals)...]), plusIsSpace: true)
            return (name, value)
        }
    }

    /// Query parameters whose value is a credential whatever it looks like: RFC 6750's
    /// `access_token`, and the names API keys and secrets commonly go by.
    static let credentialParameters: Set<String> = [
        "access_token", "refresh_token", "id_token", "token", "api_key", "apikey", "client_secret", "secret",
        "password",
    ]

    private static func redactCredentials(inQueryValue value: String) -> String {
        let replaced = replaceCredentials(in: value)
        guard replaced == value else {
            return replaced
        }
        let decoded = RequestTarget.percentDecode(value, plusIsSpace: true)
        let ranges = SecretPatterns.credentialRanges(in: decoded)
        guard !ranges.isEmpty else {
            return value
        }
        var result = decoded
        for (range, _) in ranges.reversed() {
            result.replaceSubrange(range, with: SecretRedaction.placeholder)
        }
        return RequestTarget.encodeFormValue(result)
    }

    /// Replaces bearer tokens and JWTs in free text, such as a message about a request.
    public static func redactCredentials(inText text: String) -> String {
        var result = text
        for (range, _) in SecretPatterns.credentialRanges(in: text).reversed() {
            result.replaceSubrange(range, with: SecretRedaction.placeholder)
        }
        return result
    }

    /// Replaces the user information of URLs in free text (`//user:password@host`).
    public static func redactUserInformation(in text: String) -> String {
        guard text.contains("@"), text.contains("//") else {
            return text
        }
        var result = ""
        var rest = Substring(text)
        while let slashes = rest.range(of: "//") {
            result += rest[..<slashes.upperBound]
            rest = rest[slashes.upperBound...]
            let authorityEnd = rest.firstIndex { "/?# \"'".contains($0) } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                result += SecretRedaction.placeholder
                rest = rest[at...]
            }
        }
        return result + rest
    }

    /// Replaces the tokens found in text as it is, without decoding it.
    private static func replaceCredentials(in text: String) -> String {
        var result = text
        for (range, _) in SecretPatterns.credentialRanges(in: text).reversed() {
            result.replaceSubrange(range, with: "%5Bredacted%5D")
        }
        return result
    }
}

/// Visits every string of an exchange, collecting findings and optionally replacing them.
private struct Walker {
    let number: Int
    let replacing: Bool
    var findings: [SecretFinding] = []
    /// The text of each finding.
    var values: [String] = []

    init(number: Int, replacing: Bool) {
        self.number = number
        self.replacing = replacing
    }

    mutating func visit(_ exchange: Exchange) -> Exchange {
        var result = exchange
        result.request.path = visit(path: exchange.request.path)
        result.request.headers = visit(exchange.request.headers, side: "request")
        result.request.body = visit(exchange.request.body, location: "request body")
        result.response.headers = visit(exchange.response.headers, side: "response")
        result.response.body = visit(exchange.response.body, location: "response body")
        for name in exchange.expectations.profiles.keys.sorted() {
            if let body = exchange.expectations.profiles[name]?.body {
                result.expectations.profiles[name]?.body = visit(body, location: "expected \(name) body")
            }
        }
        return result
    }

    private mutating func visit(path: String) -> String {
        let decoded = RequestTarget.percentDecode(path, plusIsSpace: true)
        let ranges = SecretPatterns.credentialRanges(in: decoded)
        for (range, kind) in ranges {
            record(kind, at: "request path", length: decoded.distance(from: range.lowerBound, to: range.upperBound))
            values.append(String(decoded[range]))
        }
        var foundRandom = false
        for (name, value) in SecretScan.queryParameters(of: path) {
            for range in SecretScan.randomRanges(inQueryValue: value, name: name) {
                record(
                    .randomHeaderValue, at: "request path",
                    length: value.distance(from: range.lowerBound, to: range.upperBound))
                values.append(String(value[range]))
                foundRandom = true
            }
        }
        guard !ranges.isEmpty || foundRandom else {
            return path
        }
        return replacing ? SecretScan.redactCredentials(inPath: path) : path
    }

    private mutating func visit(_ headers: HTTPHeaders, side: String) -> HTTPHeaders {
        var fields: [HTTPHeaders.Field] = []
        fields.reserveCapacity(headers.fields.count)
        for field in headers {
            var ranges = SecretPatterns.credentialRanges(in: field.value)
            if !SecretPatterns.isExempt(headerName: field.name) {
                for range in SecretPatterns.randomRanges(in: field.value)
                where !ranges.contains(where: { $0.range.overlaps(range) }) {
                    ranges.append((range, .randomHeaderValue))
                }
            }
            for (range, kind) in ranges {
                let length = field.value.distance(from: range.lowerBound, to: range.upperBound)
                record(kind, at: "\(side) header \(field.name)", length: length)
                values.append(String(field.value[range]))
            }
            fields.append(
                HTTPHeaders.Field(name: field.name, value: replacing ? replace(ranges, in: field.value) : field.value))
        }
        return HTTPHeaders(fields)
    }

    private mutating func visit(_ body: RecordedBody, location: String) -> RecordedBody {
        switch body {
        case .none:
            return body
        case .text(let text):
            return .text(visit(text: text, location: location))
        case .json(let value):
            return .json(visit(value, path: .root, location: location))
        case .binary(let bytes):
            // Tokens are ASCII, so each one lies inside a run of valid UTF-8 and is replaced there.
            return .binary(RecordedBody.transformingValidRuns(of: bytes) { visit(text: $0, location: location) })
        }
    }

    private mutating func visit(_ value: JSONValue, path: JSONPath, location: String) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(visit(text: text, location: "\(location) \(path)", member: memberName(of: path)))
        case .array(let elements) where !replacing:
            for (index, element) in elements.enumerated() {
                _ = visit(element, path: path.appending(index: index), location: location)
            }
            return value
        case .object(let object) where !replacing:
            for (key, member) in object {
                _ = visit(member, path: path.appending(key: key), location: location)
            }
            return value
        case .array(let elements):
            return .array(
                elements.enumerated().map { index, element in
                    visit(element, path: path.appending(index: index), location: location)
                })
        case .object(let object):
            var result = JSONObject()
            for (key, member) in object {
                result[key] = visit(member, path: path.appending(key: key), location: location)
            }
            return .object(result)
        default:
            return value
        }
    }

    private mutating func visit(text: String, location: @autoclosure () -> String, member: String? = nil) -> String {
        let ranges = SecretPatterns.credentialRanges(in: text)
        for (range, kind) in ranges {
            let length = text.distance(from: range.lowerBound, to: range.upperBound)
            record(kind, at: location(), length: length, member: member)
            values.append(String(text[range]))
        }
        return replacing ? replace(ranges, in: text) : text
    }

    private func replace(_ ranges: [(range: Range<String.Index>, kind: SecretFinding.Kind)], in text: String) -> String
    {
        var result = text
        for (range, _) in ranges.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            result.replaceSubrange(range, with: SecretRedaction.placeholder)
        }
        return result
    }

    private mutating func record(_ kind: SecretFinding.Kind, at location: String, length: Int, member: String? = nil) {
        findings.append(
            SecretFinding(exchange: number, location: location, kind: kind, length: length, jsonMember: member))
    }

    /// Returns the name of the innermost JSON member on the path: `tokens` for `$.tokens[0]`, and
    /// `nil` for a value outside any object.
    private func memberName(of path: JSONPath) -> String? {
        for component in path.components.reversed() {
            if case .key(let name) = component {
                return name
            }
        }
        return nil
    }
}
