import Foundation
import SCIM
import Transcript

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

    /// The latest `startTime` accepted: 9000-01-01T00:00:00Z, in seconds since 1970.
    static let latestStartTime: Double = 221_845_392_000

    /// The first instant of a timeline that gives no `startTime`: 2025-01-06T09:00:00Z.
    public static let defaultStartTime: Double = 1_736_154_000

    static let members: Set<String> = [
        "$schema", "format", "version", "name", "description", "seed", "startTime", "tenant", "appRoles", "front",
        "directory", "timeline",
    ]

    /// Reads a scenario file.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        if let problem = FileCheck.problem(readingRegularFile: path) {
            throw ScenarioError(file: path, path: .root, message: "cannot read the file: \(problem)")
        }
        var bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ScenarioError(file: path, path: .root, message: "cannot read the file: \(error.localizedDescription)")
        }
        // A UTF-8 byte order mark is skipped, as in transcripts and HAR files.
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        if bytes.starts(with: byteOrderMark) {
            bytes.removeFirst(byteOrderMark.count)
        }
        do {
            return try Scenario(json: try JSONValue.parse(bytes: bytes))
        } catch let error as JSONParseError {
            throw ScenarioError(
                file: path, path: error.path,
                message: "invalid JSON at line \(error.line), column \(error.column): \(error.reason)")
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
        try ScenarioReader.allow(root, Scenario.members, at: .root)
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
        startTime = Scenario.defaultStartTime
        if let text = try ScenarioReader.optionalString(root, "startTime", at: .root) {
            guard let parsed = SCIMDateTime.parse(text) else {
                throw ScenarioError(
                    path: JSONPath.root.appending(key: "startTime"),
                    message: "expected an RFC 3339 time such as 2025-01-06T09:00:00Z")
            }
            // NOTE: the margin of about 1000 years is a guess at the longest span a timeline
            // covers; it is not derived from the timeline.
            guard parsed < Scenario.latestStartTime else {
                throw ScenarioError(
                    path: JSONPath.root.appending(key: "startTime"),
                    message:
                        "\(text) is after 9000-01-01T00:00:00Z, so the simulated times could pass year 9999, which RFC 3339 cannot write"
                )
            }
            startTime = parsed
        }
        tenant = try Tenant(json: root["tenant"], at: JSONPath.root.appending(key: "tenant"))
        appRoles = try Scenario.appRoles(root)
        front = try FrontState(json: root["front"], at: JSONPath.root.appending(key: "front"))
        (users, groups) = try Scenario.directory(root["directory"], at: JSONPath.root.appending(key: "directory"))

        timeline = []
        let timelinePath = JSONPath.root.appending(key: "timeline")
        for (index, item) in try ScenarioReader.array(root, "timeline", at: .root).enumerated() {
            timeline.append(try Scenario.Event(json: item, at: timelinePath.appending(index: index)))
        }
        guard !timeline.isEmpty else {
            throw ScenarioError(path: timelinePath, message: "the timeline is empty, so the scenario sends nothing")
        }
        try TimelineValidation(scenario: self).check(at: timelinePath)
    }

    private static func appRoles(_ root: JSONObject) throws(ScenarioError) -> [AppRole] {
        var roles: [AppRole] = []
        let rolesPath = JSONPath.root.appending(key: "appRoles")
        for (index, item) in try ScenarioReader.array(root, "appRoles", at: .root).enumerated() {
            let path = rolesPath.appending(index: index)
            let object = try ScenarioReader.object(item, at: path)
            try ScenarioReader.allow(object, ["value", "displayName"], at: path)
            let role = AppRole(
                value: try ScenarioReader.string(object, "value", at: path),
                displayName: try ScenarioReader.string(object, "displayName", at: path))
            guard !roles.contains(where: { $0.value == role.value }) else {
                throw ScenarioError(
                    path: path.appending(key: "value"), message: "two app roles have the value '\(role.value)'")
            }
            roles.append(role)
        }
        if roles.count == 1 {
            throw ScenarioError(
                path: rolesPath,
                message: "Front's setup needs at least two templates, so declare two app roles or none")
        }
        return roles
    }
}

extension Scenario.FrontState {
    init(json value: JSONValue?, at path: JSONPath) throws(ScenarioError) {
        self.init()
        guard let value else {
            return
        }
        let object = try ScenarioReader.object(value, at: path)
        try ScenarioReader.allow(object, ["deletedTeammates", "existingTeammates", "faults"], at: path)
        for (index, item) in try ScenarioReader.array(object, "deletedTeammates", at: path).enumerated() {
            guard let email = item.stringValue, email.contains("@") else {
                throw ScenarioError(
                    path: path.appending(key: "deletedTeammates").appending(index: index),
                    message: "expected an email address")
            }
            deletedTeammates.append(email)
        }
        for (index, item) in try ScenarioReader.array(object, "existingTeammates", at: path).enumerated() {
            let itemPath = path.appending(key: "existingTeammates").appending(index: index)
            var user = try ScenarioReader.object(item, at: itemPath)
            guard user["userName"]?.stringValue != nil else {
                throw ScenarioError(
                    path: itemPath.appending(key: "userName"), message: "the member 'userName' is missing")
            }
            var blocked = false
            if let flag = user.removeValue(forKey: "blocked") {
                guard let parsed = flag.boolValue else {
                    throw ScenarioError(
                        path: itemPath.appending(key: "blocked"),
                        message: "expected true or false, found \(flag.serialized())")
                }
                blocked = parsed
            }
            existingTeammates.append((user, blocked))
        }
        for (index, item) in try ScenarioReader.array(object, "faults", at: path).enumerated() {
            let itemPath = path.appending(key: "faults").appending(index: index)
            var fault = try ScenarioReader.object(item, at: itemPath)
            guard fault["kind"] == nil else {
                throw ScenarioError(path: itemPath.appending(key: "kind"), message: "a fault has no 'kind' member")
            }
            fault["kind"] = "fault"
            let injected: InjectedFault
            do {
                guard case .fault(let parsed) = try Precondition(json: .object(fault)) else {
                    continue
                }
                injected = parsed
            } catch {
                throw ScenarioError(path: itemPath.appending(error.path), message: error.message)
            }
            try Self.checkReachable(injected, at: itemPath)
            faults.append(injected)
        }
    }

    // NOTE: these two lists are kept by hand from the engine's `send` calls, so a request with a
    // new method or collection must be added here too.
    /// The methods of the requests the simulator sends. A fault's method is compared without case.
    static let sentMethods = ["GET", "POST", "PATCH", "DELETE"]
    /// The first path segments of the requests the simulator sends, compared with case.
    static let sentCollections = ["Users", "Groups"]

    /// Rejects a fault that no request of the simulator can match, because it would never fire.
    private static func checkReachable(_ fault: InjectedFault, at path: JSONPath) throws(ScenarioError) {
        guard fault.method == "*" || sentMethods.contains(fault.method.uppercased()) else {
            throw ScenarioError(
                path: path.appending(key: "method"),
                message:
                    "\(JSONValue.string(fault.method).serialized()) matches no request the simulator sends; use one of \(sentMethods.joined(separator: ", ")), or \"*\""
            )
        }
        let collection = fault.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().first ?? ""
        guard fault.path == "/" || sentCollections.contains(String(collection)) else {
            throw ScenarioError(
                path: path.appending(key: "path"),
                message:
                    "\(JSONValue.string(fault.path).serialized()) matches no request the simulator sends; use \"/\", or a path that starts with /Users or /Groups, with that case"
            )
        }
    }
}
