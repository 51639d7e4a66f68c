/// Applies PATCH operations to a stored resource (RFC 7644 section 3.5.2).
///
/// Both Entra dialects work: capitalised and lowercase `op`; booleans as JSON or as strings; one
/// operation per attribute or one path-less operation whose value keys are attribute paths
/// (`name.givenName`, `urn:...:enterprise:2.0:User:employeeNumber`); value-filter paths such as
/// `emails[type eq "work"].value`; and member removal either by a filter path or by a value list.
///
/// The request is atomic: operations apply to a copy, and the copy is returned only when every
/// operation succeeded.
public struct PatchApplier: Sendable {
    /// What happens when an operation targets an `immutable` attribute.
    public enum ImmutableHandling: String, Sendable {
        /// The operation is skipped and the attribute keeps its value; the path is reported back.
        case ignore
        /// The request fails with 400 `mutability`.
        case reject
        /// The change is applied as if the attribute were `readWrite`. Only the reference
        /// endpoint's fault deviations use this.
        case overwrite
    }

    public struct Result: Sendable {
        public var resource: JSONObject
        /// Paths of operations skipped because they targeted an immutable attribute.
        public var ignoredPaths: [String]
    }

    public let resourceType: ResourceType
    public let coercion: ValueCoercion
    public let immutableHandling: ImmutableHandling

    public init(
        resourceType: ResourceType, coercion: ValueCoercion = ValueCoercion(),
        immutableHandling: ImmutableHandling = .ignore
    ) {
        self.resourceType = resourceType
        self.coercion = coercion
        self.immutableHandling = immutableHandling
    }

    public func apply(_ request: PatchRequest, to resource: JSONObject) throws(SCIMError) -> Result {
        var state = State(resource: resource)
        for (index, operation) in request.operations.enumerated() {
            do {
                try apply(operation, to: &state)
            } catch {
                throw SCIMError(
                    status: error.status, scimType: error.scimType, detail: "Operations[\(index)]: \(error.detail)")
            }
        }
        ResourceNormalizer.syncSchemas(&state.resource, resourceType: resourceType)
        for attribute in resourceType.schema.attributes where attribute.required {
            guard let value = state.resource[attribute.name], !value.isNull, value.stringValue?.isEmpty != true else {
                throw SCIMError.invalidValue("the required attribute '\(attribute.name)' cannot be removed")
            }
        }
        return Result(resource: state.resource, ignoredPaths: state.ignoredPaths)
    }

    struct State {
        var resource: JSONObject
        var ignoredPaths: [String] = []
    }

    // MARK: - Dispatch

    private func apply(_ operation: PatchOperation, to state: inout State) throws(SCIMError) {
        guard let pathText = operation.path else {
            // Path-less add or replace: every key of the value is a path (RFC 7644 section 3.5.2.1).
            guard let object = operation.value?.objectValue else {
                throw SCIMError.invalidValue(
                    "\(operation.spelling) without a path needs an object value whose keys are attribute paths")
            }
            for (key, value) in object {
                if key.equalsIgnoringCase("schemas") {
                    continue
                }
                try apply(operation.kind, pathText: key, value: value, to: &state)
            }
            return
        }
        try apply(operation.kind, pathText: pathText, value: operation.value, to: &state)
    }

    private func apply(_ kind: PatchOperation.Kind, pathText: String, value: JSONValue?, to state: inout State)
        throws(SCIMError)
    {
        switch try PatchPath.parse(pathText, resourceType: resourceType) {
        case .schemaExtension(let extensionSchema):
            try applyToExtension(kind, schema: extensionSchema, value: value, to: &state)
        case .attribute(let resolved):
            guard try checkMutability(resolved, pathText: pathText, value: value, kind: kind, state: &state) else {
                return
            }
            if let sub = resolved.subAttribute {
                try applySubAttribute(kind, resolved: resolved, sub: sub, value: value, to: &state.resource)
            } else {
                try applyAttribute(kind, resolved: resolved, value: value, to: &state.resource)
            }
        case .filtered(let resolved, let filter, let sub):
            guard try checkMutability(resolved, pathText: pathText, value: value, kind: kind, state: &state) else {
                return
            }
            try applyFiltered(kind, resolved: resolved, filter: filter, sub: sub, value: value, to: &state.resource)
        }
    }

    private func applyToExtension(_ kind: PatchOperation.Kind, schema: Schema, value: JSONValue?, to state: inout State)
        throws(SCIMError)
    {
        if kind == .remove {
            // Removing the extension removes each of its attributes, so immutable ones (the
            // teammate template) get the same handling as when they are removed one by one.
            let present = state.resource.value(matching: schema.id)?.objectValue?.keys ?? []
            for key in present {
                try apply(.remove, pathText: "\(schema.id):\(key)", value: nil, to: &state)
            }
            return
        }
        guard let object = value?.objectValue else {
            throw SCIMError.invalidValue("the value for '\(schema.id)' must be an object of its attributes")
        }
        for (key, attributeValue) in object where !key.equalsIgnoringCase("schemas") {
            try apply(kind, pathText: "\(schema.id):\(key)", value: attributeValue, to: &state)
        }
    }

    /// Returns false when the operation must be skipped; throws when it must be rejected.
    private func checkMutability(
        _ resolved: ResolvedAttribute, pathText: String, value: JSONValue?, kind: PatchOperation.Kind,
        state: inout State
    ) throws(SCIMError) -> Bool {
        let attribute = resolved.attribute
        switch attribute.mutability {
        case .readOnly:
            throw SCIMError.mutability("'\(pathText)' is read-only")
        case .immutable:
            switch immutableHandling {
            case .ignore:
                state.ignoredPaths.append(pathText)
                return false
            case .reject:
                throw SCIMError.mutability(
                    "'\(pathText)' is immutable: it can be set only when the resource is created")
            case .overwrite:
                return true
            }
        case .readWrite, .writeOnly:
            if let sub = resolved.subAttribute, sub.mutability == .readOnly {
                throw SCIMError.mutability("'\(pathText)' is read-only")
            }
            return true
        }
    }

    // MARK: - Whole attributes

    private func applyAttribute(
        _ kind: PatchOperation.Kind, resolved: ResolvedAttribute, value: JSONValue?, to resource: inout JSONObject
    ) throws(SCIMError) {
        let attribute = resolved.attribute
        let label = label(for: resolved)
        var container = Container(resource: resource, extensionURN: resolved.extensionURN)
        let current = container.object[attribute.name]

        switch kind {
        case .remove:
            if let value, attribute.multiValued, !value.isNull {
                container.object[attribute.name] = try removeListed(
                    value, from: current, attribute: attribute, label: label)
            } else {
                container.object[attribute.name] = nil
            }
        case .replace:
            let coerced = try coercion.coerce(value ?? .null, to: attribute, label: label)
            if attribute.isComplex && !attribute.multiValued, let currentObject = current?.objectValue,
                let newObject = coerced.objectValue
            {
                // Replacing a complex attribute changes only the sub-attributes given (RFC 7644 section 3.5.2.3).
                container.object[attribute.name] = .object(merge(currentObject, newObject))
            } else {
                container.object[attribute.name] = coerced.isNull ? nil : coerced
            }
        case .add:
            let coerced = try coercion.coerce(value ?? .null, to: attribute, label: label)
            if coerced.isNull {
                return
            }
            if attribute.multiValued {
                container.object[attribute.name] = .array(
                    appendUnique(coerced.arrayValue ?? [], to: current?.arrayValue ?? []))
            } else if attribute.isComplex, let currentObject = current?.objectValue, let newObject = coerced.objectValue
            {
                container.object[attribute.name] = .object(merge(currentObject, newObject))
            } else {
                container.object[attribute.name] = coerced
            }
        }
        container.store(into: &resource)
    }

    private func applySubAttribute(
        _ kind: PatchOperation.Kind, resolved: ResolvedAttribute, sub: SchemaAttribute, value: JSONValue?,
        to resource: inout JSONObject
    ) throws(SCIMError) {
        let attribute = resolved.attribute
        let label = label(for: resolved)
        var container = Container(resource: resource, extensionURN: resolved.extensionURN)
        let coerced: JSONValue = kind == .remove ? .null : try coercion.coerce(value ?? .null, to: sub, label: label)

        if attribute.multiValued {
            // `emails.value` without a filter addresses every element.
            var elements = container.object[attribute.name]?.arrayValue ?? []
            if elements.isEmpty {
                if !coerced.isNull {
                    elements = [.object(JSONObject([(sub.name, coerced)]))]
                }
            } else {
                elements = elements.map { element in
                    var object = element.objectValue ?? JSONObject()
                    object[sub.name] = coerced.isNull ? nil : coerced
                    return .object(object)
                }
            }
            container.object[attribute.name] = elements.isEmpty ? nil : .array(elements)
        } else {
            var object = container.object[attribute.name]?.objectValue ?? JSONObject()
            object[sub.name] = coerced.isNull ? nil : coerced
            container.object[attribute.name] = object.isEmpty ? nil : .object(object)
        }
        container.store(into: &resource)
    }

    // MARK: - Value filters

    private func applyFiltered(
        _ kind: PatchOperation.Kind, resolved: ResolvedAttribute, filter: FilterExpression, sub: SchemaAttribute?,
        value: JSONValue?, to resource: inout JSONObject
    ) throws(SCIMError) {
        let attribute = resolved.attribute
        let evaluator = FilterEvaluator(resourceType: resourceType)
        var container = Container(resource: resource, extensionURN: resolved.extensionURN)
        var elements = container.object[attribute.name]?.arrayValue ?? []
        var matched: [Int] = []
        for (index, element) in elements.enumerated() {
            if let object = element.objectValue, try evaluator.matches(filter, element: object, of: attribute) {
                matched.append(index)
            }
        }
        let label = "\(label(for: resolved))[\(filter)]" + (sub.map { ".\($0.name)" } ?? "")

        switch (kind, sub) {
        case (.remove, nil):
            for index in matched.reversed() {
                elements.remove(at: index)
            }
        case (.remove, let sub?):
            for index in matched {
                var object = elements[index].objectValue ?? JSONObject()
                object[sub.name] = nil
                elements[index] = .object(object)
            }
        case (_, let sub?):
            let coerced = try coercion.coerce(value ?? .null, to: sub, label: label)
            if matched.isEmpty {
                elements.append(
                    .object(try newElement(matching: filter, attribute: attribute, setting: sub, to: coerced)))
            }
            for index in matched {
                var object = elements[index].objectValue ?? JSONObject()
                object[sub.name] = coerced.isNull ? nil : coerced
                elements[index] = .object(object)
            }
        case (_, nil):
            let coerced = try coercion.coerceSingle(value ?? .null, to: attribute, label: label)
            guard let newObject = coerced.objectValue else {
                throw SCIMError.invalidValue("'\(label)' needs an object value")
            }
            if matched.isEmpty {
                guard kind == .add else {
                    throw SCIMError.noTarget("no value of '\(attribute.name)' matches the filter \(filter)")
                }
                elements.append(.object(newObject))
            }
            for index in matched {
                let base = kind == .replace ? JSONObject() : (elements[index].objectValue ?? JSONObject())
                elements[index] = .object(merge(base, newObject))
            }
        }
        container.object[attribute.name] = elements.isEmpty ? nil : .array(elements)
        container.store(into: &resource)
    }

    /// Builds the element a filtered add or replace creates when nothing matches, such as
    /// `{"type": "work", "value": ...}` for `emails[type eq "work"].value`. Only filters made of
    /// `eq` comparisons joined by `and` describe such an element; anything else is `noTarget`.
    private func newElement(
        matching filter: FilterExpression, attribute: SchemaAttribute, setting sub: SchemaAttribute, to value: JSONValue
    ) throws(SCIMError) -> JSONObject {
        guard let constraints = filter.equalityConstraints else {
            throw SCIMError.noTarget(
                "no value of '\(attribute.name)' matches the filter \(filter), and the filter does not describe a new value"
            )
        }
        var object = JSONObject()
        for (path, literal) in constraints {
            guard let constrained = attribute.subAttribute(named: path.name) else {
                throw SCIMError.noTarget("'\(attribute.name)' has no sub-attribute '\(path.name)'")
            }
            object[constrained.name] = literal
        }
        if !value.isNull {
            object[sub.name] = value
        }
        return object
    }

    // MARK: - Helpers

    /// Removes the elements listed in a legacy remove value, such as Entra's
    /// `{"op":"Remove","path":"members","value":[{"value":"id"}]}`. An element is removed when every
    /// sub-attribute given in a listed value equals its own; nothing else is removed.
    private func removeListed(_ value: JSONValue, from current: JSONValue?, attribute: SchemaAttribute, label: String)
        throws(SCIMError) -> JSONValue?
    {
        let listed = (value.arrayValue ?? [value]).filter { !$0.isNull }
        var remaining = current?.arrayValue ?? []
        for item in listed {
            let pattern = try coercion.coerceSingle(item, to: attribute, label: label)
            remaining.removeAll { element in
                matchesPattern(element, pattern, attribute: attribute)
            }
        }
        return remaining.isEmpty ? nil : .array(remaining)
    }

    private func matchesPattern(_ element: JSONValue, _ pattern: JSONValue, attribute: SchemaAttribute) -> Bool {
        guard let patternObject = pattern.objectValue, let elementObject = element.objectValue else {
            return element == pattern
        }
        for (key, expected) in patternObject {
            guard let actual = elementObject.value(matching: key) else {
                return false
            }
            let caseExact = attribute.subAttribute(named: key)?.caseExact ?? true
            if !caseExact, let actualText = actual.stringValue, let expectedText = expected.stringValue {
                if !actualText.equalsIgnoringCase(expectedText) {
                    return false
                }
            } else if actual != expected {
                return false
            }
        }
        return true
    }

    private func appendUnique(_ additions: [JSONValue], to existing: [JSONValue]) -> [JSONValue] {
        var result = existing
        for addition in additions where !result.contains(addition) {
            if addition.objectValue?["primary"]?.boolValue == true {
                result = result.map { element in
                    guard var object = element.objectValue, object["primary"]?.boolValue == true else {
                        return element
                    }
                    object["primary"] = false
                    return .object(object)
                }
            }
            result.append(addition)
        }
        return result
    }

    private func merge(_ base: JSONObject, _ changes: JSONObject) -> JSONObject {
        var merged = base
        for (key, value) in changes {
            merged[key] = value
        }
        return merged
    }

    private func label(for resolved: ResolvedAttribute) -> String {
        var text = resolved.extensionURN.map { "\($0):" } ?? ""
        text += resolved.attribute.name
        if let sub = resolved.subAttribute {
            text += ".\(sub.name)"
        }
        return text
    }
}

/// The object that holds an attribute: the resource itself, or one of its extension objects.
private struct Container {
    var object: JSONObject
    let extensionURN: String?

    init(resource: JSONObject, extensionURN: String?) {
        self.extensionURN = extensionURN
        if let extensionURN {
            object = resource.value(matching: extensionURN)?.objectValue ?? JSONObject()
        } else {
            object = resource
        }
    }

    func store(into resource: inout JSONObject) {
        guard let extensionURN else {
            resource = object
            return
        }
        let key = resource.key(matching: extensionURN) ?? extensionURN
        resource[key] = object.isEmpty ? nil : .object(object)
    }
}
