import SCIM

/// A target attribute path as Entra's mapping editor names it: `userName`, `name.givenName`,
/// `emails[type eq "work"].value`, or an extension attribute such as
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
struct TargetPath: Equatable {
    /// The extension schema URN, or `nil` for a core attribute.
    let schema: String?
    let attribute: String
    /// The `type` a multi-valued attribute is filtered on, such as `work`.
    let type: String?
    let subAttribute: String?

    init?(_ text: String) {
        var rest = Substring(text)
        var schema: String?
        if text.lowercased().hasPrefix("urn:") {
            guard let colon = text.lastIndex(of: ":") else {
                return nil
            }
            schema = String(text[..<colon])
            rest = text[text.index(after: colon)...]
        }
        self.schema = schema
        // Parsed by hand rather than with Regex, because a cycle parses every mapped path of every
        // user and Regex matching costs tens of microseconds each time.
        if let open = rest.firstIndex(of: "[") {
            let filterPrefix = "[type eq \""
            let filterSuffix = "\"]."
            let tail = rest[open...]
            guard tail.hasPrefix(filterPrefix), let close = tail.range(of: filterSuffix) else {
                return nil
            }
            let type = tail[tail.index(open, offsetBy: filterPrefix.count)..<close.lowerBound]
            let sub = tail[close.upperBound...]
            guard Self.isName(rest[..<open]), !type.contains("\""), Self.isName(sub) else {
                return nil
            }
            attribute = String(rest[..<open])
            self.type = String(type)
            subAttribute = String(sub)
            return
        }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy(Self.isName) else {
            return nil
        }
        attribute = String(parts[0])
        type = nil
        subAttribute = parts.count == 2 ? String(parts[1]) : nil
    }

    /// Whether the text is an attribute name: a letter or `$`, then letters, digits, `_`, `-` or `$`.
    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter || first == "$" else {
            return false
        }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "$" }
    }

    /// Reads the value at this path from a resource representation, ignoring the case of names.
    func read(from resource: JSONObject) -> JSONValue? {
        var container = resource
        if let schema {
            guard let object = resource.value(matching: schema)?.objectValue else {
                return nil
            }
            container = object
        }
        guard let value = container.value(matching: attribute) else {
            return nil
        }
        if let type {
            let elements = value.arrayValue ?? []
            let element = elements.first {
                $0.objectValue?.value(matching: "type")?.stringValue?.equalsIgnoringCase(type) == true
            }
            return subAttribute.flatMap { element?.objectValue?.value(matching: $0) }
        }
        guard let subAttribute else {
            return value
        }
        return value.objectValue?.value(matching: subAttribute)
    }

    /// Writes a value at this path into a POST body, creating the containers it needs. A filtered
    /// multi-valued path becomes an element `{"primary": true, "type": ..., sub: value}`, as in
    /// Microsoft's Create User example; only the first element of an attribute is primary.
    func write(_ value: JSONValue, into body: inout JSONObject) {
        var container = schema.flatMap { body[$0]?.objectValue } ?? (schema == nil ? body : JSONObject())
        if let type, let subAttribute {
            var elements = container[attribute]?.arrayValue ?? []
            var element = JSONObject()
            element["primary"] = .bool(elements.isEmpty)
            element["type"] = .string(type)
            element[subAttribute] = value
            elements.append(.object(element))
            container[attribute] = .array(elements)
        } else if let subAttribute {
            var object = container[attribute]?.objectValue ?? JSONObject()
            object[subAttribute] = value
            container[attribute] = .object(Self.sorted(object))
        } else {
            container[attribute] = value
        }
        if let schema {
            body[schema] = .object(Self.sorted(container))
        } else {
            body = container
        }
    }

    /// Returns the object with its members in ordinal order, as Entra orders sub-attributes.
    static func sorted(_ object: JSONObject) -> JSONObject {
        JSONObject(object.keys.sorted().map { ($0, object[$0]!) })
    }
}
