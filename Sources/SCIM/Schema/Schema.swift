/// A schema: a URN and the attributes it defines (RFC 7643 section 7).
public struct Schema: Sendable {
    public let id: String
    public let name: String
    public let description: String
    public let attributes: [SchemaAttribute]
    /// The definition every undeclared attribute name gets, for schemas whose attribute names are
    /// chosen by the customer; `nil` for ordinary schemas, which reject unknown names.
    public let undeclaredAttribute: SchemaAttribute?

    public init(
        id: String, name: String, description: String, attributes: [SchemaAttribute],
        undeclaredAttribute: SchemaAttribute? = nil
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.attributes = attributes
        self.undeclaredAttribute = undeclaredAttribute
    }

    /// Finds a top-level attribute by name, ignoring case. In an open schema any valid attribute
    /// name resolves, to a copy of `undeclaredAttribute`.
    public func attribute(named name: String) -> SchemaAttribute? {
        if let declared = attributes.first(where: { $0.name.equalsIgnoringCase(name) }) {
            return declared
        }
        guard let undeclaredAttribute, AttributePath.isAttributeName(Substring(name)) else {
            return nil
        }
        return undeclaredAttribute.named(name)
    }

    /// The representation `/Schemas` returns, with `meta.location` under `baseURL`.
    public func json(baseURL: String) -> JSONValue {
        [
            "schemas": [.string(SCIMURN.schema)],
            "id": .string(id),
            "name": .string(name),
            "description": .string(description),
            "attributes": .array(attributes.map(\.json)),
            "meta": [
                "resourceType": "Schema",
                "location": .string("\(baseURL)/Schemas/\(id)"),
            ],
        ]
    }
}

/// The attributes every resource carries whatever its schema (RFC 7643 section 3.1).
public enum CommonAttributes {
    public static let id = SchemaAttribute(
        "id", description: "Unique identifier assigned by the service provider.", caseExact: true,
        mutability: .readOnly, returned: .always, uniqueness: .server)
    public static let externalId = SchemaAttribute(
        "externalId", description: "Identifier assigned by the provisioning client.", caseExact: true)
    public static let meta = SchemaAttribute(
        "meta", type: .complex, description: "Resource metadata maintained by the service provider.",
        mutability: .readOnly,
        subAttributes: [
            SchemaAttribute("resourceType", caseExact: true, mutability: .readOnly),
            SchemaAttribute("created", type: .dateTime, mutability: .readOnly),
            SchemaAttribute("lastModified", type: .dateTime, mutability: .readOnly),
            SchemaAttribute(
                "location", type: .reference, caseExact: true, mutability: .readOnly, referenceTypes: ["uri"]),
            SchemaAttribute("version", caseExact: true, mutability: .readOnly),
        ])

    public static let all = [id, externalId, meta]
}
