/// A JSON object that keeps its keys in insertion order.
///
/// Members are stored in one array, the smallest form for the few members SCIM resources have.
/// Objects with more than `indexThreshold` members also keep a position index, so that lookups in
/// large objects, and parsing them, do not become quadratic. SCIM attribute names are case-insensitive
/// (RFC 7643 section 2.1), so `key(matching:)` finds a key regardless of case.
public struct JSONObject: Sendable, Hashable, Sequence {
    private var members: [(key: String, value: JSONValue)]
    /// Positions in `members` by key; nil while the object has `indexThreshold` members or fewer.
    private var positions: [String: Int]?

    static let indexThreshold = 16

    public init() {
        self.members = []
        self.positions = nil
    }

    /// Creates an object from pairs; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            self[key] = value
        }
    }

    /// The keys in insertion order.
    public var keys: [String] {
        members.map(\.key)
    }

    public var count: Int {
        members.count
    }

    public var isEmpty: Bool {
        members.isEmpty
    }

    private func position(of key: String) -> Int? {
        if let positions {
            return positions[key]
        }
        return members.firstIndex { $0.key == key }
    }

    public subscript(key: String) -> JSONValue? {
        get {
            position(of: key).map { members[$0].value }
        }
        set {
            guard let newValue else {
                removeValue(forKey: key)
                return
            }
            if let index = position(of: key) {
                members[index].value = newValue
                return
            }
            members.append((key, newValue))
            if positions != nil {
                positions?[key] = members.count - 1
            } else if members.count > Self.indexThreshold {
                rebuildPositions()
            }
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = position(of: key) else {
            return nil
        }
        let removed = members.remove(at: index).value
        if positions != nil {
            rebuildPositions()
        }
        return removed
    }

    private mutating func rebuildPositions() {
        guard members.count > Self.indexThreshold else {
            positions = nil
            return
        }
        var built = [String: Int](minimumCapacity: members.count)
        for (index, member) in members.enumerated() {
            built[member.key] = index
        }
        positions = built
    }

    /// Returns the stored key equal to `name` ignoring case, preferring an exact match.
    public func key(matching name: String) -> String? {
        if let index = position(of: name) {
            return members[index].key
        }
        return members.first { $0.key.equalsIgnoringCase(name) }?.key
    }

    /// Looks up a value by key ignoring case, as SCIM attribute names require.
    public func value(matching name: String) -> JSONValue? {
        if let index = position(of: name) {
            return members[index].value
        }
        return members.first { $0.key.equalsIgnoringCase(name) }?.value
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    /// Compares members regardless of their order, as JSON object equality is defined.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else {
            return false
        }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else {
                return false
            }
        }
        return true
    }

    /// Hashes members regardless of their order, to agree with `==`.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}

extension String {
    /// Returns whether two strings are equal ignoring case, the comparison SCIM uses for attribute
    /// names and for values of attributes with `caseExact: false`.
    public func equalsIgnoringCase(_ other: String) -> Bool {
        // Most calls compare an attribute name with each name of a schema, so most pairs differ
        // in the first letter. Two ASCII first bytes that differ ignoring case settle it at once.
        if let first = utf8.first, let otherFirst = other.utf8.first, first < 0x80, otherFirst < 0x80,
            first.asciiLowercased != otherFirst.asciiLowercased
        {
            return false
        }
        if self == other {
            return true
        }
        // ASCII bytes are compared in place; the first non-ASCII byte falls back to full Unicode
        // lowercasing, which may change lengths (the Kelvin sign lowercases to an ASCII "k").
        var left = utf8.makeIterator()
        var right = other.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil):
                return true
            case (let leftByte?, let rightByte?):
                if leftByte >= 0x80 || rightByte >= 0x80 {
                    return lowercased() == other.lowercased()
                }
                if leftByte.asciiLowercased != rightByte.asciiLowercased {
                    return false
                }
            default:
                // One string is a longer one's ASCII prefix, and lowercasing the rest of the longer
                // one cannot make it empty.
                return false
            }
        }
    }
}

extension UInt8 {
    /// Whether the byte is an ASCII letter, `ALPHA` in RFC 5234.
    public var isASCIILetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20)
    }

    /// Whether the byte is an ASCII digit, `DIGIT` in RFC 5234.
    public var isASCIIDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }

    /// The byte with an ASCII capital letter turned into its small letter.
    var asciiLowercased: UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) ? self | 0x20 : self
    }
}
