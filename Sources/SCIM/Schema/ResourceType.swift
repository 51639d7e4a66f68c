/// A resource type: its endpoint, core schema and schema extensions (RFC 7643 section 6).
public struct ResourceType: Sendable {
    public struct Extension: Sendable {
        public let schema: Schema
        public let required: Bool

        public init(schema: Schema, required: Bool = false) {
            self.schema = schema
            self.required = required
        }
    }

    public let name: String
    /// The path under the SCIM base, such as `/Users`.
    public let endpoint: String
    public let description: String
    public let schema: Schema
    public let extensions: [Extension]

    public init(name: String, endpoint: String, description: String, schema: Schema, extensions: [Extension]) {
        self.name = name
        self.endpoint = endpoint
        self.description = description
        self.schema = schema
        self.extensions = extensions
    }

    /// Every schema URN the type knows: the core schema first, then the extensions.
    public var schemaURNs: [String] {
        [schema.id] + extensions.map(\.schema.id)
    }

    /// Finds an extension by URN, ignoring case.
    public func extensionSchema(urn: String) -> Schema? {
        extensions.first { $0.schema.id.equalsIgnoringCase(urn) }?.schema
    }

    /// Finds a core or common attribute by name, ignoring case.
    public func coreAttribute(named name: String) -> SchemaAttribute? {
        if let common = CommonAttributes.all.first(where: { $0.name.equalsIgnoringCase(name) }) {
            return common
        }
        return schema.attribute(named: name)
    }

    /// The representation `/ResourceTypes` returns.
    public func json(baseURL: String) -> JSONValue {
        var object: JSONObject = JSONObject([
            ("schemas", [.string(SCIMURN.resourceType)]),
            ("id", .string(name)),
            ("name", .string(name)),
            ("endpoint", .string(endpoint)),
            ("description", .string(description)),
            ("schema", .string(schema.id)),
        ])
        if !extensions.isEmpty {
            object["schemaExtensions"] = .array(
                extensions.map { ["schema": .string($0.schema.id), "required": .bool($0.required)] })
        }
        object["meta"] = ["resourceType": "ResourceType", "location": .string("\(baseURL)/ResourceTypes/\(name)")]
        return .object(object)
    }
}
