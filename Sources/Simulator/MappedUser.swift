import SCIM

/// The target-side values Entra's attribute mapping computes for one directory user.
struct MappedUser {
    /// One mapped target attribute with its value.
    struct Attribute {
        let target: String
        let path: TargetPath
        let value: String
        /// Applied only during object creation, so never compared or sent in updates.
        let createOnly: Bool
    }

    /// A difference between what Entra maps and what the target holds.
    struct Change {
        let path: String
        let value: JSONValue
        /// The target's value before the change, for the provisioning log.
        let previous: JSONValue?

        /// Whether the target already had a value, which decides between Replace and Add.
        var existed: Bool {
            previous != nil
        }
    }

    let mapping: AttributeMapping
    let active: Bool
    let attributes: [Attribute]
    /// The template (app role value) when the mapping writes one and the user has a role.
    let template: String?

    init(user: DirectoryUser, role: String?, active: Bool, mapping: AttributeMapping) {
        self.mapping = mapping
        self.active = active
        var attributes: [Attribute] = []
        var template: String?
        for entry in mapping.entries {
            guard let path = entry.path else {
                continue
            }
            let value: String?
            switch entry.source {
            case .attribute(let name):
                value = user.value(of: name)
            case .singleAppRoleAssignment:
                value = role
                template = entry.target == AttributeMapping.templatePath ? role : template
            case .active, .manager:
                value = nil
            }
            if let value {
                attributes.append(
                    Attribute(target: entry.target, path: path, value: value, createOnly: entry.apply == .creationOnly))
            }
        }
        self.attributes = attributes
        self.template = template
    }

    var userName: String {
        value(of: "userName") ?? ""
    }

    func value(of target: String) -> String? {
        attributes.first { $0.target.equalsIgnoringCase(target) }?.value
    }

    /// Whether the mapping writes `active`, without which Entra cannot disable a user.
    var mapsActive: Bool {
        mapping.entry(for: "active") != nil
    }

    /// `active` as the mapping produces it: `Switch([IsSoftDeleted], , "False", "True", "True",
    /// "False")` yields `"True"`/`"False"`, which `ToLower()` turns into `"true"`/`"false"`. The
    /// flagged dialect sends a JSON boolean instead.
    func activeValue(_ flag: Bool, flagged: Bool) -> JSONValue {
        if flagged {
            return .bool(flag)
        }
        let text = flag ? "True" : "False"
        guard case .active(let toLower)? = mapping.entry(for: "active")?.source, toLower else {
            return .string(text)
        }
        return .string(text.lowercased())
    }

    /// Builds the POST body: `schemas`, `externalId`, `userName` and `active` first, then the other
    /// members in ordinal order, as in Microsoft's Create User examples (which place `meta`
    /// between `emails` and `name`). The teammate extension object is sent, but its URN is not
    /// listed in `schemas`, as Entra does for custom extension attributes.
    func createBody(flagged: Bool, createActive: RequestShapes.CreateActive) -> JSONValue {
        var members = JSONObject()
        for attribute in attributes {
            attribute.path.write(.string(attribute.value), into: &members)
        }
        if mapsActive {
            members["active"] = createActive == .boolean ? .bool(active) : activeValue(active, flagged: flagged)
        }
        members["meta"] = ["resourceType": "User"]

        var body = JSONObject()
        body["schemas"] = [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser)]
        for key in ["externalId", "userName", "active"] {
            if let value = members.removeValue(forKey: key) {
                body[key] = value
            }
        }
        for key in members.keys.sorted() {
            body[key] = members[key]
        }
        return .object(body)
    }

    /// Compares the mapped values with a target representation, as Entra does before an update.
    /// Create-only attributes are left out; `activeOnly` limits the comparison to `active`.
    func changes(against target: JSONObject, flagged: Bool, activeOnly: Bool = false) -> [Change] {
        var changes: [Change] = []
        if !activeOnly {
            for attribute in attributes where !attribute.createOnly {
                let current = attribute.path.read(from: target)
                if current?.stringValue != attribute.value {
                    changes.append(Change(path: attribute.target, value: .string(attribute.value), previous: current))
                }
            }
        }
        guard mapsActive else {
            return changes
        }
        let currentValue = target.value(matching: "active")
        let currentActive = currentValue?.boolValue ?? currentValue?.stringValue.flatMap { Bool($0.lowercased()) }
        if currentActive != active {
            changes.append(Change(path: "active", value: activeValue(active, flagged: flagged), previous: currentValue))
        }
        return changes
    }

    /// The attributes a create sends, as the provisioning log lists them.
    var createdProperties: [(name: String, value: String)] {
        var properties = attributes.map { ($0.target, $0.value) }
        if mapsActive {
            properties.insert(("active", active ? "True" : "False"), at: min(1, properties.count))
        }
        return properties
    }
}
