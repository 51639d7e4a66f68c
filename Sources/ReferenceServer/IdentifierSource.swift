import Foundation

/// The source of new resource ids: random UUIDs, or a seeded sequence that gives the same ids for
/// the same requests in the same order, so that fixtures and benchmarks are reproducible.
struct IdentifierSource {
    private var state: UInt64?

    /// Creates a source of random ids when `seed` is nil, else of the seed's fixed sequence.
    init(seed: UInt64?) {
        state = seed
    }

    /// Returns a random lowercase UUID in version 4 form, from the system's random number generator.
    static func randomId() -> String {
        var generator = SystemRandomNumberGenerator()
        return format(high: generator.next(), low: generator.next())
    }

    /// Formats 128 bits as a lowercase version 4 UUID, setting the version and variant bits.
    static func format(high: UInt64, low: UInt64) -> String {
        let high = (high & ~0xF000) | 0x4000
        let low = (low & ~(0xC000 << 48)) | (0x8000 << 48)
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            for index in 0..<32 {
                if index == 8 || index == 12 || index == 16 || index == 20 {
                    buffer[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = index < 16 ? high : low
                let shift = UInt64(60 - 4 * (index % 16))
                buffer[position] = digits[Int((word >> shift) & 0xF)]
                position += 1
            }
            return position
        }
    }

    /// Returns the next id, a lowercase UUID in version 4 form.
    mutating func next() -> String {
        guard state != nil else {
            return Self.randomId()
        }
        let high = nextWord()
        let low = nextWord()
        return Self.format(high: high, low: low)
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
