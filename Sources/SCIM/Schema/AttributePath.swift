/// An attribute reference: `[URN ":"] name ["." subAttribute]` (RFC 7644 section 3.10).
public struct AttributePath: Sendable, Hashable, CustomStringConvertible {
    /// The schema URN when the path is fully qualified, as written.
    public let schemaURN: String?
    public let name: String
    public let subAttribute: String?

    public init(schemaURN: String? = nil, name: String, subAttribute: String? = nil) {
        self.schemaURN = schemaURN
        self.name = name
        self.subAttribute = subAttribute
    }

    /// Parses a path. URNs known to `knownSchemas` are matched first, so that a URN that itself
    /// contains dots (`...:2.0:User`) is never split at a dot; an unknown URN ends at the last colon.
    public static func parse(_ text: String, knownSchemas: [String] = []) throws(SCIMError) -> AttributePath {
        var remainder = Substring(text)
        var urn: String?
        if text.lowercased().hasPrefix("urn:") {
            if let known = knownSchemas.first(where: { text.lowercased().hasPrefix($0.lowercased() + ":") }) {
                urn = String(text.prefix(known.count))
                remainder = text.dropFirst(known.count + 1)
            } else if let colon = text.lastIndex(of: ":") {
                urn = String(text[..<colon])
                remainder = text[text.index(after: colon)...]
            }
        }
        let parts = remainder.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, isAttributeName(first) else {
            throw SCIMError.invalidPath("'\(text)' is not a valid attribute path")
        }
        var sub: String?
        if parts.count == 2 {
            guard isAttributeName(parts[1]) else {
                throw SCIMError.invalidPath("'\(text)' is not a valid attribute path")
            }
            sub = String(parts[1])
        }
        return AttributePath(schemaURN: urn, name: String(first), subAttribute: sub)
    }

    /// Returns whether `text` matches `ATTRNAME = ALPHA *(nameChar)` of RFC 7643 section 2.1, or
    /// is `$ref`.
    public static func isAttributeName(_ text: Substring) -> Bool {
        if text == "$ref" {
            return true
        }
        guard let first = text.utf8.first, first.isASCIILetter else {
            return false
        }
        return text.utf8.allSatisfy { byte in
            byte.isASCIILetter || byte.isASCIIDigit || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    public var description: String {
        var text = ""
        if let schemaURN {
            text = schemaURN + ":"
        }
        text += name
        if let subAttribute {
            text += "." + subAttribute
        }
        return text
    }
}

/// An attribute path resolved against a resource type's schemas.
public struct ResolvedAttribute: Sendable {
    /// The extension URN that holds the attribute, or `nil` for core and common attributes.
    public let extensionURN: String?
    public let attribute: SchemaAttribute
    public let subAttribute: SchemaAttribute?

    /// The attribute whose type and `caseExact` apply to a value at this path.
    public var leaf: SchemaAttribute {
        subAttribute ?? attribute
    }
}

extension ResourceType {
    /// Resolves a path to schema definitions, or throws `invalidPath` (or `invalidFilter` when
    /// `filterContext` is set) naming the unknown part.
    public func resolve(_ path: AttributePath, filterContext: Bool = false) throws(SCIMError) -> ResolvedAttribute {
        let fail: (String) -> SCIMError = { detail in
            filterContext ? SCIMError.invalidFilter(detail) : SCIMError.invalidPath(detail)
        }
        var extensionURN: String?
        let attribute: SchemaAttribute
        if let urn = path.schemaURN {
            if urn.equalsIgnoringCase(schema.id) {
                guard let found = coreAttribute(named: path.name) else {
                    throw fail("the \(name) schema has no attribute '\(path.name)'")
                }
                attribute = found
            } else if let extensionSchema = extensionSchema(urn: urn) {
                guard let found = extensionSchema.attribute(named: path.name) else {
                    throw fail("the schema \(extensionSchema.id) has no attribute '\(path.name)'")
                }
                extensionURN = extensionSchema.id
                attribute = found
            } else {
                throw fail("'\(urn)' is not a schema of the \(name) resource type")
            }
        } else {
            guard let found = coreAttribute(named: path.name) else {
                throw fail("the \(name) resource type has no attribute '\(path.name)'")
            }
            attribute = found
        }
        var subAttribute: SchemaAttribute?
        if let subName = path.subAttribute {
            guard let found = attribute.subAttribute(named: subName) else {
                throw fail("the attribute '\(attribute.name)' has no sub-attribute '\(subName)'")
            }
            subAttribute = found
        }
        return ResolvedAttribute(extensionURN: extensionURN, attribute: attribute, subAttribute: subAttribute)
    }
}
