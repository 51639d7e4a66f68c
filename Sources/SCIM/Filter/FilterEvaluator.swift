/// Evaluates filters against resources using the attribute definitions of a resource type.
///
/// Comparisons follow RFC 7644 section 3.4.2.2: attribute names ignore case, strings compare
/// ignoring case unless the attribute is `caseExact`, booleans and numbers compare by value,
/// `dateTime` values compare as instants, and a multi-valued attribute matches when any of its
/// values does. A complex attribute named without a sub-attribute compares its `value`.
public struct FilterEvaluator: Sendable {
    public let resourceType: ResourceType

    public init(resourceType: ResourceType) {
        self.resourceType = resourceType
    }

    private enum Scope {
        case resource
        case subAttributes(of: SchemaAttribute)
    }

    /// Checks every attribute and operator in the filter against the schema, so that a bad filter
    /// is rejected even when there is nothing to match it against.
    public func validate(_ expression: FilterExpression) throws(SCIMError) {
        try validate(expression, scope: .resource)
    }

    /// Returns whether `resource` matches the filter.
    public func matches(_ expression: FilterExpression, resource: JSONObject) throws(SCIMError) -> Bool {
        try evaluate(expression, object: resource, scope: .resource)
    }

    /// Returns whether a value of the multi-valued `attribute` matches a value filter such as the
    /// `type eq "work"` in `emails[type eq "work"]`.
    public func matches(_ expression: FilterExpression, element: JSONObject, of attribute: SchemaAttribute)
        throws(SCIMError) -> Bool
    {
        try evaluate(expression, object: element, scope: .subAttributes(of: attribute))
    }

    // MARK: - Validation

    private func validate(_ expression: FilterExpression, scope: Scope) throws(SCIMError) {
        switch expression {
        case .and(let lhs, let rhs), .or(let lhs, let rhs):
            try validate(lhs, scope: scope)
            try validate(rhs, scope: scope)
        case .not(let inner):
            try validate(inner, scope: scope)
        case .present(let path):
            _ = try resolve(path, scope: scope)
        case .comparison(let path, let op, let literal):
            let (_, leaf) = try resolve(path, scope: scope)
            try checkComparable(leaf: leaf, op: op, literal: literal, path: path)
        case .valuePath(let path, let inner):
            guard case .resource = scope else {
                throw SCIMError.invalidFilter("a value filter cannot be nested inside another")
            }
            let (resolved, _) = try resolve(path, scope: scope)
            guard resolved.attribute.isComplex, resolved.subAttribute == nil else {
                throw SCIMError.invalidFilter("'\(path)' is not a complex attribute, so it cannot take a value filter")
            }
            try validate(inner, scope: .subAttributes(of: resolved.attribute))
        }
    }

    private func checkComparable(leaf: SchemaAttribute, op: ComparisonOperator, literal: JSONValue, path: AttributePath)
        throws(SCIMError)
    {
        var type = leaf.type
        if type == .complex {
            guard let value = leaf.subAttribute(named: "value") else {
                throw SCIMError.invalidFilter("'\(path)' is a complex attribute; name one of its sub-attributes")
            }
            type = value.type
        }
        if literal.isNull {
            guard op == .equal || op == .notEqual else {
                throw SCIMError.invalidFilter("'\(op.rawValue)' cannot compare with null")
            }
            return
        }
        switch type {
        case .boolean:
            guard literal.boolValue != nil else {
                throw SCIMError.invalidFilter("'\(path)' is a boolean; compare it with true or false")
            }
            guard op == .equal || op == .notEqual else {
                throw SCIMError.invalidFilter("'\(op.rawValue)' is not defined for the boolean attribute '\(path)'")
            }
        case .integer, .decimal:
            guard literal.numberValue != nil else {
                throw SCIMError.invalidFilter("'\(path)' is a number; compare it with a number")
            }
            guard ![.contains, .startsWith, .endsWith].contains(op) else {
                throw SCIMError.invalidFilter("'\(op.rawValue)' is not defined for the numeric attribute '\(path)'")
            }
        case .dateTime:
            guard let text = literal.stringValue, SCIMDateTime.parse(text) != nil else {
                throw SCIMError.invalidFilter(
                    "'\(path)' is a dateTime; compare it with an RFC 3339 timestamp in quotes")
            }
            guard ![.contains, .startsWith, .endsWith].contains(op) else {
                throw SCIMError.invalidFilter("'\(op.rawValue)' is not defined for the dateTime attribute '\(path)'")
            }
        case .binary:
            guard literal.stringValue != nil, op == .equal || op == .notEqual else {
                throw SCIMError.invalidFilter("the binary attribute '\(path)' supports only eq and ne with a string")
            }
        case .string, .reference, .complex:
            guard literal.stringValue != nil else {
                throw SCIMError.invalidFilter("'\(path)' is a string; compare it with a value in double quotes")
            }
        }
    }

    // MARK: - Evaluation

    private func evaluate(_ expression: FilterExpression, object: JSONObject, scope: Scope) throws(SCIMError) -> Bool {
        switch expression {
        case .and(let lhs, let rhs):
            guard try evaluate(lhs, object: object, scope: scope) else {
                return false
            }
            return try evaluate(rhs, object: object, scope: scope)
        case .or(let lhs, let rhs):
            if try evaluate(lhs, object: object, scope: scope) {
                return true
            }
            return try evaluate(rhs, object: object, scope: scope)
        case .not(let inner):
            return try !evaluate(inner, object: object, scope: scope)
        case .present(let path):
            let (resolved, _) = try resolve(path, scope: scope)
            return values(of: resolved, path: path, in: object, scope: scope).contains { isPresent($0) }
        case .comparison(let path, let op, let literal):
            let (resolved, leaf) = try resolve(path, scope: scope)
            var candidates = values(of: resolved, path: path, in: object, scope: scope)
            var comparedAttribute = leaf
            if leaf.isComplex, let value = leaf.subAttribute(named: "value") {
                candidates = candidates.compactMap { $0.objectValue?.value(matching: "value") }
                comparedAttribute = value
            }
            candidates = candidates.filter { !$0.isNull }
            if literal.isNull {
                let present = candidates.contains { isPresent($0) }
                return op == .equal ? !present : present
            }
            let positiveOperator = op == .notEqual ? ComparisonOperator.equal : op
            var matched = false
            for value in candidates {
                if try compare(value, positiveOperator, literal, attribute: comparedAttribute) {
                    matched = true
                    break
                }
            }
            return op == .notEqual ? !matched : matched
        case .valuePath(let path, let inner):
            let (resolved, _) = try resolve(path, scope: scope)
            for element in values(of: resolved, path: path, in: object, scope: scope) {
                if let elementObject = element.objectValue,
                    try evaluate(inner, object: elementObject, scope: .subAttributes(of: resolved.attribute))
                {
                    return true
                }
            }
            return false
        }
    }

    private func resolve(_ path: AttributePath, scope: Scope) throws(SCIMError) -> (ResolvedAttribute, SchemaAttribute)
    {
        switch scope {
        case .resource:
            let resolved = try resourceType.resolve(path, filterContext: true)
            return (resolved, resolved.leaf)
        case .subAttributes(let parent):
            guard path.schemaURN == nil, path.subAttribute == nil, let sub = parent.subAttribute(named: path.name)
            else {
                throw SCIMError.invalidFilter("'\(parent.name)' has no sub-attribute '\(path)'")
            }
            return (ResolvedAttribute(extensionURN: nil, attribute: sub, subAttribute: nil), sub)
        }
    }

    /// The values at a path, flattened across the elements of multi-valued attributes.
    private func values(of resolved: ResolvedAttribute, path: AttributePath, in object: JSONObject, scope: Scope)
        -> [JSONValue]
    {
        var container = object
        if let urn = resolved.extensionURN {
            guard let extensionObject = object.value(matching: urn)?.objectValue else {
                return []
            }
            container = extensionObject
        }
        guard let value = container.value(matching: resolved.attribute.name) else {
            return []
        }
        let elements = value.arrayValue ?? [value]
        guard let sub = resolved.subAttribute else {
            return elements
        }
        return elements.compactMap { $0.objectValue?.value(matching: sub.name) }
    }

    private func isPresent(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .string(let string): !string.isEmpty
        case .array(let array): array.contains { isPresent($0) }
        case .object(let object): !object.isEmpty
        default: true
        }
    }

    private func compare(_ value: JSONValue, _ op: ComparisonOperator, _ literal: JSONValue, attribute: SchemaAttribute)
        throws(SCIMError) -> Bool
    {
        switch attribute.type {
        case .boolean:
            guard let actual = value.boolValue, let expected = literal.boolValue else {
                return false
            }
            return op == .equal ? actual == expected : actual != expected
        case .integer, .decimal:
            guard let actual = value.numberValue?.doubleValue, let expected = literal.numberValue?.doubleValue else {
                return false
            }
            return order(actual, expected, op)
        case .dateTime:
            guard let actualText = value.stringValue, let actual = SCIMDateTime.parse(actualText),
                let expectedText = literal.stringValue, let expected = SCIMDateTime.parse(expectedText)
            else {
                return false
            }
            return order(actual, expected, op)
        case .string, .reference, .binary, .complex:
            guard var actual = value.stringValue, var expected = literal.stringValue else {
                return false
            }
            if !attribute.caseExact {
                actual = actual.lowercased()
                expected = expected.lowercased()
            }
            switch op {
            case .equal: return actual == expected
            case .notEqual: return actual != expected
            case .contains: return expected.isEmpty || actual.contains(expected)
            case .startsWith: return actual.hasPrefix(expected)
            case .endsWith: return actual.hasSuffix(expected)
            case .greaterThan: return actual > expected
            case .greaterThanOrEqual: return actual >= expected
            case .lessThan: return actual < expected
            case .lessThanOrEqual: return actual <= expected
            }
        }
    }

    private func order(_ actual: Double, _ expected: Double, _ op: ComparisonOperator) -> Bool {
        switch op {
        case .equal: actual == expected
        case .notEqual: actual != expected
        case .greaterThan: actual > expected
        case .greaterThanOrEqual: actual >= expected
        case .lessThan: actual < expected
        case .lessThanOrEqual: actual <= expected
        case .contains, .startsWith, .endsWith: false
        }
    }
}
