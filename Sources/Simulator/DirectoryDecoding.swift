import SCIM

extension Scenario {
    static let userMembers: Set<String> = [
        "key", "objectId", "userPrincipalName", "mail", "mailNickname", "givenName", "surname", "displayName",
        "jobTitle", "department", "employeeId", "manager", "accountEnabled",
    ]

    /// Reads `directory.users` and `directory.groups` and checks that keys are unique and that
    /// managers and members name users of the directory.
    static func directory(_ value: JSONValue?, at path: JSONPath) throws(ScenarioError) -> (
        [DirectoryUser], [DirectoryGroup]
    ) {
        guard let value else {
            return ([], [])
        }
        let directory = try ScenarioReader.object(value, at: path)
        try ScenarioReader.allow(directory, ["users", "groups"], at: path)
        let usersPath = path.appending(key: "users")
        var users: [DirectoryUser] = []
        var keys = Set<String>()
        for (index, item) in try ScenarioReader.array(directory, "users", at: path).enumerated() {
            let user = try DirectoryUser(json: item, at: usersPath.appending(index: index))
            guard keys.insert(user.key).inserted else {
                throw ScenarioError(
                    path: usersPath.appending(index: index).appending(key: "key"),
                    message: "two users have the key '\(user.key)'")
            }
            users.append(user)
        }
        for (index, user) in users.enumerated() {
            if let manager = user.manager, !keys.contains(manager) || manager == user.key {
                throw ScenarioError(
                    path: usersPath.appending(index: index).appending(key: "manager"),
                    message: "the manager must be the key of another user in the directory, not '\(manager)'")
            }
        }

        let groupsPath = path.appending(key: "groups")
        var groups: [DirectoryGroup] = []
        for (index, item) in try ScenarioReader.array(directory, "groups", at: path).enumerated() {
            let itemPath = groupsPath.appending(index: index)
            let object = try ScenarioReader.object(item, at: itemPath)
            try ScenarioReader.allow(object, ["key", "objectId", "displayName", "members"], at: itemPath)
            var members: [String] = []
            for (position, member) in try ScenarioReader.array(object, "members", at: itemPath).enumerated() {
                guard let key = member.stringValue, keys.contains(key), !members.contains(key) else {
                    throw ScenarioError(
                        path: itemPath.appending(key: "members").appending(index: position),
                        message: "expected the key of a directory user that is not listed twice")
                }
                members.append(key)
            }
            let group = DirectoryGroup(
                key: try ScenarioReader.string(object, "key", at: itemPath),
                objectId: try ScenarioReader.string(object, "objectId", at: itemPath),
                displayName: try ScenarioReader.string(object, "displayName", at: itemPath), members: members)
            guard !groups.contains(where: { $0.key == group.key }) else {
                throw ScenarioError(
                    path: itemPath.appending(key: "key"), message: "two groups have the key '\(group.key)'")
            }
            groups.append(group)
        }
        return (users, groups)
    }
}

extension DirectoryUser {
    init(json value: JSONValue, at path: JSONPath) throws(ScenarioError) {
        let object = try ScenarioReader.object(value, at: path)
        try ScenarioReader.allow(object, Scenario.userMembers, at: path)
        let userPrincipalName = try ScenarioReader.string(object, "userPrincipalName", at: path)
        guard userPrincipalName.contains("@") else {
            throw ScenarioError(path: path.appending(key: "userPrincipalName"), message: "expected user@domain")
        }
        self.init(
            key: try ScenarioReader.string(object, "key", at: path),
            objectId: try ScenarioReader.string(object, "objectId", at: path),
            userPrincipalName: userPrincipalName,
            mail: try ScenarioReader.optionalString(object, "mail", at: path),
            mailNickname: try ScenarioReader.optionalString(object, "mailNickname", at: path)
                ?? String(userPrincipalName.prefix { $0 != "@" }),
            givenName: try ScenarioReader.optionalString(object, "givenName", at: path),
            surname: try ScenarioReader.optionalString(object, "surname", at: path),
            displayName: try ScenarioReader.optionalString(object, "displayName", at: path),
            jobTitle: try ScenarioReader.optionalString(object, "jobTitle", at: path),
            department: try ScenarioReader.optionalString(object, "department", at: path),
            employeeId: try ScenarioReader.optionalString(object, "employeeId", at: path),
            manager: try ScenarioReader.optionalString(object, "manager", at: path),
            accountEnabled: try ScenarioReader.optionalBool(object, "accountEnabled", at: path) ?? true)
    }
}
