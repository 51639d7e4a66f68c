/// Which string spellings a boolean attribute accepts in requests.
public enum BooleanStringPolicy: String, Sendable {
    /// `"true"` and `"false"` in any case, as Entra's legacy dialect sends `"True"` and `"False"`.
    case anyCase
    /// Only `"true"` and `"false"`, as Front asks Entra tenants to wrap `active` in `ToLower`.
    case lowercaseOnly
    /// JSON booleans only.
    case rejectStrings
}

/// Converts request values into the types the schema declares and rejects values that cannot be.
public struct ValueCoercion: Sendable {
    public var booleanStrings: BooleanStringPolicy

    public init(booleanStrings: BooleanStringPolicy = .anyCase) {
        self.booleanStrings = booleanStrings
    }

    /// Coerces `value` for `attribute`. Returns `.null` for a null or empty value, which callers
    /// treat as unassigned (RFC 7643 section 2.5). `label` names the attribute in error details.
    public func coerce(_ value: JSONValue, to attribute: SchemaAttribute, label: String) throws(SCIMError) -> JSONValue
    {
        if value.isNull {
            return .null
        }
        if attribute.multiValued {
            let elements = value.arrayValue ?? [value]
            var coerced: [JSONValue] = []
            for (index, element) in elements.enumerated() {
                let item = try coerceSingle(element, to: attribute, label: "\(label)[\(index)]")
                if !item.isNull {
                    coerced.append(item)
                }
            }
            return coerced.isEmpty ? .null : .array(coerced)
        }
        return try coerceSingle(value, to: attribute, label: label)
    }

    /// Returns a value for an error message: the value itself, or a note for an attribute that is
    /// never returned, such as `password`, because error details travel in responses and logs.
    static func describedValue(_ value: JSONValue, of attribute: SchemaAttribute) -> String {
        attribute.returned == .never
            ? "(value not shown, because '\(attribute.name)' is never returned)" : value.serialized()
    }

    /// Coerces one value of `attribute`, which for a multi-valued attribute means one element.
    public func coerceSingle(_ value: JSONValue, to attribute: SchemaAttribute, label: String) throws(SCIMError)
        -> JSONValue
    {
        if value.isNull {
            return .null
        }
        if attribute.acceptsAnyScalar {
            switch value {
            case .string, .number, .bool:
                return value
            default:
                throw SCIMError.invalidValue("'\(label)' must be a string, number or boolean, not \(value.typeName)")
            }
        }
        switch attribute.type {
        case .complex:
            return try coerceComplex(value, to: attribute, label: label)
        case .string, .reference, .binary:
            guard let string = value.stringValue else {
                throw SCIMError.invalidValue(
                    "'\(label)' must be a string, not \(value.typeName) \(Self.describedValue(value, of: attribute))")
            }
            return .string(string)
        case .boolean:
            return .bool(try coerceBoolean(value, label: label))
        case .integer:
            guard let number = value.numberValue, number.isInteger else {
                throw SCIMError.invalidValue(
                    "'\(label)' must be an integer, not \(Self.describedValue(value, of: attribute))")
            }
            return .number(number)
        case .decimal:
            guard let number = value.numberValue else {
                throw SCIMError.invalidValue(
                    "'\(label)' must be a number, not \(Self.describedValue(value, of: attribute))")
            }
            return .number(number)
        case .dateTime:
            guard let text = value.stringValue, SCIMDateTime.parse(text) != nil else {
                throw SCIMError.invalidValue(
                    "'\(label)' must be an RFC 3339 timestamp such as \"2024-05-01T12:00:00Z\", not \(Self.describedValue(value, of: attribute))"
                )
            }
            return value
        }
    }

    /// Accepts a JSON boolean, or a `"true"`/`"false"` string as the policy allows.
    public func coerceBoolean(_ value: JSONValue, label: String) throws(SCIMError) -> Bool {
        if let bool = value.boolValue {
            return bool
        }
        guard let text = value.stringValue else {
            throw SCIMError.invalidValue("'\(label)' must be a boolean, not \(value.typeName) \(value.serialized())")
        }
        switch booleanStrings {
        case .anyCase:
            switch text.lowercased() {
            case "true": return true
            case "false": return false
            default: break
            }
        case .lowercaseOnly:
            switch text {
            case "true": return true
            case "false": return false
            default:
                if text.lowercased() == "true" || text.lowercased() == "false" {
                    throw SCIMError.invalidValue(
                        "'\(label)' must be a boolean or the lowercase string \"true\" or \"false\", not "
                            + "\(value.serialized()); this endpoint runs in strict mode, so map the attribute "
                            + "through ToLower() in Entra")
                }
            }
        case .rejectStrings:
            break
        }
        throw SCIMError.invalidValue("'\(label)' must be a boolean, not \(value.serialized())")
    }

    private func coerceComplex(_ value: JSONValue, to attribute: SchemaAttribute, label: String) throws(SCIMError)
        -> JSONValue
    {
        var input: JSONObject
        switch value {
        case .object(let object):
            input = object
        case .array(let elements) where !attribute.multiValued:
            // The legacy manager form: an array holding one reference object.
            guard elements.count == 1, let only = elements[0].objectValue else {
                throw SCIMError.invalidValue("'\(label)' must be an object, not an array of \(elements.count) values")
            }
            input = only
        case .string, .number, .bool:
            // A bare value stands for the `value` sub-attribute, as Entra sends a manager's id.
            guard attribute.subAttribute(named: "value") != nil else {
                throw SCIMError.invalidValue(
                    "'\(label)' must be an object, not \(value.typeName) \(Self.describedValue(value, of: attribute))")
            }
            input = JSONObject([("value", value)])
        default:
            throw SCIMError.invalidValue("'\(label)' must be an object, not \(value.typeName)")
        }
        var output = JSONObject()
        for (key, subValue) in input {
            guard let sub = attribute.subAttribute(named: key) else {
                throw SCIMError.invalidValue("'\(label)' has no sub-attribute '\(key)'")
            }
            if sub.mutability == .readOnly {
                continue
            }
            let coerced = try coerceSingle(subValue, to: sub, label: "\(label).\(sub.name)")
            if !coerced.isNull {
                output[sub.name] = coerced
            }
        }
        return output.isEmpty ? .null : .object(output)
    }
}
