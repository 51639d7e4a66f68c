import Foundation

extension String {
    /// Returns the string with every occurrence of the UTF-8 bytes of `needle` replaced by
    /// `replacement`, left to right without overlaps. A byte search, like `containsBytes(of:)`:
    /// Foundation's `replacingOccurrences` bridges to NSString and costs several times more.
    public func replacingBytes(of needle: String, with replacement: String) -> String {
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { haystackBytes in
            needle.withUTF8 { needleBytes in
                guard !needleBytes.isEmpty, haystackBytes.count >= needleBytes.count,
                    let haystackStart = haystackBytes.baseAddress, let needleStart = needleBytes.baseAddress
                else {
                    return self
                }
                let first = needleStart.pointee
                var result: [UInt8] = []
                var copied = 0
                var offset = 0
                while offset <= haystackBytes.count - needleBytes.count {
                    if haystackStart[offset] == first
                        && memcmp(haystackStart + offset, needleStart, needleBytes.count) == 0
                    {
                        result.append(contentsOf: UnsafeBufferPointer(rebasing: haystackBytes[copied..<offset]))
                        result.append(contentsOf: replacement.utf8)
                        offset += needleBytes.count
                        copied = offset
                    } else {
                        offset += 1
                    }
                }
                if copied == 0 {
                    return self
                }
                result.append(contentsOf: UnsafeBufferPointer(rebasing: haystackBytes[copied...]))
                return String(decoding: result, as: UTF8.self)
            }
        }
    }

    /// Returns whether the UTF-8 bytes of `other` occur in this string. A byte search: Foundation's
    /// `contains` converts both strings to UTF-16 first, which made it the replay's hottest call.
    public func containsBytes(of other: String) -> Bool {
        var haystack = self
        var needle = other
        return haystack.withUTF8 { haystackBytes in
            needle.withUTF8 { needleBytes in
                guard !needleBytes.isEmpty else {
                    return true
                }
                guard haystackBytes.count >= needleBytes.count, let haystackStart = haystackBytes.baseAddress,
                    let needleStart = needleBytes.baseAddress
                else {
                    return false
                }
                let first = needleStart.pointee
                for offset in 0...(haystackBytes.count - needleBytes.count)
                where haystackStart[offset] == first
                    && memcmp(haystackStart + offset, needleStart, needleBytes.count) == 0
                {
                    return true
                }
                return false
            }
        }
    }
}
