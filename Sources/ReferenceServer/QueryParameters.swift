import SCIM

/// Query options of RFC 7644 section 3.4.2, from a URL query or a `.search` body.
struct QueryParameters {
    var filter: String?
    var startIndex: Int?
    var count: Int?
    var sortBy: String?
    var sortOrder: String?
    var attributes: [String] = []
    var excludedAttributes: [String] = []

    init(queryItems: [(name: String, value: String)]) {
        for (name, value) in queryItems {
            switch name.lowercased() {
            case "filter": filter = value
            case "startindex": startIndex = Int(value.trimmingWhitespace()) ?? startIndex
            case "count": count = Int(value.trimmingWhitespace()) ?? count
            case "sortby": sortBy = value
            case "sortorder": sortOrder = value
            case "attributes": attributes += QueryParameters.list(value)
            case "excludedattributes": excludedAttributes += QueryParameters.list(value)
            default: break
            }
        }
    }

    /// Reads a SearchRequest body (RFC 7644 section 3.4.3).
    init(searchRequest body: JSONValue) throws(SCIMError) {
        guard let object = body.objectValue else {
            throw SCIMError.invalidSyntax("a SearchRequest must be a JSON object")
        }
        if let filter = object.value(matching: "filter") {
            guard let text = filter.stringValue else {
                throw SCIMError.invalidSyntax("'filter' must be a string")
            }
            self.filter = text
        }
        for (key, target) in [("startIndex", \QueryParameters.startIndex), ("count", \QueryParameters.count)] {
            if let value = object.value(matching: key), !value.isNull {
                guard let number = value.intValue else {
                    throw SCIMError.invalidSyntax("'\(key)' must be an integer")
                }
                self[keyPath: target] = number
            }
        }
        for (key, target) in [("sortBy", \QueryParameters.sortBy), ("sortOrder", \QueryParameters.sortOrder)] {
            if let value = object.value(matching: key), !value.isNull {
                guard let text = value.stringValue else {
                    throw SCIMError.invalidSyntax("'\(key)' must be a string")
                }
                self[keyPath: target] = text
            }
        }
        for (key, target) in [
            ("attributes", \QueryParameters.attributes), ("excludedAttributes", \QueryParameters.excludedAttributes),
        ] {
            if let value = object.value(matching: key), !value.isNull {
                guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw SCIMError.invalidSyntax("'\(key)' must be an array of attribute paths")
                }
                self[keyPath: target] = list.compactMap(\.stringValue)
            }
        }
    }

    private static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}

/// The attribute selection of RFC 7644 section 3.9. `id` and `schemas` are always returned,
/// and attributes with `returned: never` never are.
struct Projection {
    let attributes: [String]
    let excludedAttributes: [String]

    init?(attributes: [String], excludedAttributes: [String]) {
        guard !attributes.isEmpty || !excludedAttributes.isEmpty else {
            return nil
        }
        self.attributes = attributes
        self.excludedAttributes = excludedAttributes
    }

    func apply(to object: JSONObject, type: ResourceType) -> JSONObject {
        if !attributes.isEmpty {
            var selected = JSONObject()
            selected["schemas"] = object["schemas"]
            selected["id"] = object["id"]
            for text in attributes {
                copy(text, from: object, into: &selected, type: type)
            }
            return selected
        }
        var remaining = object
        for text in excludedAttributes {
            remove(text, from: &remaining, type: type)
        }
        return remaining
    }

    private func copy(_ text: String, from source: JSONObject, into target: inout JSONObject, type: ResourceType) {
        if let extensionSchema = type.extensionSchema(urn: text) {
            target[extensionSchema.id] = source[extensionSchema.id]
            return
        }
        guard let path = try? AttributePath.parse(text, knownSchemas: type.schemaURNs),
            let resolved = try? type.resolve(path)
        else {
            return
        }
        var sourceContainer = source
        var targetContainer = target
        if let urn = resolved.extensionURN {
            sourceContainer = source[urn]?.objectValue ?? JSONObject()
            targetContainer = target[urn]?.objectValue ?? JSONObject()
        }
        let name = resolved.attribute.name
        guard let value = sourceContainer[name] else {
            return
        }
        if let sub = resolved.subAttribute {
            let existing = targetContainer[name]
            switch value {
            case .array(let elements):
                let previous = existing?.arrayValue ?? []
                targetContainer[name] = .array(
                    elements.enumerated().map { index, element in
                        var projected =
                            index < previous.count ? (previous[index].objectValue ?? JSONObject()) : JSONObject()
                        projected[sub.name] = element.objectValue?[sub.name]
                        return .object(projected)
                    })
            case .object(let inner):
                var projected = existing?.objectValue ?? JSONObject()
                projected[sub.name] = inner[sub.name]
                targetContainer[name] = .object(projected)
            default:
                break
            }
        } else {
            targetContainer[name] = value
        }
        if let urn = resolved.extensionURN {
            target[urn] = .object(targetContainer)
        } else {
            target = targetContainer
        }
    }

    private func remove(_ text: String, from object: inout JSONObject, type: ResourceType) {
        if let extensionSchema = type.extensionSchema(urn: text) {
            object[extensionSchema.id] = nil
            return
        }
        guard let path = try? AttributePath.parse(text, knownSchemas: type.schemaURNs),
            let resolved = try? type.resolve(path), resolved.attribute.returned != .always
        else {
            return
        }
        var container = object
        if let urn = resolved.extensionURN {
            container = object[urn]?.objectValue ?? JSONObject()
        }
        let name = resolved.attribute.name
        if let sub = resolved.subAttribute {
            switch container[name] {
            case .array(let elements)?:
                container[name] = .array(
                    elements.map { element in
                        var inner = element.objectValue ?? JSONObject()
                        inner[sub.name] = nil
                        return .object(inner)
                    })
            case .object(var inner)?:
                inner[sub.name] = nil
                container[name] = .object(inner)
            default:
                break
            }
        } else {
            container[name] = nil
        }
        if let urn = resolved.extensionURN {
            object[urn] = container.isEmpty ? nil : .object(container)
        } else {
            object = container
        }
    }
}
