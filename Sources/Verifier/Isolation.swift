import HTTP
import SCIM
import Transcript

/// Per-run rewriting of client-chosen identities (userName, emails, externalId, group
/// displayName), so that repeated runs against a shared endpoint never collide.
///
/// An email `alice@example.com` becomes `alice.TAG@example.com`, so it stays an email. Emails and
/// userNames match ignoring case, so a case-variant filter (`ALICE@example.com`) becomes the same
/// identity (`ALICE.TAG@example.com`); other values get `-TAG` appended and match exactly. Only
/// whole string values and whole quoted filter literals are rewritten, in request bodies, filters,
/// expected bodies and preconditions. The tag is new for every transcript replay, because
/// transcripts in one run may create the same user.
struct Isolation {
    struct Replacement {
        let original: String
        let caseInsensitive: Bool
    }

    let tag: String
    private(set) var replacements: [Replacement] = []
    /// The identities that match exactly, and the lowercased ones that match ignoring case, so
    /// that `apply` looks a string up once instead of comparing it with every identity.
    private var exactIdentities = Set<String>()
    private var lowercasedIdentities = Set<String>()

    init(transcript: Transcript, tag: String) {
        self.tag = tag
        var identities: [(String, Bool)] = []
        for exchange in transcript.exchanges {
            identities += Isolation.identities(in: exchange)
        }
        for precondition in transcript.preconditions {
            switch precondition {
            case .deletedTeammate(let email):
                identities.append((email, true))
            case .existingTeammate(let user, _):
                identities += Isolation.identities(inResource: user)
            case .fault:
                break
            }
        }
        var seen = Set<String>()
        for (value, caseInsensitive) in identities where !value.isEmpty {
            let key = caseInsensitive ? value.lowercased() : value
            if seen.insert(key).inserted {
                replacements.append(Replacement(original: value, caseInsensitive: caseInsensitive))
            }
        }
        replacements.sort { $0.original.count > $1.original.count }
        for replacement in replacements {
            if replacement.caseInsensitive {
                lowercasedIdentities.insert(replacement.original.lowercased())
            } else {
                exactIdentities.insert(replacement.original)
            }
        }
    }

    /// Returns the rewritten form of one identity.
    func rewritten(_ value: String) -> String {
        if let at = value.lastIndex(of: "@") {
            return "\(value[..<at]).\(tag)\(value[at...])"
        }
        return "\(value)-\(tag)"
    }

    /// Each identity as recorded, keyed by the form this run sends, so that `verify --update` can
    /// map the target's responses back. A case-insensitive identity is also listed in lowercase,
    /// the form many endpoints return.
    var recordedIdentities: [(recorded: String, isolated: String)] {
        var pairs: [(recorded: String, isolated: String)] = []
        for replacement in replacements {
            pairs.append((replacement.original, rewritten(replacement.original)))
            let lowered = replacement.original.lowercased()
            if replacement.caseInsensitive && lowered != replacement.original {
                pairs.append((lowered, rewritten(lowered)))
            }
        }
        return pairs
    }

    /// Rewrites `text` when it is one of the identities as a whole, and leaves anything else
    /// unchanged. So an identity inside a longer value, such as an externalId that is the local
    /// part of an email, is not rewritten twice.
    func apply(_ text: String) -> String {
        if exactIdentities.contains(text) || lowercasedIdentities.contains(text.lowercased()) {
            return rewritten(text)
        }
        return text
    }

    /// Members whose values a client never chooses as an identity: server-generated ids, URLs and
    /// versions, schema URNs, resource types, and the operation names and types of PATCH and
    /// multi-valued attributes. A user named "User" thus leaves `meta.resourceType` as it is.
    static let structuralMembers: Set<String> = [
        "id", "$ref", "location", "version", "schemas", "resourcetype", "op", "type", "created", "lastmodified",
    ]

    func apply(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(apply(text))
        case .array(let elements):
            return .array(elements.map(apply))
        case .object(let object):
            var result = JSONObject()
            for (key, element) in object {
                let name = key.lowercased()
                if Isolation.structuralMembers.contains(name) {
                    result[key] = element
                } else if name == "path" || name == "filter", let expression = element.stringValue {
                    // A PATCH path or a search filter names attributes, and may compare one with a
                    // quoted identity.
                    result[key] = .string(rewriteQuotedLiterals(in: expression))
                } else {
                    result[key] = apply(element)
                }
            }
            return .object(result)
        default:
            return value
        }
    }

    /// Rewrites identities in the `filter` parameter of a request target: each quoted literal that
    /// is an identity as a whole. The filter is decoded, rewritten and encoded again the way Entra
    /// encodes it.
    func apply(path: String) -> String {
        let (base, query) = RequestTarget.split(path)
        guard let query, !replacements.isEmpty else {
            return path
        }
        let items = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, RequestTarget.percentDecode(String(parts[0])).lowercased() == "filter" else {
                return String(pair)
            }
            let decoded = RequestTarget.percentDecode(String(parts[1]), plusIsSpace: true)
            let rewrittenFilter = rewriteQuotedLiterals(in: decoded)
            guard rewrittenFilter != decoded else {
                return String(pair)
            }
            return "\(parts[0])=\(RequestTarget.encodeFormValue(rewrittenFilter))"
        }
        return base + "?" + items.joined(separator: "&")
    }

    /// Rewrites the JSON string literals in a filter whose values are identities.
    func rewriteQuotedLiterals(in filter: String) -> String {
        var result = ""
        var literal = ""
        var inLiteral = false
        var escaped = false
        for character in filter {
            guard inLiteral else {
                if character == "\"" {
                    inLiteral = true
                    literal = "\""
                } else {
                    result.append(character)
                }
                continue
            }
            literal.append(character)
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                inLiteral = false
                // A literal compared with an id stays for correlation, also where the endpoint uses
                // an identity as the id (`id eq "ann@example.com"`).
                if case .string(let value)? = try? JSONValue.parse(literal),
                    !Correlation.comparesReference(Array(result.utf8), literalAt: result.utf8.count)
                {
                    let replaced = apply(value)
                    result += replaced == value ? literal : JSONValue.string(replaced).serialized()
                } else {
                    result += literal
                }
            }
        }
        if inLiteral {
            result += literal
        }
        return result
    }

    func apply(_ precondition: Precondition) -> Precondition {
        switch precondition {
        case .deletedTeammate(let email):
            return .deletedTeammate(email: apply(email))
        case .existingTeammate(let user, let blocked):
            return .existingTeammate(user: apply(.object(user)).objectValue ?? user, blocked: blocked)
        case .fault:
            return precondition
        }
    }

    // MARK: - Collection

    private static let identityAttributes: Set<String> = ["username", "externalid"]

    private static func identities(in exchange: Exchange) -> [(String, Bool)] {
        var found: [(String, Bool)] = []
        let request = exchange.request
        let segments = RequestTarget.split(request.path).path.split(separator: "/").map(String.init)
        let isGroups = segments.first == "Groups"
        if let body = request.body.json?.objectValue {
            // A POST to `.search` carries its filter in the body (RFC 7644 section 3.4.3).
            if let text = body.value(matching: "filter")?.stringValue, let filter = try? FilterParser.parse(text) {
                found += identities(inFilter: filter, isGroups: isGroups)
            }
            if request.method == "PATCH" {
                for operation in body.value(matching: "Operations")?.arrayValue ?? [] {
                    found += identities(inOperation: operation.objectValue ?? JSONObject(), isGroups: isGroups)
                }
            } else {
                found += identities(inResource: body, isGroups: isGroups)
            }
        }
        let query = RequestTarget.split(request.path).query ?? ""
        for item in RequestTarget.queryItems(query) where item.name.lowercased() == "filter" {
            if let filter = try? FilterParser.parse(item.value) {
                found += identities(inFilter: filter, isGroups: isGroups)
            }
        }
        return found
    }

    static func identities(inResource resource: JSONObject, isGroups: Bool = false) -> [(String, Bool)] {
        var found: [(String, Bool)] = []
        if let userName = resource.value(matching: "userName")?.stringValue {
            found.append((userName, true))
        }
        if let externalId = resource.value(matching: "externalId")?.stringValue {
            found.append((externalId, false))
        }
        if isGroups, let displayName = resource.value(matching: "displayName")?.stringValue {
            found.append((displayName, true))
        }
        for email in resource.value(matching: "emails")?.arrayValue ?? [] {
            if let value = email.objectValue?.value(matching: "value")?.stringValue {
                found.append((value, true))
            }
        }
        return found
    }

    private static func identities(inOperation operation: JSONObject, isGroups: Bool) -> [(String, Bool)] {
        let value = operation.value(matching: "value")
        guard let path = operation.value(matching: "path")?.stringValue else {
            return value?.objectValue.map { object in
                var found: [(String, Bool)] = []
                for (key, item) in object {
                    found += identities(atPath: key, value: item, isGroups: isGroups)
                }
                return found
            } ?? []
        }
        return value.map { identities(atPath: path, value: $0, isGroups: isGroups) } ?? []
    }

    private static func identities(atPath path: String, value: JSONValue, isGroups: Bool) -> [(String, Bool)] {
        let lowered = path.lowercased()
        guard let text = value.stringValue else {
            return []
        }
        if lowered == "username" || lowered.hasPrefix("emails") {
            return [(text, true)]
        }
        if lowered == "externalid" {
            return [(text, false)]
        }
        if isGroups && lowered == "displayname" {
            return [(text, true)]
        }
        return []
    }

    /// Collects the identities a filter compares with whole values. A literal in `sw`, `co` or `ew`
    /// is part of a value, so `userName sw "user"` makes "user" no identity.
    private static func identities(inFilter filter: FilterExpression, isGroups: Bool) -> [(String, Bool)] {
        switch filter {
        case .comparison(let path, let comparison, .string(let value))
        where comparison == .equal || comparison == .notEqual:
            let name = path.name.lowercased()
            if name == "username" || name == "emails" {
                return [(value, true)]
            }
            if name == "externalid" {
                return [(value, false)]
            }
            if isGroups && name == "displayname" {
                return [(value, true)]
            }
            return []
        case .and(let lhs, let rhs), .or(let lhs, let rhs):
            return identities(inFilter: lhs, isGroups: isGroups) + identities(inFilter: rhs, isGroups: isGroups)
        case .not(let inner):
            return identities(inFilter: inner, isGroups: isGroups)
        case .valuePath(let path, let inner):
            return path.name.lowercased() == "emails" ? identitiesOfValues(inner) : []
        case .present, .comparison:
            return []
        }
    }

    private static func identitiesOfValues(_ filter: FilterExpression) -> [(String, Bool)] {
        switch filter {
        case .comparison(let path, let comparison, .string(let value))
        where path.name.lowercased() == "value" && (comparison == .equal || comparison == .notEqual):
            return [(value, true)]
        case .and(let lhs, let rhs), .or(let lhs, let rhs):
            return identitiesOfValues(lhs) + identitiesOfValues(rhs)
        default:
            return []
        }
    }
}
