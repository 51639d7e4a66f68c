import SCIM

/// Builds PATCH bodies in Entra's two dialects, as Microsoft's SCIM compatibility page shows them:
/// without `aadOptscim062020` (legacy) and with it (flagged).
struct PatchBuilder {
    let flagged: Bool
    let shapes: RequestShapes

    /// Returns the `op` in the dialect's case: `Replace` in the legacy dialect, `replace` with the flag.
    func op(_ name: String) -> JSONValue {
        .string(flagged ? name.lowercased() : name.prefix(1).uppercased() + name.dropFirst())
    }

    func body(_ operations: [JSONValue]) -> JSONValue {
        ["schemas": [.string(SCIMURN.patchOp)], "Operations": .array(operations)]
    }

    /// Attribute changes. Legacy: one capitalised operation per attribute with a path, `Add` for
    /// an attribute the target lacks and `Replace` otherwise.
    ///
    /// Flagged: ops are lowercase, and value-filter paths such as `emails[type eq "work"].value`
    /// keep their own operation. The other replaced attributes are folded into one path-less
    /// `replace` whose keys are paths. Attributes the target lacks get an `add` with a path, and
    /// `active` is its own `replace` with a JSON boolean, as in the documented disable request.
    func attributes(_ changes: [MappedUser.Change]) -> JSONValue {
        guard flagged else {
            return body(
                changes.map { change in
                    ["op": op(change.existed ? "Replace" : "Add"), "path": .string(change.path), "value": change.value]
                })
        }
        var operations: [JSONValue] = []
        var folded = JSONObject()
        var additions: [JSONValue] = []
        var activeOperation: JSONValue?
        for change in changes {
            if change.path == "active" {
                activeOperation = ["op": "replace", "path": "active", "value": change.value]
            } else if change.path.utf8.contains(UInt8(ascii: "[")) {
                operations.append(
                    ["op": op(change.existed ? "Replace" : "Add"), "path": .string(change.path), "value": change.value])
            } else if change.existed {
                folded[change.path] = change.value
            } else {
                additions.append(["op": "add", "path": .string(change.path), "value": change.value])
            }
        }
        if folded.count == 1, !shapes.foldSingleReplace, let key = folded.keys.first {
            operations.append(["op": "replace", "path": .string(key), "value": folded[key]!])
        } else if !folded.isEmpty {
            // NOTE: Microsoft shows the path-less replace for several attributes; folding a single
            // changed attribute the same way is inferred (shapes.foldSingleReplace).
            operations.append(["op": "replace", "value": .object(folded)])
        }
        operations += additions
        if let activeOperation {
            operations.append(activeOperation)
        }
        return body(operations)
    }

    /// Sets the manager reference to the target id `managerId`, in the form `shapes.manager` picks.
    func manager(_ managerId: String, replacing: Bool, baseURL: String) -> JSONValue {
        let name = replacing ? "Replace" : "Add"
        switch shapes.manager {
        case .urnString:
            return body([["op": op(name), "path": .string(AttributeMapping.managerPath), "value": .string(managerId)]])
        case .urnObject:
            return body([
                ["op": op(name), "path": .string(AttributeMapping.managerPath), "value": ["value": .string(managerId)]]
            ])
        case .published:
            let reference: JSONValue = ["$ref": .string("\(baseURL)/Users/\(managerId)"), "value": .string(managerId)]
            return body([["op": op(name), "path": "manager", "value": [reference]]])
        }
    }

    /// Builds the member additions and removals for one group. Additions are one `Add` of a value
    /// list, as in Microsoft's Add Members example. Removals are one `Remove` of a value list in the legacy
    /// dialect and one `remove` per member with a `members[value eq "<id>"]` path when flagged.
    func members(adding added: [String], removing removed: [String]) -> JSONValue {
        var operations: [JSONValue] = []
        if !added.isEmpty {
            // NOTE: the flagged dialect's member addition is inferred as the legacy one with a
            // lowercase op; Microsoft's compatibility page lists no change for it.
            let values = added.map { memberValue($0, referenceNull: shapes.memberReference != .omit) }
            operations.append(["op": op("Add"), "path": "members", "value": .array(values)])
        }
        if !removed.isEmpty {
            if flagged {
                for id in removed {
                    let filter = "members[value eq \(JSONValue.string(id).serialized())]"
                    operations.append(["op": "remove", "path": .string(filter)])
                }
            } else {
                let values = removed.map { memberValue($0, referenceNull: shapes.memberReference == .null) }
                operations.append(["op": "Remove", "path": "members", "value": .array(values)])
            }
        }
        return body(operations)
    }

    private func memberValue(_ id: String, referenceNull: Bool) -> JSONValue {
        referenceNull ? ["$ref": .null, "value": .string(id)] : ["value": .string(id)]
    }

    /// Builds a group's displayName change: `Replace` with a path (Microsoft's Update Group
    /// example) or, flagged, the same path-less `replace` as user attributes.
    func groupDisplayName(_ displayName: String, previous: JSONValue?) -> JSONValue {
        attributes([MappedUser.Change(path: "displayName", value: .string(displayName), previous: previous ?? .null)])
    }
}
