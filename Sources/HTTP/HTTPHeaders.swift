/// Header fields in the order received, keeping the case of each name and every repeat.
///
/// Lookups ignore case, as field names are case-insensitive (RFC 9110 section 5.1); a recorder
/// must still show what the peer sent, so nothing is normalised on the way in.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByArrayLiteral {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    public init(arrayLiteral elements: (String, String)...) {
        self.fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value of the named field.
    public subscript(name: String) -> String? {
        fields.first { Self.namesMatch($0.name, name) }?.value
    }

    /// Every value of the named field, in order.
    public func values(named name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// Compares field names ignoring ASCII case (RFC 9110 section 5.1) without allocating
    /// lowercased copies.
    public static func namesMatch(_ first: String, _ second: String) -> Bool {
        let firstBytes = first.utf8
        let secondBytes = second.utf8
        guard firstBytes.count == secondBytes.count else {
            return false
        }
        for (left, right) in zip(firstBytes, secondBytes) where left != right {
            guard left | 0x20 == right | 0x20, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(left | 0x20) else {
                return false
            }
        }
        return true
    }

    public func contains(_ name: String) -> Bool {
        self[name] != nil
    }

    /// Appends a space and `text` to the value of the last field, for a folded line.
    mutating func continueLastValue(with text: String) {
        guard !fields.isEmpty else {
            return
        }
        fields[fields.count - 1].value += " " + text
    }

    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field of that name with one field, keeping the position of the first.
    public mutating func replace(name: String, value: String) {
        let lowered = name.lowercased()
        guard let first = fields.firstIndex(where: { $0.name.lowercased() == lowered }) else {
            add(name: name, value: value)
            return
        }
        fields[first].value = value
        var index = fields.count - 1
        while index > first {
            if fields[index].name.lowercased() == lowered {
                fields.remove(at: index)
            }
            index -= 1
        }
    }

    public mutating func remove(name: String) {
        fields.removeAll { $0.name.lowercased() == name.lowercased() }
    }

    public var isEmpty: Bool {
        fields.isEmpty
    }

    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }
}

/// A set of header field names, matched ignoring case (RFC 9110 section 5.1). ASCII names, which
/// all valid names are, are compared in place, because lowercasing a copy of each name cost the
/// recording proxy more than the comparison. Other names are lowercased in full, so a name that
/// lowercases to a listed one (with the Kelvin sign for `k`) still counts.
public struct HeaderNameSet: Sendable, Equatable {
    /// The names, lowercased.
    public let names: Set<String>
    private let bytes: [[UInt8]]

    public init(_ names: some Sequence<String>) {
        self.names = Set(names.map { $0.lowercased() })
        bytes = self.names.sorted().map { Array($0.utf8) }
    }

    /// Returns the listed name that `name` starts with and continues after, ignoring case, or `nil`.
    public func listedPrefix(of name: String) -> String? {
        var name = name
        let (isASCII, match) = name.withUTF8 { candidate in
            guard !candidate.contains(where: { $0 >= 0x80 }) else {
                return (false, nil as [UInt8]?)
            }
            return (true, bytes.first { $0.count < candidate.count && Self.starts(candidate, with: $0) })
        }
        if isASCII {
            return match.map { String(decoding: $0, as: UTF8.self) }
        }
        let lowered = name.lowercased()
        return names.sorted().first { lowered.count > $0.count && lowered.hasPrefix($0) }
    }

    public func contains(_ name: String) -> Bool {
        var name = name
        let (isASCII, found) = name.withUTF8 { candidate in
            guard !candidate.contains(where: { $0 >= 0x80 }) else {
                return (false, false)
            }
            return (true, bytes.contains { $0.count == candidate.count && Self.starts(candidate, with: $0) })
        }
        return isASCII ? found : names.contains(name.lowercased())
    }

    /// Returns whether ASCII `bytes` start with the lowercase `prefix`, ignoring the case of letters.
    private static func starts(_ bytes: UnsafeBufferPointer<UInt8>, with prefix: [UInt8]) -> Bool {
        for (index, expected) in prefix.enumerated() {
            let byte = bytes[index]
            let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            if lowered != expected {
                return false
            }
        }
        return true
    }
}
