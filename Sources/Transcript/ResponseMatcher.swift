import SCIM

/// A check that replaces the default comparison at one JSON path of an expected body.
///
/// In a transcript, `expect.matchers` maps a JSONPath pattern to one rule object:
/// `{"type": "string"}`, `{"regex": "^W/\".+\"$"}`, `{"any": true}` (present with any value),
/// `{"absent": true}`, `{"oneOf": ["404", 404]}`, `{"unordered": true}` (an array in any order)
/// or `{"ignore": true}` (not compared at all).
public enum ResponseMatcher: Sendable, Equatable {
    /// The JSON type names `type` accepts; `integer` is a number without a fraction.
    public static let typeNames: Set<String> = ["string", "number", "integer", "boolean", "object", "array", "null"]

    case type(String)
    case regex(String)
    case any
    case absent
    case oneOf([JSONValue])
    case unordered
    case ignore

    public var json: JSONValue {
        switch self {
        case .type(let name): ["type": .string(name)]
        case .regex(let pattern): ["regex": .string(pattern)]
        case .any: ["any": true]
        case .absent: ["absent": true]
        case .oneOf(let values): ["oneOf": .array(values)]
        case .unordered: ["unordered": true]
        case .ignore: ["ignore": true]
        }
    }

    /// Reads the JSON form; the message names what is wrong.
    public init(json: JSONValue) throws(MatcherError) {
        guard let object = json.objectValue, object.count == 1, let (name, value) = object.first(where: { _ in true })
        else {
            throw MatcherError(
                message: "a matcher is an object with exactly one of type, regex, any, absent, oneOf, unordered, ignore"
            )
        }
        switch name {
        case "type":
            guard let typeName = value.stringValue, ResponseMatcher.typeNames.contains(typeName) else {
                throw MatcherError(
                    message: "type must be one of \(ResponseMatcher.typeNames.sorted().joined(separator: ", "))")
            }
            self = .type(typeName)
        case "regex":
            guard let pattern = value.stringValue else {
                throw MatcherError(message: "regex must be a string")
            }
            guard (try? Regex(pattern)) != nil else {
                throw MatcherError(
                    message: "regex \(JSONValue.string(pattern).serialized()) is not a valid regular expression")
            }
            self = .regex(pattern)
        case "oneOf":
            guard let values = value.arrayValue, !values.isEmpty else {
                throw MatcherError(message: "oneOf must be a non-empty array of values")
            }
            self = .oneOf(values)
        case "any", "absent", "unordered", "ignore":
            guard value == .bool(true) else {
                throw MatcherError(message: "\(name) must be true")
            }
            switch name {
            case "any": self = .any
            case "absent": self = .absent
            case "unordered": self = .unordered
            default: self = .ignore
            }
        default:
            throw MatcherError(
                message: "unknown matcher '\(name)'; expected type, regex, any, absent, oneOf, unordered or ignore")
        }
    }

    /// Checks a live value; returns what is wrong, or `nil` when it matches. `value` is `nil` when
    /// the member is absent.
    public func problem(with value: JSONValue?) -> String? {
        switch self {
        case .ignore, .unordered:
            return nil
        case .absent:
            return value == nil ? nil : "should be absent"
        case .any:
            return value == nil ? "is missing" : nil
        case .type(let name):
            guard let value else {
                return "is missing"
            }
            let matches =
                name == "integer"
                ? (value.numberValue?.isInteger ?? false) : value.typeName == (name == "boolean" ? "boolean" : name)
            return matches ? nil : "is \(value.typeName), not \(name)"
        case .regex(let pattern):
            guard let text = value?.stringValue else {
                return value == nil ? "is missing" : "is \(value!.typeName), not a string"
            }
            switch BoundedRegex.firstMatch(pattern, in: text) {
            case .match:
                return nil
            case .noMatch, .invalid:
                return "does not match /\(pattern)/"
            case .timedOut:
                return "was not matched: /\(pattern)/ took longer than \(Int(BoundedRegex.timeLimit)) s, as nested "
                    + "quantifiers such as (a+)+ can; simplify the pattern"
            }
        case .oneOf(let values):
            guard let value else {
                return "is missing"
            }
            return values.contains(value) ? nil : "is none of \(JSONValue.array(values).serialized())"
        }
    }
}

/// A matcher that cannot be read.
public struct MatcherError: Error, Sendable {
    public let message: String
}
