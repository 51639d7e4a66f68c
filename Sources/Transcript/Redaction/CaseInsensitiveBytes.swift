import Foundation

/// Byte searches that ignore ASCII letter case, for finding copies of a credential that an
/// endpoint upper- or lowercased.
///
/// NOTE: only ASCII letters are folded. A credential with non-ASCII letters is found in its own
/// case of those letters only.
public enum CaseInsensitiveBytes {
    /// Returns `byte` with an ASCII uppercase letter changed to lowercase.
    @inline(__always)
    public static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// Returns the range of every copy of each needle in `bytes`, overlapping copies included.
    public static func ranges(of needles: [[UInt8]], in bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for needle in needles {
            needle.withUnsafeBufferPointer { appendRanges(of: $0, in: bytes, to: &ranges) }
        }
        return ranges
    }

    /// Returns `ranges(of:in:)` for the UTF-8 bytes of strings.
    public static func ranges(of needles: [String], in text: String) -> [Range<Int>] {
        var text = text
        return text.withUTF8 { bytes in
            var ranges: [Range<Int>] = []
            for needle in needles {
                var needle = needle
                needle.withUTF8 { appendRanges(of: $0, in: bytes, to: &ranges) }
            }
            return ranges
        }
    }

    private static func appendRanges(
        of needle: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, to ranges: inout [Range<Int>]
    ) {
        guard let needleStart = needle.baseAddress, let start = bytes.baseAddress, needle.count <= bytes.count
        else {
            return
        }
        let last = bytes.count - needle.count
        let lower = lowercased(needleStart[0])
        let upper = lower &- UInt8(ascii: "a") < 26 ? lower & ~0x20 : lower
        // memchr finds each place the first byte occurs many bytes at a time, so a needle that
        // starts with a letter is looked for once per case of that letter.
        for first in lower == upper ? [lower] : [lower, upper] {
            var offset = 0
            while offset <= last, let hit = memchr(start + offset, Int32(first), last - offset + 1) {
                offset = start.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if equal(start + offset, needleStart, count: needle.count) {
                    ranges.append(offset..<(offset + needle.count))
                }
                offset += 1
            }
        }
    }

    /// Returns whether `count` bytes at `left` and `right` are equal once ASCII letters are lowercased.
    @inline(__always)
    static func equal(_ left: UnsafePointer<UInt8>, _ right: UnsafePointer<UInt8>, count: Int) -> Bool {
        if memcmp(left, right, count) == 0 {
            return true
        }
        for index in 0..<count where lowercased(left[index]) != lowercased(right[index]) {
            return false
        }
        return true
    }
}
