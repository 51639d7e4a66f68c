import Foundation

/// A set of strings that finds which of them occur inside a text in time that grows with the
/// text, not with the number of strings. A replay learns one id per created resource, so trying
/// each learned id against each later string would take time quadratic in the transcript's length.
///
/// A position of the text is tried only when its first 8 bytes start some string of 8 bytes or
/// more. Such strings are then looked up by a hash of the text's bytes for each of their lengths,
/// because many of them share a prefix (every `meta.location` starts with the same origin).
/// Shorter strings are packed with their length into one integer, and each position is looked up
/// once for each length that occurs.
struct SubstringIndex {
    /// The first 8 bytes of each long string.
    private var prefixes = Set<UInt64>()
    /// The long strings by the hash of their bytes.
    private var long: [UInt64: [[UInt8]]] = [:]
    /// The lengths of the long strings, longest first.
    private var longLengths: [Int] = []
    private var short = Set<UInt64>()
    /// The lengths of the short strings, longest first.
    private var shortLengths: [Int] = []

    var isEmpty: Bool {
        prefixes.isEmpty && short.isEmpty
    }

    mutating func insert(_ key: String) {
        let bytes = Array(key.utf8)
        guard !bytes.isEmpty else {
            return
        }
        bytes.withUnsafeBufferPointer { buffer in
            if buffer.count >= 8 {
                let hash = SubstringIndex.hash(buffer, at: 0, length: buffer.count)
                guard long[hash]?.contains(bytes) != true else {
                    return
                }
                long[hash, default: []].append(bytes)
                prefixes.insert(SubstringIndex.prefix(buffer, at: 0))
                SubstringIndex.add(buffer.count, to: &longLengths)
            } else {
                short.insert(SubstringIndex.packed(buffer, at: 0, length: buffer.count))
                SubstringIndex.add(buffer.count, to: &shortLengths)
            }
        }
    }

    /// Calls `body` with the byte count of each string in the index that starts at `offset`,
    /// longest first, until `body` returns false.
    func forEachMatch(in text: UnsafeBufferPointer<UInt8>, at offset: Int, _ body: (Int) -> Bool) {
        let remaining = text.count - offset
        if remaining >= 8 && prefixes.contains(SubstringIndex.prefix(text, at: offset)) {
            for length in longLengths where length <= remaining {
                let candidates = long[SubstringIndex.hash(text, at: offset, length: length)] ?? []
                let found = candidates.contains { key in
                    key.count == length
                        && key.withUnsafeBufferPointer { keyBytes in
                            memcmp(keyBytes.baseAddress!, text.baseAddress! + offset, length) == 0
                        }
                }
                if found && !body(length) {
                    return
                }
            }
        }
        for length in shortLengths where length <= remaining {
            if short.contains(SubstringIndex.packed(text, at: offset, length: length)) && !body(length) {
                return
            }
        }
    }

    /// Returns the byte count of the longest string in the index that starts at `offset`, or `nil`.
    func longestMatch(in text: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int? {
        var longest: Int?
        forEachMatch(in: text, at: offset) { length in
            longest = length
            return false
        }
        return longest
    }

    /// Returns every string in the index that occurs in `text`, in the order of their positions.
    func matches(in text: String) -> [String] {
        guard !isEmpty else {
            return []
        }
        var text = text
        return text.withUTF8 { bytes in
            var found: [String] = []
            for offset in 0..<bytes.count {
                forEachMatch(in: bytes, at: offset) { length in
                    found.append(String(decoding: bytes[offset..<offset + length], as: UTF8.self))
                    return true
                }
            }
            return found
        }
    }

    private static func add(_ length: Int, to lengths: inout [Int]) {
        if !lengths.contains(length) {
            lengths.append(length)
            lengths.sort(by: >)
        }
    }

    /// FNV-1a over the bytes and their count.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, length: Int) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(length)
        for index in offset..<offset + length {
            value = (value ^ UInt64(bytes[index])) &* 0x0000_0100_0000_01b3
        }
        return value
    }

    private static func prefix(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// Packs up to 7 bytes and their count into one integer: the bytes in the low 56 bits, the
    /// count in the top 8.
    private static func packed(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, length: Int) -> UInt64 {
        var value = UInt64(length) << 56
        for index in 0..<length {
            value |= UInt64(bytes[offset + index]) << (8 * UInt64(index))
        }
        return value
    }
}
