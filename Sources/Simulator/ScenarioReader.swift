import SCIM

/// Typed access to the members of a scenario document; every error names the JSON path.
enum ScenarioReader {
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
        guard string.utf8.count <= maximumStringLength else {
            throw ScenarioError(
                path: path.appending(key: key),
                message: "the string has \(string.utf8.count) bytes; the simulator takes at most \(maximumStringLength)"
            )
        }
        return string
    }

    /// The maximum length of a scenario string, in bytes. Directory values end up in URLs and
    /// filters, and libcurl rejects URLs of several megabytes.
    static let maximumStringLength = 4096

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

    static func optionalInteger(_ object: JSONObject, _ key: String, minimum: Int = 0, at path: JSONPath)
        throws(ScenarioError) -> Int?
    {
        guard let value = object[key] else {
            return nil
        }
        guard let integer = value.intValue, integer >= minimum else {
            throw ScenarioError(
                path: path.appending(key: key), message: "expected an integer of at least \(minimum)")
        }
        return integer
    }

    static func optionalNumber(_ object: JSONObject, _ key: String, in range: ClosedRange<Double>, at path: JSONPath)
        throws(ScenarioError) -> Double?
    {
        guard let value = object[key] else {
            return nil
        }
        guard let number = value.numberValue?.doubleValue, range.contains(number) else {
            throw ScenarioError(
                path: path.appending(key: key),
                message: "expected a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
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

    /// Reads a string member that must be one of an enumeration's raw values.
    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ object: JSONObject, _ key: String, as type: Choice.Type, at path: JSONPath
    ) throws(ScenarioError) -> Choice? where Choice.RawValue == String {
        guard let text = try optionalString(object, key, at: path) else {
            return nil
        }
        guard let choice = Choice(rawValue: text) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw ScenarioError(path: path.appending(key: key), message: "'\(text)' is not one of \(names)")
        }
        return choice
    }
}
