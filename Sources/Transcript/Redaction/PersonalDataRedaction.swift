import HTTP
import SCIM

/// Replaces personal data in a transcript with consistent pseudonyms, so that it can be shared
/// and still replays, and still fails, the way the original does.
///
/// Values of the attributes in `PersonalAttribute` (userName, emails, name parts, displayName,
/// externalId, phone numbers, the manager's and group members' display names, addresses) are
/// collected from request and response bodies, expected bodies, preconditions, filter literals
/// and PATCH paths. Each value then gets one pseudonym wherever it appears: as a whole value, as a
/// request path segment, inside filter strings, in `Location` headers and `meta.location`, and as
/// a word inside free text such as error details, descriptions and most other header values. A
/// value spelled with percent escapes or with `+` for a space, as in queries, header values and
/// form-encoded bodies, gets its pseudonym encoded the same way. The endpoint's host in
/// `Location` and other URL headers, `Host`, `meta.location` and `$ref` becomes a neutral name
/// under `example.invalid`, and the path after it is kept, so ids still correlate on replay.
/// Schema URNs, operation names, `type` values and other protocol strings are never changed. Nor
/// are endpoint names in paths (`ProtocolNames`), attribute names in filters and PATCH paths, and
/// discovery resources, even where a person or group has the same name.
public struct PersonalDataRedaction: Sendable {
    public private(set) var table: PseudonymTable

    /// Collects the personal values of `transcript` and assigns their pseudonyms.
    public init(collectingFrom transcript: Transcript) {
        var collector = PersonalDataWalker(table: PseudonymTable(), applying: false)
        _ = collector.visit(transcript)
        var table = collector.table
        table.assign()
        self.table = table
    }

    /// Returns the transcript with every collected value replaced.
    public func apply(to transcript: Transcript) -> Transcript {
        var walker = PersonalDataWalker(table: table, applying: true)
        return walker.visit(transcript)
    }

    /// Collects, assigns and applies in one step.
    public static func redact(_ transcript: Transcript) -> (transcript: Transcript, table: PseudonymTable) {
        let redaction = PersonalDataRedaction(collectingFrom: transcript)
        return (redaction.apply(to: transcript), redaction.table)
    }
}

/// Visits every string of a transcript with the role its position gives it. In collecting mode
/// it records personal values and returns everything unchanged; in applying mode it replaces.
struct PersonalDataWalker {
    var table: PseudonymTable
    let applying: Bool

    /// The treatment a string gets, decided by its position in the transcript.
    enum Role {
        case personal(PersonalAttribute)
        /// An id or a reference: replaced only as a whole value or path segment.
        case reference
        /// A resource URL (`meta.location`, `$ref`): a reference whose host is replaced too.
        case url
        case filter
        case patchPath
        /// A request path inside a body, such as a bulk operation's `path`.
        case requestPath
        case protected
        case freeText
    }

    static let referenceKeys: Set<String> = ["id", "value"]
    static let urlKeys: Set<String> = ["$ref", "location"]
    static let protectedKeys: Set<String> = [
        "schemas", "op", "type", "primary", "resourcetype", "scimtype", "status", "version", "created",
        "lastmodified", "kind", "format", "method",
    ]

    mutating func visit(_ transcript: Transcript) -> Transcript {
        var result = transcript
        result.preconditions = transcript.preconditions.map { precondition in
            let json = visit(precondition.json, context: "", role: nil, inPrecondition: true)
            return (try? Precondition(json: json)) ?? precondition
        }
        result.exchanges = transcript.exchanges.map { visit($0) }
        result.name = freeText(transcript.name)
        result.description = freeText(transcript.description)
        result.source.notes = transcript.source.notes.map(freeText)
        return result
    }

    mutating func visit(_ exchange: Exchange) -> Exchange {
        var result = exchange
        let endpoint = ProtocolNames.endpoint(of: RequestTarget.split(exchange.request.path).path)
        let discovery = endpoint.map(ProtocolNames.discoveryEndpoints.contains) ?? false
        result.request.path = visit(path: exchange.request.path)
        result.request.body = visit(exchange.request.body)
        result.request.headers = visit(exchange.request.headers)
        result.response.body = visit(exchange.response.body, discovery: discovery)
        result.response.headers = visit(exchange.response.headers)
        for name in exchange.expectations.profiles.keys.sorted() {
            if let body = exchange.expectations.profiles[name]?.body {
                result.expectations.profiles[name]?.body = visit(body, discovery: discovery)
            }
        }
        result.description = exchange.description.map(freeText)
        return result
    }

    /// Visits a body. A `discovery` body is the response of a discovery endpoint, which contains
    /// no personal data even where its resources do not list their schema.
    private mutating func visit(_ body: RecordedBody, discovery: Bool = false) -> RecordedBody {
        switch body {
        case .none:
            return body
        case .text(let text):
            return .text(freeText(text))
        case .binary(let bytes):
            // NOTE: Values are not collected from bytes that are not valid UTF-8, so a value that
            // only such a body contains is kept. Values found elsewhere are replaced as words.
            return .binary(RecordedBody.transformingValidRuns(of: bytes) { freeText($0) })
        case .json(let value) where discovery:
            return .json(visit(discovery: value, key: nil))
        case .json(let value):
            return .json(visit(value, context: "", role: nil, inPrecondition: false))
        }
    }

    /// Replaces the endpoint's host in `Host` and in the URL headers (`Location`,
    /// `Content-Location`, `Origin`, `Referer`), and the path segments of all but `Origin` as in a
    /// `$ref`. Every other header value gets personal values replaced as whole words, as free text
    /// does, except the headers in `ProtocolNames.structuralHeaders`.
    private mutating func visit(_ headers: HTTPHeaders) -> HTTPHeaders {
        guard applying else {
            for field in headers {
                let lowered = field.name.lowercased()
                if lowered == "host" {
                    table.hosts.collect(authority: field.value)
                } else if PersonalDataWalker.urlHeaders.contains(lowered) {
                    table.hosts.collect(url: field.value)
                }
            }
            return headers
        }
        return HTTPHeaders(
            headers.map { field in
                let lowered = field.name.lowercased()
                switch lowered {
                case "host":
                    return HTTPHeaders.Field(name: field.name, value: table.hosts.replacing(authority: field.value))
                case "location", "content-location", "referer":
                    return HTTPHeaders.Field(name: field.name, value: reference(field.value))
                case "origin":
                    return HTTPHeaders.Field(name: field.name, value: table.hosts.replacing(url: field.value))
                case _ where ProtocolNames.structuralHeaders.contains(lowered):
                    return field
                default:
                    return HTTPHeaders.Field(name: field.name, value: freeText(field.value))
                }
            })
    }

    static let urlHeaders: Set<String> = ["location", "content-location", "origin", "referer"]

    /// Replaces path segments that are whole personal values, and personal values in the query
    /// as `replacing(query:)` does.
    private mutating func visit(path target: String) -> String {
        let (path, query) = RequestTarget.split(target)
        guard applying else {
            for (name, value) in RequestTarget.queryItems(query ?? "") where name.lowercased() == "filter" {
                _ = filter(value)
            }
            return target
        }
        let table = self.table
        let result = ProtocolNames.replacingSegments(of: path) { table.pseudonym(for: $0) }
        guard let query else {
            return result
        }
        return result + "?" + replacing(query: query)
    }

    /// Replaces the literals of a `filter` parameter and personal values in the values of other
    /// parameters, as free text does, encoded as they were. The values of the parameters in
    /// `ProtocolNames.queryParameters` are attribute names, sort orders and numbers and stay.
    private func replacing(query: String) -> String {
        let items = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                return String(pair)
            }
            let name = RequestTarget.percentDecode(String(parts[0]), plusIsSpace: true).lowercased()
            if ProtocolNames.queryParameters.contains(name) {
                return String(pair)
            }
            guard name == "filter" else {
                return "\(parts[0])=\(freeText(String(parts[1])))"
            }
            let decoded = RequestTarget.percentDecode(String(parts[1]), plusIsSpace: true)
            let replaced = replacingLiterals(inFilter: decoded)
            guard replaced != decoded else {
                return String(pair)
            }
            // A space stays spelled as it was: `+` as HTML forms and Entra send it, or `%20`.
            let formEncoded = parts[1].contains("+") || !parts[1].contains("%20")
            let encoded =
                formEncoded ? RequestTarget.encodeFormValue(replaced) : RequestTarget.encodeQueryValue(replaced)
            return "\(parts[0])=\(encoded)"
        }
        return items.joined(separator: "&")
    }

    mutating func visit(_ value: JSONValue, context: String, role: Role?, inPrecondition: Bool) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(visit(string: text, role: role ?? .freeText))
        case .array(let elements):
            return .array(elements.map { visit($0, context: context, role: role, inPrecondition: inPrecondition) })
        case .object(let object):
            if object.key(matching: "op") != nil {
                return .object(visit(operation: object))
            }
            if ProtocolNames.isDiscoveryResource(object) {
                return visit(discovery: value, key: nil)
            }
            var result = JSONObject()
            for (key, member) in object {
                var memberContext = PersonalAttribute.join(context, key)
                let lowered = key.lowercased()
                if lowered == "resources" || (inPrecondition && lowered == "user") {
                    memberContext = ""
                } else if lowered == "data" && object.key(matching: "method") != nil {
                    // A bulk operation's data is a resource (RFC 7644 section 3.7).
                    memberContext = ""
                } else if lowered.hasPrefix("urn:") && member.objectValue != nil {
                    // A schema extension object: its members are attributes of that schema.
                    memberContext = ""
                }
                let memberRole = member.objectValue == nil ? self.role(of: key, path: memberContext) : nil
                result[key] = visit(member, context: memberContext, role: memberRole, inPrecondition: inPrecondition)
            }
            return .object(result)
        default:
            return value
        }
    }

    /// Visits a PATCH operation (RFC 7644 section 3.5.2), whose `value` is interpreted at `path`,
    /// or at the resource root when there is no path.
    private mutating func visit(operation: JSONObject) -> JSONObject {
        let pathKey = operation.key(matching: "path")
        let path = pathKey.flatMap { operation[$0]?.stringValue }
        let valueContext = path.map(PersonalAttribute.normalize) ?? ""
        var result = JSONObject()
        for (key, member) in operation {
            switch key.lowercased() {
            case "path":
                result[key] = member.stringValue.map { .string(visit(string: $0, role: .patchPath)) } ?? member
            case "value":
                let role: Role = PersonalAttribute.at(valueContext).map { .personal($0) } ?? .reference
                result[key] = visit(member, context: valueContext, role: role, inPrecondition: false)
            default:
                result[key] = member
            }
        }
        return result
    }

    /// Visits a discovery resource (RFC 7643 sections 5 to 7), which describes the service and
    /// contains no personal data, so that attribute and resource type names such as `userName` or
    /// `User` stay. Only the endpoint's host is replaced, in URL members and inside other strings.
    private mutating func visit(discovery value: JSONValue, key: String?) -> JSONValue {
        switch value {
        case .string(let text):
            if let key, PersonalDataWalker.urlKeys.contains(key.lowercased()) {
                return .string(visit(string: text, role: .url))
            }
            return applying ? .string(table.hosts.replacingOccurrences(in: text)) : value
        case .array(let elements):
            return .array(elements.map { visit(discovery: $0, key: key) })
        case .object(let object):
            var result = JSONObject()
            for (memberKey, member) in object {
                result[memberKey] = visit(discovery: member, key: memberKey)
            }
            return .object(result)
        default:
            return value
        }
    }

    private func role(of key: String, path: String) -> Role {
        if let kind = PersonalAttribute.at(path) {
            return .personal(kind)
        }
        let lowered = key.lowercased()
        if lowered == "filter" {
            return .filter
        }
        if lowered == "path" {
            // A PATCH operation's path is visited with its operation, so this is a bulk path.
            return .requestPath
        }
        if PersonalDataWalker.referenceKeys.contains(lowered) {
            return .reference
        }
        if PersonalDataWalker.urlKeys.contains(lowered) {
            return .url
        }
        if PersonalDataWalker.protectedKeys.contains(lowered) {
            return .protected
        }
        return .freeText
    }

    private mutating func visit(string: String, role: Role) -> String {
        switch role {
        case .personal(let kind):
            if !applying {
                table.collect(string, as: kind)
                return string
            }
            return table.pseudonym(for: string) ?? string
        case .reference:
            return reference(string)
        case .url:
            if !applying {
                table.hosts.collect(url: string)
            }
            return reference(string)
        case .filter, .patchPath:
            return filter(string)
        case .requestPath:
            return visit(path: string)
        case .protected:
            return string
        case .freeText:
            return freeText(string)
        }
    }

    private func reference(_ original: String) -> String {
        guard applying else {
            return original
        }
        let text = table.hosts.replacing(url: original)
        if let whole = table.pseudonym(for: text) {
            return whole
        }
        guard text.contains("/") else {
            return text
        }
        let table = self.table
        let (path, query) = RequestTarget.split(text)
        let result = ProtocolNames.replacingSegments(of: path) { table.pseudonym(for: $0) }
        guard let query else {
            return result
        }
        return result + "?" + replacing(query: query)
    }

    private mutating func filter(_ text: String) -> String {
        guard applying else {
            for case .literal(_, let value, let attribute?, let comparison) in FilterLiterals(text).segments {
                // A literal compared with part of a value (`co "Fisch"`) is not a value itself, so it
                // gets no pseudonym of its own. `replacingLiterals(inFilter:)` may replace it.
                if let comparison, FilterLiterals.partialComparisons.contains(comparison) {
                    continue
                }
                if let kind = PersonalAttribute.at(attribute) {
                    table.collect(value, as: kind)
                }
            }
            return text
        }
        return replacingLiterals(inFilter: text)
    }

    /// Replaces the string literals of a filter that are whole personal values. A `co`, `sw` or
    /// `ew` literal that matches exactly one value of its attribute gets that value's pseudonym
    /// instead, so that the filter still finds that user. This applies also where the literal is a
    /// whole value of another attribute (`userName sw "Dora"`). Other literals keep their text.
    private func replacingLiterals(inFilter text: String) -> String {
        let literals = FilterLiterals(text)
        let table = self.table
        return literals.rebuilt { value, attribute, comparison in
            // A literal compared with `type`, `meta.resourceType` or `schemas` is a protocol value.
            let name = attribute?.split(separator: ".").last.map(String.init)
            if let name, PersonalDataWalker.protectedKeys.contains(name) {
                return value
            }
            if let comparison, FilterLiterals.partialComparisons.contains(comparison),
                let kind = attribute.flatMap(PersonalAttribute.at),
                let pseudonym = table.pseudonym(forPart: value, comparison: comparison, of: kind)
            {
                return pseudonym
            }
            return table.pseudonym(for: value) ?? value
        }
    }

    /// Replaces personal values as whole words and the endpoint's hosts, but not inside URNs.
    private func freeText(_ text: String) -> String {
        guard applying, !ProtocolNames.isURN(text) else {
            return text
        }
        let table = self.table
        return ProtocolNames.replacingOutsideURNs(in: table.hosts.replacingOccurrences(in: text)) {
            table.replacingOccurrencesDecoding(in: $0)
        }
    }
}
