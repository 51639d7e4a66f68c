/// A comparison operator of RFC 7644 section 3.4.2.2, Table 3.
public enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "eq"
    case notEqual = "ne"
    case contains = "co"
    case startsWith = "sw"
    case endsWith = "ew"
    case greaterThan = "gt"
    case greaterThanOrEqual = "ge"
    case lessThan = "lt"
    case lessThanOrEqual = "le"
}

/// A parsed SCIM filter (RFC 7644 section 3.4.2.2).
public indirect enum FilterExpression: Sendable, Equatable, CustomStringConvertible {
    /// `attrPath op compValue`; the value is a string, number, boolean or null literal.
    case comparison(AttributePath, ComparisonOperator, JSONValue)
    /// `attrPath pr`
    case present(AttributePath)
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)
    case not(FilterExpression)
    /// `attrPath[filter]`: the inner filter applies to each value of a multi-valued attribute.
    case valuePath(AttributePath, FilterExpression)

    public var description: String {
        switch self {
        case .comparison(let path, let op, let value):
            return "\(path) \(op.rawValue) \(value.serialized())"
        case .present(let path):
            return "\(path) pr"
        case .and(let lhs, let rhs):
            return "(\(lhs) and \(rhs))"
        case .or(let lhs, let rhs):
            return "(\(lhs) or \(rhs))"
        case .not(let inner):
            return "not (\(inner))"
        case .valuePath(let path, let inner):
            return "\(path)[\(inner)]"
        }
    }

    /// The `attribute eq value` pairs that every match must satisfy, when the filter is a plain
    /// conjunction of equality comparisons; `nil` for any other shape.
    public var equalityConstraints: [(AttributePath, JSONValue)]? {
        switch self {
        case .comparison(let path, .equal, let value):
            return [(path, value)]
        case .and(let lhs, let rhs):
            guard let left = lhs.equalityConstraints, let right = rhs.equalityConstraints else {
                return nil
            }
            return left + right
        default:
            return nil
        }
    }
}
