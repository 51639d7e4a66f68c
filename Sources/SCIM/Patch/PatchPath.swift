/// The target of a PATCH operation: `attrPath` or `valuePath [subAttr]` (RFC 7644 section 3.5.2),
/// or the URN of a schema extension as a whole.
public enum PatchPath: Sendable {
    case attribute(ResolvedAttribute)
    /// `attribute[filter]` with an optional `.subAttribute` after the bracket.
    case filtered(ResolvedAttribute, FilterExpression, subAttribute: SchemaAttribute?)
    case schemaExtension(Schema)

    public static func parse(_ text: String, resourceType: ResourceType) throws(SCIMError) -> PatchPath {
        if let extensionSchema = resourceType.extensionSchema(urn: text) {
            return .schemaExtension(extensionSchema)
        }
        guard let open = text.firstIndex(of: "[") else {
            return .attribute(
                try resourceType.resolve(try AttributePath.parse(text, knownSchemas: resourceType.schemaURNs)))
        }
        let close = try closingBracket(in: text, after: open)
        let attributeText = String(text[..<open])
        let filterText = String(text[text.index(after: open)..<close])
        let rest = text[text.index(after: close)...]

        let attributePath = try AttributePath.parse(attributeText, knownSchemas: resourceType.schemaURNs)
        guard attributePath.subAttribute == nil else {
            throw SCIMError.invalidPath("'\(text)': a value filter must follow an attribute, not a sub-attribute")
        }
        let resolved = try resourceType.resolve(attributePath)
        guard resolved.attribute.multiValued, resolved.attribute.isComplex else {
            throw SCIMError.invalidPath(
                "'\(text)': '\(resolved.attribute.name)' is not a multi-valued complex attribute")
        }
        let filter: FilterExpression
        do {
            filter = try FilterParser.parse(filterText)
            try FilterEvaluator(resourceType: resourceType).validate(.valuePath(attributePath, filter))
        } catch {
            throw SCIMError.invalidPath("'\(text)' has an invalid value filter: \(error.detail)")
        }

        var subAttribute: SchemaAttribute?
        if !rest.isEmpty {
            guard rest.first == ".", let sub = resolved.attribute.subAttribute(named: String(rest.dropFirst())) else {
                throw SCIMError.invalidPath(
                    "'\(text)': '\(rest)' does not name a sub-attribute of '\(resolved.attribute.name)'")
            }
            subAttribute = sub
        }
        return .filtered(resolved, filter, subAttribute: subAttribute)
    }

    private static func closingBracket(in text: String, after open: String.Index) throws(SCIMError) -> String.Index {
        var inString = false
        var escaped = false
        var index = text.index(after: open)
        while index < text.endIndex {
            let character = text[index]
            if inString {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
            } else if character == "\"" {
                inString = true
            } else if character == "]" {
                return index
            }
            index = text.index(after: index)
        }
        throw SCIMError.invalidPath("'\(text)' has a '[' that is never closed")
    }
}
