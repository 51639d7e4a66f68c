import Foundation

/// The source of new resource ids: random UUIDs, or a seeded sequence that gives the same ids for
/// the same requests in the same order, so that fixtures and benchmarks are reproducible.
struct IdentifierSource {
    private var state: UInt64?

    /// Creates a source of random ids when `seed` is nil, else of the seed's fixed sequence.
    init(seed: UInt64?) {
        state = seed
    }

    /// Returns the next id, a lowercase UUID in version 4 form.
    mutating func next() -> String {
        guard state != nil else {
            return UUID().uuidString.lowercased()
        }
        let high = nextWord()
        let low = nextWord()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(index)))
            bytes[index + 8] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(index)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        return uuid.uuidString.lowercased()
    }

    /// Returns the next 64 bits of SplitMix64, whose output depends only on the seed.
    private mutating func nextWord() -> UInt64 {
        var value = (state ?? 0) &+ 0x9E37_79B9_7F4A_7C15
        state = value
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
