/// An attribute definition as RFC 7643 section 7 describes it.
public struct SchemaAttribute: Sendable {
    public enum DataType: String, Sendable {
        case string
        case boolean
        case decimal
        case integer
        case dateTime
        case reference
        case complex
        case binary
    }

    public enum Mutability: String, Sendable {
        case readOnly
        case readWrite
        case immutable
        case writeOnly
    }

    public enum Returned: String, Sendable {
        case always
        case never
        case `default`
        case request
    }

    public enum Uniqueness: String, Sendable {
        case none
        case server
        case global
    }

    public let name: String
    public let type: DataType
    public let multiValued: Bool
    public let description: String
    public let required: Bool
    /// Whether string comparisons respect case; RFC 7643 section 2.2 makes `false` the default.
    public let caseExact: Bool
    public let mutability: Mutability
    public let returned: Returned
    public let uniqueness: Uniqueness
    public let subAttributes: [SchemaAttribute]
    public let canonicalValues: [String]
    public let referenceTypes: [String]
    /// Accepts a string, number or boolean as sent, for schemas whose attribute names and types
    /// are chosen by the customer, such as Front's teammate custom fields.
    public let acceptsAnyScalar: Bool

    public init(
        _ name: String,
        type: DataType = .string,
        multiValued: Bool = false,
        description: String = "",
        required: Bool = false,
        caseExact: Bool = false,
        mutability: Mutability = .readWrite,
        returned: Returned = .default,
        uniqueness: Uniqueness = .none,
        subAttributes: [SchemaAttribute] = [],
        canonicalValues: [String] = [],
        referenceTypes: [String] = [],
        acceptsAnyScalar: Bool = false
    ) {
        self.name = name
        self.type = type
        self.multiValued = multiValued
        self.description = description
        self.required = required
        self.caseExact = caseExact
        self.mutability = mutability
        self.returned = returned
        self.uniqueness = uniqueness
        self.subAttributes = subAttributes
        self.canonicalValues = canonicalValues
        self.referenceTypes = referenceTypes
        self.acceptsAnyScalar = acceptsAnyScalar
    }

    /// The same definition under another name, for attributes of open schemas.
    public func named(_ newName: String) -> SchemaAttribute {
        SchemaAttribute(
            newName, type: type, multiValued: multiValued, description: description, required: required,
            caseExact: caseExact, mutability: mutability, returned: returned, uniqueness: uniqueness,
            subAttributes: subAttributes, canonicalValues: canonicalValues, referenceTypes: referenceTypes,
            acceptsAnyScalar: acceptsAnyScalar)
    }

    /// Finds a sub-attribute by name, ignoring case.
    public func subAttribute(named name: String) -> SchemaAttribute? {
        subAttributes.first { $0.name.equalsIgnoringCase(name) }
    }

    public var isComplex: Bool {
        type == .complex
    }

    /// The definition in the form `/Schemas` returns.
    public var json: JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        object["type"] = .string(type.rawValue)
        object["multiValued"] = .bool(multiValued)
        object["description"] = .string(description)
        object["required"] = .bool(required)
        if type == .string || type == .reference || type == .binary {
            object["caseExact"] = .bool(caseExact)
        }
        if !canonicalValues.isEmpty {
            object["canonicalValues"] = .array(canonicalValues.map { .string($0) })
        }
        object["mutability"] = .string(mutability.rawValue)
        object["returned"] = .string(returned.rawValue)
        if type != .complex && type != .boolean {
            object["uniqueness"] = .string(uniqueness.rawValue)
        }
        if !referenceTypes.isEmpty {
            object["referenceTypes"] = .array(referenceTypes.map { .string($0) })
        }
        if !subAttributes.isEmpty {
            object["subAttributes"] = .array(subAttributes.map(\.json))
        }
        return .object(object)
    }
}
