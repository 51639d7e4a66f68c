import Foundation

extension String {
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
