import SCIM

/// Builds PATCH bodies in Entra's two dialects, as Microsoft's SCIM compatibility page shows.
enum PatchBuilder {
    /// Without `aadOptscim062020`: one capitalised operation per attribute with a path, `Add` for
    /// an attribute the target lacks and `Replace` otherwise.
    ///
    /// With the flag: lowercase ops; value-filter paths such as `emails[type eq "work"].value`
    /// keep their own operation; the other replaced attributes are folded into one path-less
    /// `replace` whose keys are paths; attributes the target lacks get an `add` with a path; and
    /// `active` is its own `replace` with a JSON boolean, as in the documented disable request.
    static func body(for changes: [MappedUser.Change], flagged: Bool) -> JSONValue {
        var operations: [JSONValue] = []
        if !flagged {
            for change in changes {
                operations.append(
                    [
                        "op": .string(change.existed ? "Replace" : "Add"), "path": .string(change.path),
                        "value": change.value,
                    ])
            }
        } else {
            var folded = JSONObject()
            var additions: [JSONValue] = []
            var activeOperation: JSONValue?
            for change in changes {
                if change.path == "active" {
                    activeOperation = ["op": "replace", "path": "active", "value": change.value]
                } else if change.path.contains("[") {
                    operations.append(
                        [
                            "op": .string(change.existed ? "replace" : "add"), "path": .string(change.path),
                            "value": change.value,
                        ])
                } else if change.existed {
                    folded[change.path] = change.value
                } else {
                    additions.append(["op": "add", "path": .string(change.path), "value": change.value])
                }
            }
            // NOTE: Microsoft shows the path-less replace for several attributes; folding a single
            // changed attribute the same way is inferred.
            if !folded.isEmpty {
                operations.append(["op": "replace", "value": .object(folded)])
            }
            operations += additions
            if let activeOperation {
                operations.append(activeOperation)
            }
        }
        return ["schemas": [.string(SCIMURN.patchOp)], "Operations": .array(operations)]
    }
}
