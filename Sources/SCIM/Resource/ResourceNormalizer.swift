/// Turns a client's resource representation (a POST or PUT body) into the stored form.
///
/// Attribute names become the schema's spelling, values the schema's types, extension attributes
/// move into their extension object (also when sent as a flat `urn:...:attribute` key), nulls and
/// empty arrays are dropped as unassigned, read-only attributes are ignored as RFC 7643
/// section 7 requires, and `schemas` lists exactly the schemas in use.
public struct ResourceNormalizer: Sendable {
    public let resourceType: ResourceType
    public let coercion: ValueCoercion

    public init(resourceType: ResourceType, coercion: ValueCoercion = ValueCoercion()) {
        self.resourceType = resourceType
        self.coercion = coercion
    }

    public func normalize(_ body: JSONValue) throws(SCIMError) -> JSONObject {
        guard let input = body.objectValue else {
            throw SCIMError.invalidSyntax("the request body must be a JSON object, not \(body.typeName)")
        }
        try checkSchemas(input)
        var output = JSONObject()
        output["schemas"] = .array([.string(resourceType.schema.id)])
        for (key, value) in input {
            if key.equalsIgnoringCase("schemas") {
                continue
            }
            if let extensionSchema = resourceType.extensionSchema(urn: key) {
                guard value.isNull || value.objectValue != nil else {
                    throw SCIMError.invalidValue("'\(key)' must be an object holding the extension's attributes")
                }
                for (name, extensionValue) in value.objectValue ?? JSONObject()
                where !name.equalsIgnoringCase("schemas") {
                    guard let attribute = extensionSchema.attribute(named: name) else {
                        throw SCIMError.invalidValue("the schema \(extensionSchema.id) has no attribute '\(name)'")
                    }
                    try store(extensionValue, attribute: attribute, extensionURN: extensionSchema.id, in: &output)
                }
                continue
            }
            let path: AttributePath
            do {
                path = try AttributePath.parse(key, knownSchemas: resourceType.schemaURNs)
            } catch {
                throw SCIMError.invalidValue("'\(key)' is not an attribute of the \(resourceType.name) resource type")
            }
            guard path.subAttribute == nil else {
                throw SCIMError.invalidValue("'\(key)' must be sent inside its parent attribute '\(path.name)'")
            }
            let resolved: ResolvedAttribute
            do {
                resolved = try resourceType.resolve(path)
            } catch {
                throw SCIMError.invalidValue(
                    "'\(key)' is not an attribute of the \(resourceType.name) resource type; "
                        + "the supported attributes are listed at /Schemas")
            }
            try store(value, attribute: resolved.attribute, extensionURN: resolved.extensionURN, in: &output)
        }
        try checkRequired(output)
        return output
    }

    private func store(
        _ value: JSONValue, attribute: SchemaAttribute, extensionURN: String?, in output: inout JSONObject
    )
        throws(SCIMError)
    {
        if attribute.mutability == .readOnly || attribute.name == "id" || attribute.name == "meta" {
            return
        }
        let label = extensionURN.map { "\($0):\(attribute.name)" } ?? attribute.name
        let coerced = try coercion.coerce(value, to: attribute, label: label)
        if let extensionURN {
            var extensionObject = output[extensionURN]?.objectValue ?? JSONObject()
            extensionObject[attribute.name] = coerced.isNull ? nil : coerced
            output[extensionURN] = extensionObject.isEmpty ? nil : .object(extensionObject)
            Self.syncSchemas(&output, resourceType: resourceType)
        } else {
            output[attribute.name] = coerced.isNull ? nil : coerced
        }
    }

    private func checkSchemas(_ input: JSONObject) throws(SCIMError) {
        guard let schemas = input.value(matching: "schemas") else {
            throw SCIMError.invalidSyntax(
                "the request body has no 'schemas' attribute; it must list \(resourceType.schema.id)")
        }
        guard let list = schemas.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
            throw SCIMError.invalidSyntax("'schemas' must be an array of schema URNs")
        }
        let urns = list.compactMap(\.stringValue)
        guard urns.contains(where: { $0.equalsIgnoringCase(resourceType.schema.id) }) else {
            throw SCIMError.invalidSyntax("'schemas' must include \(resourceType.schema.id)")
        }
    }

    private func checkRequired(_ output: JSONObject) throws(SCIMError) {
        for attribute in resourceType.schema.attributes where attribute.required {
            guard let value = output[attribute.name], !value.isNull, value.stringValue?.isEmpty != true else {
                throw SCIMError.invalidValue("the required attribute '\(attribute.name)' is missing")
            }
        }
    }

    /// Rewrites `schemas` to the core URN plus the URN of every extension that has a value.
    public static func syncSchemas(_ object: inout JSONObject, resourceType: ResourceType) {
        var urns: [JSONValue] = [.string(resourceType.schema.id)]
        for extensionDefinition in resourceType.extensions {
            let urn = extensionDefinition.schema.id
            if let key = object.key(matching: urn), let value = object[key]?.objectValue, !value.isEmpty {
                urns.append(.string(urn))
            }
        }
        object["schemas"] = .array(urns)
    }
}
