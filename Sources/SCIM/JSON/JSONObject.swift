/// A JSON object that keeps its keys in insertion order.
///
/// Lookups by exact key are dictionary-fast. SCIM attribute names are case-insensitive
/// (RFC 7643 section 2.1), so `key(matching:)` finds a key regardless of case.
public struct JSONObject: Sendable, Hashable, Sequence {
    public private(set) var keys: [String]
    private var storage: [String: JSONValue]

    public init() {
        self.keys = []
        self.storage = [:]
    }

    /// Creates an object from pairs; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        for (key, value) in pairs {
            self[key] = value
        }
    }

    public var count: Int {
        keys.count
    }

    public var isEmpty: Bool {
        keys.isEmpty
    }

    public subscript(key: String) -> JSONValue? {
        get {
            storage[key]
        }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil {
                    keys.append(key)
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let removed = storage.removeValue(forKey: key) else {
            return nil
        }
        keys.removeAll { $0 == key }
        return removed
    }

    /// Returns the stored key equal to `name` ignoring case, preferring an exact match.
    public func key(matching name: String) -> String? {
        if storage[name] != nil {
            return name
        }
        return keys.first { $0.equalsIgnoringCase(name) }
    }

    /// Looks up a value by key ignoring case, as SCIM attribute names require.
    public func value(matching name: String) -> JSONValue? {
        key(matching: name).flatMap { storage[$0] }
    }

    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var index = 0
        return AnyIterator {
            guard index < keys.count else {
                return nil
            }
            let key = keys[index]
            index += 1
            return (key, storage[key]!)
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.storage == rhs.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage)
    }
}

extension String {
    /// Returns whether two strings are equal ignoring case, the comparison SCIM uses for attribute
    /// names and for values of attributes with `caseExact: false`.
    public func equalsIgnoringCase(_ other: String) -> Bool {
        if self == other {
            return true
        }
        return self.lowercased() == other.lowercased()
    }
}
