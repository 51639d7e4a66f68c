import SCIM

extension Scenario.Event {
    /// The `event` names of the timeline.
    static let names = [
        "testConnection", "startProvisioning", "cycle", "restart", "provisionOnDemand", "assign", "unassign",
        "changeRole", "update", "renameGroup", "disableAccount", "enableAccount", "softDelete", "restore",
        "hardDelete", "addMember", "removeMember", "deleteGroup", "probe",
    ]

    /// Directory attributes an `update` event may change; `manager` takes a user key.
    static let changeableAttributes: Set<String> = [
        "userPrincipalName", "mail", "mailNickname", "givenName", "surname", "displayName", "jobTitle", "department",
        "employeeId", "manager",
    ]

    init(json value: JSONValue, at path: JSONPath) throws(ScenarioError) {
        let object = try ScenarioReader.object(value, at: path)
        let kind = try ScenarioReader.string(object, "event", at: path)
        func user() throws(ScenarioError) -> String {
            try ScenarioReader.string(object, "user", at: path)
        }
        func group() throws(ScenarioError) -> String {
            try ScenarioReader.string(object, "group", at: path)
        }
        func only(_ members: Set<String>) throws(ScenarioError) {
            try ScenarioReader.allow(object, members.union(["event"]), at: path)
        }
        switch kind {
        case "testConnection":
            try only([])
            self = .testConnection
        case "startProvisioning":
            try only([])
            self = .startProvisioning
        case "cycle":
            try only([])
            self = .cycle
        case "restart":
            try only(["resetScope"])
            let scope = try ScenarioReader.optionalString(object, "resetScope", at: path)
            guard scope == nil || scope == "full" else {
                throw ScenarioError(
                    path: path.appending(key: "resetScope"),
                    message: "resetScope '\(scope ?? "")' is not supported; use \"full\" or leave it out")
            }
            self = .restart(breakLinks: scope == "full")
        case "provisionOnDemand":
            try only(["user"])
            self = .provisionOnDemand(user: try user())
        case "assign", "unassign", "changeRole":
            try only(["user", "group", "role"])
            let principal = try Scenario.Principal(object, at: path)
            let role = try ScenarioReader.optionalString(object, "role", at: path)
            switch kind {
            case "assign": self = .assign(principal, role: role)
            case "unassign": self = .unassign(principal, role: role)
            default: self = .changeRole(principal, role: role)
            }
        case "update":
            try only(["user", "changes"])
            self = .update(user: try user(), changes: try Self.changes(object, at: path))
        case "renameGroup":
            try only(["group", "displayName"])
            self = .renameGroup(
                group: try group(), displayName: try ScenarioReader.string(object, "displayName", at: path))
        case "disableAccount", "enableAccount":
            try only(["user"])
            self = .setAccountEnabled(user: try user(), enabled: kind == "enableAccount")
        case "softDelete":
            try only(["user"])
            self = .softDelete(user: try user())
        case "restore":
            try only(["user"])
            self = .restore(user: try user())
        case "hardDelete":
            try only(["user"])
            self = .hardDelete(user: try user())
        case "addMember":
            try only(["group", "user"])
            self = .addMember(group: try group(), user: try user())
        case "removeMember":
            try only(["group", "user"])
            self = .removeMember(group: try group(), user: try user())
        case "deleteGroup":
            try only(["group"])
            self = .deleteGroup(group: try group())
        case "probe":
            try only(["user", "group"])
            self = .probe(try Scenario.Principal(object, at: path))
        default:
            throw ScenarioError(
                path: path.appending(key: "event"),
                message: "unknown event '\(kind)'; expected one of \(Self.names.joined(separator: ", "))")
        }
    }

    private static func changes(_ object: JSONObject, at path: JSONPath) throws(ScenarioError) -> [String: String?] {
        let changesPath = path.appending(key: "changes")
        guard let changesValue = object["changes"] else {
            throw ScenarioError(path: changesPath, message: "the member 'changes' is missing")
        }
        var changes: [String: String?] = [:]
        for (key, change) in try ScenarioReader.object(changesValue, at: changesPath) {
            guard changeableAttributes.contains(key) else {
                throw ScenarioError(
                    path: changesPath.appending(key: key),
                    message:
                        "'\(key)' cannot change; expected one of \(changeableAttributes.sorted().joined(separator: ", "))"
                )
            }
            if change.isNull, key != "userPrincipalName" {
                changes[key] = .some(nil)
            } else if let text = change.stringValue {
                changes[key] = text
            } else {
                throw ScenarioError(
                    path: changesPath.appending(key: key),
                    message: key == "userPrincipalName" ? "expected a string" : "expected a string, or null to clear it"
                )
            }
        }
        guard !changes.isEmpty else {
            throw ScenarioError(path: changesPath, message: "the update changes nothing")
        }
        return changes
    }
}

extension Scenario.Principal {
    /// Reads the event's `user` or `group` member; exactly one must be present.
    init(_ object: JSONObject, at path: JSONPath) throws(ScenarioError) {
        switch (
            try ScenarioReader.optionalString(object, "user", at: path),
            try ScenarioReader.optionalString(object, "group", at: path)
        ) {
        case (let user?, nil): self = .user(user)
        case (nil, let group?): self = .group(group)
        default: throw ScenarioError(path: path, message: "the event needs exactly one of 'user' and 'group'")
        }
    }
}
