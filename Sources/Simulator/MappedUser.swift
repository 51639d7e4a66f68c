import SCIM

/// The target-side values Entra's attribute mapping computes for one directory user.
struct MappedUser {
    /// One mapped target attribute.
    struct Attribute {
        /// The SCIM path Entra uses in PATCH, such as `name.givenName` or `emails[type eq "work"].value`.
        let path: String
        let value: String
        /// Applied only during object creation, so never compared or sent in updates.
        let createOnly: Bool
    }

    let userName: String
    let active: Bool
    let attributes: [Attribute]
    let template: String?
    let mapping: AttributeMapping

    static let workEmailPath = #"emails[type eq "work"].value"#
    static let templatePath = "\(SCIMURN.frontTeammate):template"

    init(user: Scenario.DirectoryUser, role: String?, active: Bool, mapping: AttributeMapping) {
        self.userName = user.userPrincipalName
        self.active = active
        self.mapping = mapping
        var attributes: [Attribute] = [
            Attribute(path: "externalId", value: user.mailNickname, createOnly: mapping.mailNicknameOnCreateOnly),
            Attribute(path: "userName", value: user.userPrincipalName, createOnly: false),
        ]
        if let displayName = user.displayName {
            attributes.append(Attribute(path: "displayName", value: displayName, createOnly: false))
        }
        let workEmail = mapping.workEmailFromUserPrincipalName ? user.userPrincipalName : user.mail
        if let workEmail {
            attributes.append(Attribute(path: MappedUser.workEmailPath, value: workEmail, createOnly: false))
        }
        if let givenName = user.givenName {
            attributes.append(Attribute(path: "name.givenName", value: givenName, createOnly: false))
        }
        if let surname = user.surname {
            attributes.append(Attribute(path: "name.familyName", value: surname, createOnly: false))
        }
        self.attributes = attributes
        self.template = mapping.template == .none ? nil : role
    }

    /// `active` as the mapping produces it: `Switch([IsSoftDeleted], , "False", "True", "True",
    /// "False")` yields `"True"`/`"False"`, which `ToLower()` turns into `"true"`/`"false"`. The
    /// flagged dialect converts the string to a JSON boolean.
    func activeValue(dialectFlagged: Bool) -> JSONValue {
        activeValue(active, dialectFlagged: dialectFlagged)
    }

    func activeValue(_ flag: Bool, dialectFlagged: Bool) -> JSONValue {
        if dialectFlagged {
            return .bool(flag)
        }
        let text = flag ? "True" : "False"
        return .string(mapping.toLowerActive ? text.lowercased() : text)
    }

    private func value(of path: String) -> String? {
        attributes.first { $0.path == path }?.value
    }

    /// The POST body, in the member order of Microsoft's published Create User request. The
    /// teammate extension object is sent, but its URN is not listed in `schemas`, as Entra does
    /// for custom extension attributes.
    func createBody(dialectFlagged: Bool) -> JSONValue {
        var body = JSONObject()
        body["schemas"] = [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser)]
        if let externalId = value(of: "externalId") {
            body["externalId"] = .string(externalId)
        }
        body["userName"] = .string(userName)
        body["active"] = dialectFlagged ? .bool(active) : activeValue(dialectFlagged: false)
        if let displayName = value(of: "displayName") {
            body["displayName"] = .string(displayName)
        }
        if let email = value(of: MappedUser.workEmailPath) {
            body["emails"] = [["primary": true, "type": "work", "value": .string(email)]]
        }
        body["meta"] = ["resourceType": "User"]
        var name = JSONObject()
        if let familyName = value(of: "name.familyName") {
            name["familyName"] = .string(familyName)
        }
        if let givenName = value(of: "name.givenName") {
            name["givenName"] = .string(givenName)
        }
        if !name.isEmpty {
            body["name"] = .object(name)
        }
        if let template {
            body[SCIMURN.frontTeammate] = ["template": .string(template)]
        }
        return .object(body)
    }

    /// A difference between what Entra maps and what the target holds.
    struct Change {
        let path: String
        let value: JSONValue
        /// Whether the target already had a value, which decides between Replace and Add.
        let existed: Bool
    }

    /// Compares the mapped values with a target representation, as Entra does before an update.
    /// `activeOnly` limits the comparison to `active`, as for a disable.
    func changes(against target: JSONObject, dialectFlagged: Bool, activeOnly: Bool = false) -> [Change] {
        var changes: [Change] = []
        if !activeOnly {
            for attribute in attributes where !attribute.createOnly {
                let current = MappedUser.targetValue(of: attribute.path, in: target)
                if current != attribute.value {
                    changes.append(
                        Change(path: attribute.path, value: .string(attribute.value), existed: current != nil))
                }
            }
            if mapping.template == .always, let template {
                let current = MappedUser.targetValue(of: MappedUser.templatePath, in: target)
                if current != template {
                    changes.append(
                        Change(path: MappedUser.templatePath, value: .string(template), existed: current != nil))
                }
            }
        }
        let currentActive = target.value(matching: "active").flatMap { value -> Bool? in
            value.boolValue ?? value.stringValue.flatMap { Bool($0.lowercased()) }
        }
        if currentActive != active {
            changes.append(
                Change(
                    path: "active", value: activeValue(dialectFlagged: dialectFlagged), existed: currentActive != nil))
        }
        return changes
    }

    /// Reads a mapped path from a target representation, ignoring the case of attribute names.
    static func targetValue(of path: String, in target: JSONObject) -> String? {
        switch path {
        case workEmailPath:
            let emails = target.value(matching: "emails")?.arrayValue ?? []
            let work = emails.first { $0.objectValue?.value(matching: "type")?.stringValue?.lowercased() == "work" }
            return work?.objectValue?.value(matching: "value")?.stringValue
        case templatePath:
            return target.value(matching: SCIMURN.frontTeammate)?.objectValue?.value(matching: "template")?.stringValue
        default:
            let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
            guard let first = target.value(matching: parts[0]) else {
                return nil
            }
            if parts.count == 2 {
                return first.objectValue?.value(matching: parts[1])?.stringValue
            }
            return first.stringValue
        }
    }
}
