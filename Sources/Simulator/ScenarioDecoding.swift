import Foundation
import SCIM

/// A scenario that cannot be read, with the JSON path of the fault.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public var file: String?
    public let path: JSONPath
    public let message: String

    public var description: String {
        (file.map { "\($0): " } ?? "") + "error: " + (path.components.isEmpty ? "" : "\(path): ") + message
    }
}

extension Scenario {
    /// The `format` member that marks a JSON file as a scenario.
    public static let formatName = "scimtape.scenario"

    /// Reads a scenario file.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ScenarioError(file: path, path: .root, message: "cannot read the file: \(error.localizedDescription)")
        }
        do {
            return try Scenario(json: try JSONValue.parse(bytes: bytes))
        } catch let error as JSONParseError {
            throw ScenarioError(file: path, path: error.path, message: error.description)
        } catch var error as ScenarioError {
            error.file = path
            throw error
        } catch {
            throw ScenarioError(file: path, path: .root, message: "\(error)")
        }
    }

    public init(json: JSONValue) throws(ScenarioError) {
        let root = try ScenarioReader.object(json, at: .root)
        if root["format"]?.stringValue == "scimtape.transcript" {
            throw ScenarioError(
                path: JSONPath.root.appending(key: "format"),
                message: "this file is a transcript, not a scenario; pass it to 'scimtape verify' instead")
        }
        try ScenarioReader.allow(
            root,
            [
                "format", "version", "name", "description", "seed", "tenant", "appRoles", "front", "directory",
                "timeline",
            ], at: .root)
        if let format = root["format"], format.stringValue != Scenario.formatName {
            throw ScenarioError(
                path: JSONPath.root.appending(key: "format"),
                message: "format is \(format.serialized()); a scenario has \"\(Scenario.formatName)\"")
        }
        if let version = root["version"], version.intValue != 1 {
            throw ScenarioError(
                path: JSONPath.root.appending(key: "version"),
                message: "version \(version.serialized()) is not supported; expected 1")
        }
        name = try ScenarioReader.string(root, "name", at: .root)
        description = try ScenarioReader.string(root, "description", at: .root)
        seed = UInt64(try ScenarioReader.optionalInteger(root, "seed", at: .root) ?? 1)
        tenant = try ScenarioReader.tenant(root["tenant"], at: JSONPath.root.appending(key: "tenant"))

        appRoles = []
        let rolesPath = JSONPath.root.appending(key: "appRoles")
        for (index, item) in try ScenarioReader.array(root, "appRoles", at: .root).enumerated() {
            let path = rolesPath.appending(index: index)
            let object = try ScenarioReader.object(item, at: path)
            try ScenarioReader.allow(object, ["value", "displayName"], at: path)
            appRoles.append(
                AppRole(
                    value: try ScenarioReader.string(object, "value", at: path),
                    displayName: try ScenarioReader.string(object, "displayName", at: path)))
        }

        front = FrontState()
        if let frontValue = root["front"] {
            let frontPath = JSONPath.root.appending(key: "front")
            let object = try ScenarioReader.object(frontValue, at: frontPath)
            try ScenarioReader.allow(object, ["deletedTeammates", "existingTeammates"], at: frontPath)
            for (index, item) in try ScenarioReader.array(object, "deletedTeammates", at: frontPath).enumerated() {
                guard let email = item.stringValue, email.contains("@") else {
                    throw ScenarioError(
                        path: frontPath.appending(key: "deletedTeammates").appending(index: index),
                        message: "expected an email address")
                }
                front.deletedTeammates.append(email)
            }
            for (index, item) in try ScenarioReader.array(object, "existingTeammates", at: frontPath).enumerated() {
                let path = frontPath.appending(key: "existingTeammates").appending(index: index)
                var user = try ScenarioReader.object(item, at: path)
                guard user["userName"]?.stringValue != nil else {
                    throw ScenarioError(
                        path: path.appending(key: "userName"), message: "the member 'userName' is missing")
                }
                var blocked = false
                if let value = user.removeValue(forKey: "blocked") {
                    guard let flag = value.boolValue else {
                        throw ScenarioError(
                            path: path.appending(key: "blocked"),
                            message: "expected true or false, found \(value.serialized())")
                    }
                    blocked = flag
                }
                front.existingTeammates.append((user, blocked))
            }
        }

        users = []
        let directoryPath = JSONPath.root.appending(key: "directory")
        if let directoryValue = root["directory"] {
            let directory = try ScenarioReader.object(directoryValue, at: directoryPath)
            try ScenarioReader.allow(directory, ["users"], at: directoryPath)
            for (index, item) in try ScenarioReader.array(directory, "users", at: directoryPath).enumerated() {
                users.append(
                    try ScenarioReader.user(item, at: directoryPath.appending(key: "users").appending(index: index)))
            }
        }
        let keys = Set(users.map(\.key))
        guard keys.count == users.count else {
            throw ScenarioError(path: directoryPath.appending(key: "users"), message: "two users have the same key")
        }

        timeline = []
        let timelinePath = JSONPath.root.appending(key: "timeline")
        for (index, item) in try ScenarioReader.array(root, "timeline", at: .root).enumerated() {
            let event = try ScenarioReader.event(item, at: timelinePath.appending(index: index))
            if let key = event.userKey, !keys.contains(key) {
                throw ScenarioError(
                    path: timelinePath.appending(index: index).appending(key: "user"),
                    message: "no directory user has the key '\(key)'")
            }
            if let role = event.role, !appRoles.contains(where: { $0.value == role }) {
                throw ScenarioError(
                    path: timelinePath.appending(index: index).appending(key: "role"),
                    message: "no app role has the value '\(role)'")
            }
            timeline.append(event)
        }
        guard !timeline.isEmpty else {
            throw ScenarioError(path: timelinePath, message: "the timeline is empty, so the scenario sends nothing")
        }
    }
}

extension Scenario.Event {
    var userKey: String? {
        switch self {
        case .testConnection: nil
        case .assign(let user, _), .update(let user, _), .unassign(let user), .softDelete(let user),
            .restore(let user), .hardDelete(let user), .changeRole(let user, _), .probe(let user):
            user
        }
    }

    var role: String? {
        switch self {
        case .assign(_, let role), .changeRole(_, let role): role
        default: nil
        }
    }
}

private enum ScenarioReader {
    static func object(_ value: JSONValue, at path: JSONPath) throws(ScenarioError) -> JSONObject {
        guard let object = value.objectValue else {
            throw ScenarioError(path: path, message: "expected an object, found \(value.typeName)")
        }
        return object
    }

    static func allow(_ object: JSONObject, _ allowed: Set<String>, at path: JSONPath) throws(ScenarioError) {
        for key in object.keys where !allowed.contains(key) {
            throw ScenarioError(
                path: path.appending(key: key),
                message: "unknown member '\(key)'; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    static func string(_ object: JSONObject, _ key: String, at path: JSONPath) throws(ScenarioError) -> String {
        guard let value = object[key] else {
            throw ScenarioError(path: path.appending(key: key), message: "the member '\(key)' is missing")
        }
        guard let string = value.stringValue else {
            throw ScenarioError(path: path.appending(key: key), message: "expected a string, found \(value.typeName)")
        }
        return string
    }

    static func optionalString(_ object: JSONObject, _ key: String, at path: JSONPath) throws(ScenarioError) -> String?
    {
        guard object[key] != nil else {
            return nil
        }
        return try string(object, key, at: path)
    }

    static func optionalBool(_ object: JSONObject, _ key: String, at path: JSONPath) throws(ScenarioError) -> Bool? {
        guard let value = object[key] else {
            return nil
        }
        guard let flag = value.boolValue else {
            throw ScenarioError(
                path: path.appending(key: key), message: "expected true or false, found \(value.serialized())")
        }
        return flag
    }

    static func optionalInteger(_ object: JSONObject, _ key: String, at path: JSONPath) throws(ScenarioError) -> Int? {
        guard let value = object[key] else {
            return nil
        }
        guard let integer = value.intValue, integer >= 0 else {
            throw ScenarioError(path: path.appending(key: key), message: "expected a non-negative integer")
        }
        return integer
    }

    static func array(_ object: JSONObject, _ key: String, at path: JSONPath) throws(ScenarioError) -> [JSONValue] {
        guard let value = object[key] else {
            return []
        }
        guard let array = value.arrayValue else {
            throw ScenarioError(path: path.appending(key: key), message: "expected an array, found \(value.typeName)")
        }
        return array
    }

    static func tenant(_ value: JSONValue?, at path: JSONPath) throws(ScenarioError) -> Tenant {
        guard let value else {
            return Tenant()
        }
        let object = try self.object(value, at: path)
        try allow(object, ["aadOptscim062020", "mapping", "adjustments", "templateMapping", "deleteAction"], at: path)
        var tenant = Tenant()
        tenant.aadOptscim062020 = try optionalBool(object, "aadOptscim062020", at: path) ?? true
        tenant.deleteAction = try optionalBool(object, "deleteAction", at: path) ?? true
        if let preset = try optionalString(object, "mapping", at: path), preset != "front" {
            throw ScenarioError(
                path: path.appending(key: "mapping"), message: "unknown mapping preset '\(preset)'; expected front")
        }
        if let adjustmentsValue = object["adjustments"] {
            let adjustmentsPath = path.appending(key: "adjustments")
            let adjustments = try self.object(adjustmentsValue, at: adjustmentsPath)
            try allow(
                adjustments, ["toLowerActive", "workEmailFromUserPrincipalName", "mailNicknameOnCreateOnly"],
                at: adjustmentsPath)
            tenant.mapping.toLowerActive = try optionalBool(adjustments, "toLowerActive", at: adjustmentsPath) ?? true
            tenant.mapping.workEmailFromUserPrincipalName =
                try optionalBool(adjustments, "workEmailFromUserPrincipalName", at: adjustmentsPath) ?? true
            tenant.mapping.mailNicknameOnCreateOnly =
                try optionalBool(adjustments, "mailNicknameOnCreateOnly", at: adjustmentsPath) ?? true
        }
        if let text = try optionalString(object, "templateMapping", at: path) {
            guard let template = AttributeMapping.TemplateMapping(rawValue: text) else {
                throw ScenarioError(
                    path: path.appending(key: "templateMapping"),
                    message: "templateMapping '\(text)' is not one of none, creationOnly, always")
            }
            tenant.mapping.template = template
        }
        return tenant
    }

    static func user(_ value: JSONValue, at path: JSONPath) throws(ScenarioError) -> Scenario.DirectoryUser {
        let object = try self.object(value, at: path)
        try allow(
            object,
            [
                "key", "userPrincipalName", "mail", "mailNickname", "givenName", "surname", "displayName", "jobTitle",
                "department", "employeeId", "objectId",
            ], at: path)
        let userPrincipalName = try string(object, "userPrincipalName", at: path)
        guard userPrincipalName.contains("@") else {
            throw ScenarioError(path: path.appending(key: "userPrincipalName"), message: "expected user@domain")
        }
        return Scenario.DirectoryUser(
            key: try string(object, "key", at: path),
            userPrincipalName: userPrincipalName,
            mail: try optionalString(object, "mail", at: path),
            mailNickname: try optionalString(object, "mailNickname", at: path)
                ?? String(userPrincipalName.prefix { $0 != "@" }),
            givenName: try optionalString(object, "givenName", at: path),
            surname: try optionalString(object, "surname", at: path),
            displayName: try optionalString(object, "displayName", at: path),
            jobTitle: try optionalString(object, "jobTitle", at: path),
            department: try optionalString(object, "department", at: path),
            employeeId: try optionalString(object, "employeeId", at: path),
            objectId: try string(object, "objectId", at: path))
    }

    static func event(_ value: JSONValue, at path: JSONPath) throws(ScenarioError) -> Scenario.Event {
        let object = try self.object(value, at: path)
        let kind = try string(object, "event", at: path)
        switch kind {
        case "testConnection":
            try allow(object, ["event"], at: path)
            return .testConnection
        case "assign":
            try allow(object, ["event", "user", "role"], at: path)
            return .assign(
                user: try string(object, "user", at: path), role: try optionalString(object, "role", at: path))
        case "changeRole":
            try allow(object, ["event", "user", "role"], at: path)
            return .changeRole(
                user: try string(object, "user", at: path), role: try optionalString(object, "role", at: path))
        case "update":
            try allow(object, ["event", "user", "changes"], at: path)
            let changesPath = path.appending(key: "changes")
            guard let changesValue = object["changes"] else {
                throw ScenarioError(path: changesPath, message: "the member 'changes' is missing")
            }
            var changes: [String: String] = [:]
            let allowed: Set<String> = [
                "userPrincipalName", "mail", "givenName", "surname", "displayName", "jobTitle", "department",
                "employeeId",
            ]
            for (key, change) in try self.object(changesValue, at: changesPath) {
                guard allowed.contains(key) else {
                    throw ScenarioError(
                        path: changesPath.appending(key: key),
                        message: "'\(key)' cannot change; expected one of \(allowed.sorted().joined(separator: ", "))")
                }
                guard let text = change.stringValue else {
                    throw ScenarioError(path: changesPath.appending(key: key), message: "expected a string")
                }
                changes[key] = text
            }
            return .update(user: try string(object, "user", at: path), changes: changes)
        case "unassign", "softDelete", "restore", "hardDelete", "probe":
            try allow(object, ["event", "user"], at: path)
            let user = try string(object, "user", at: path)
            switch kind {
            case "unassign": return .unassign(user: user)
            case "softDelete": return .softDelete(user: user)
            case "restore": return .restore(user: user)
            case "hardDelete": return .hardDelete(user: user)
            default: return .probe(user: user)
            }
        default:
            throw ScenarioError(
                path: path.appending(key: "event"),
                message:
                    "unknown event '\(kind)'; expected testConnection, assign, update, unassign, softDelete, restore, "
                    + "hardDelete, changeRole or probe")
        }
    }
}
