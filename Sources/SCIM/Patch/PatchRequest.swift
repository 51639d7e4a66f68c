/// One operation of a PATCH request (RFC 7644 section 3.5.2).
public struct PatchOperation: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case add
        case replace
        case remove
    }

    public let kind: Kind
    /// The `op` exactly as sent, such as `"Replace"` from Entra's legacy dialect.
    public let spelling: String
    public let path: String?
    public let value: JSONValue?

    public init(kind: Kind, spelling: String? = nil, path: String? = nil, value: JSONValue? = nil) {
        self.kind = kind
        self.spelling = spelling ?? kind.rawValue
        self.path = path
        self.value = value
    }
}

/// A parsed `PatchOp` message.
public struct PatchRequest: Sendable, Equatable {
    public let operations: [PatchOperation]

    public init(operations: [PatchOperation]) {
        self.operations = operations
    }

    /// Parses a PATCH body. `op` is matched without regard to case, because Entra sends `Add`,
    /// `Replace` and `Remove`; so are the member names `Operations`, `op`, `path` and `value`.
    public static func parse(_ body: JSONValue) throws(SCIMError) -> PatchRequest {
        guard let object = body.objectValue else {
            throw SCIMError.invalidSyntax("the PATCH body must be a JSON object, not \(body.typeName)")
        }
        guard let schemas = object.value(matching: "schemas")?.arrayValue,
            schemas.contains(where: { $0.stringValue?.equalsIgnoringCase(SCIMURN.patchOp) == true })
        else {
            throw SCIMError.invalidSyntax("the PATCH body must have 'schemas' listing \(SCIMURN.patchOp)")
        }
        guard let list = object.value(matching: "Operations") else {
            throw SCIMError.invalidSyntax("the PATCH body has no 'Operations' array")
        }
        guard let rawOperations = list.arrayValue else {
            throw SCIMError.invalidSyntax("'Operations' must be an array, not \(list.typeName)")
        }
        guard !rawOperations.isEmpty else {
            throw SCIMError.invalidSyntax("'Operations' is empty")
        }
        var operations: [PatchOperation] = []
        for (index, raw) in rawOperations.enumerated() {
            operations.append(try parseOperation(raw, index: index))
        }
        return PatchRequest(operations: operations)
    }

    private static func parseOperation(_ raw: JSONValue, index: Int) throws(SCIMError) -> PatchOperation {
        guard let object = raw.objectValue else {
            throw SCIMError.invalidSyntax("Operations[\(index)] must be an object")
        }
        guard let opValue = object.value(matching: "op") else {
            throw SCIMError.invalidSyntax("Operations[\(index)] has no 'op'")
        }
        guard let spelling = opValue.stringValue, let kind = PatchOperation.Kind(rawValue: spelling.lowercased()) else {
            throw SCIMError.invalidSyntax(
                "Operations[\(index)].op is \(opValue.serialized()); it must be add, replace or remove")
        }
        var path: String?
        if let pathValue = object.value(matching: "path"), !pathValue.isNull {
            guard let text = pathValue.stringValue else {
                throw SCIMError.invalidPath("Operations[\(index)].path must be a string")
            }
            path = text.isEmpty ? nil : text
        }
        let value = object.value(matching: "value")
        if kind != .remove, value == nil {
            throw SCIMError.invalidSyntax("Operations[\(index)] (\(spelling)) has no 'value'")
        }
        if kind == .remove, path == nil {
            throw SCIMError.noTarget("Operations[\(index)] (\(spelling)) has no 'path'; remove needs one")
        }
        return PatchOperation(kind: kind, spelling: spelling, path: path, value: value)
    }
}
