import HTTP

/// A text read with its percent-encoded octets (`%40`, RFC 3986 section 2.1) and its `+` signs
/// decoded, the way `application/x-www-form-urlencoded` bodies and queries encode a space.
/// Personal values are searched in the decoded text, and each replacement is written back
/// encoded the way the value it replaces was.
struct PercentEncodedText {
    /// The spelling of one decoded byte in the source text.
    private enum Spelling {
        case plain
        /// Part of a character spelled with `%XX` escapes. `lowercase` is true when one of its
        /// hexadecimal letters is lowercase (`%c3%bc`).
        case percent(lowercase: Bool)
        /// A space spelled `+`.
        case plus
    }

    private let text: String
    private let source: [UInt8]
    /// The decoded text in UTF-8. An escape that is not part of a UTF-8 character stays as it is.
    private var decodedBytes: [UInt8] = []
    private var spellings: [Spelling] = []
    /// The source offset where each decoded byte's spelling starts, followed by the source's
    /// length. It is `nil` for the second and later bytes of a character spelled with escapes,
    /// because no range of the source spells them alone.
    private var sourceOffsets: [Int?] = []

    init(_ text: String) {
        self.text = text
        source = Array(text.utf8)
        var offset = 0
        while offset < source.count {
            let escaped = escapedBytes(at: offset)
            if !escaped.isEmpty {
                appendDecoding(escaped, at: offset)
                offset += 3 * escaped.count
            } else if source[offset] == UInt8(ascii: "+") {
                append(UInt8(ascii: " "), spelling: .plus, at: offset)
                offset += 1
            } else {
                append(source[offset], spelling: .plain, at: offset)
                offset += 1
            }
        }
        sourceOffsets.append(source.count)
    }

    /// Returns whether `text` contains a `%` or a `+`, the only characters that decode.
    static func mayBeEncoded(_ text: String) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
    }

    /// Replaces originals in the source text, where `plain` are the matches found in the source
    /// text and `find` returns those in the decoded text. Where matches overlap, the one that
    /// spans more of the source wins, so that `dora.fischer%40fabrikam.example` becomes one
    /// pseudonym, not a pseudonym for each of its words.
    func replacing(
        plain: [(range: Range<String.Index>, replacement: String)],
        decoded find: (String) -> [(range: Range<String.Index>, replacement: String)]
    ) -> String {
        let candidates = sourceMatches(plain: plain, decoded: find)
        // The stable order keeps a plain match ahead of a decoded one of the same span.
        let bySpan = candidates.indices.sorted { left, right in
            let leftSpan = candidates[left].end - candidates[left].start
            let rightSpan = candidates[right].end - candidates[right].start
            return leftSpan != rightSpan ? leftSpan > rightSpan : left < right
        }
        var claimed = [Bool](repeating: false, count: source.count)
        var chosen: [(start: Int, end: Int, replacement: String)] = []
        for index in bySpan {
            let candidate = candidates[index]
            guard !claimed[candidate.start..<candidate.end].contains(true) else {
                continue
            }
            claimed.replaceSubrange(
                candidate.start..<candidate.end, with: repeatElement(true, count: candidate.end - candidate.start))
            chosen.append(candidate)
        }
        guard !chosen.isEmpty else {
            return text
        }

        var output: [UInt8] = []
        var copied = 0
        for match in chosen.sorted(by: { $0.start < $1.start }) {
            output += source[copied..<match.start]
            output += match.replacement.utf8
            copied = match.end
        }
        output += source[copied...]
        return String(decoding: output, as: UTF8.self)
    }

    /// Returns the matches of both texts as UTF-8 offsets of the source. A decoded match is
    /// encoded as `encode(_:like:)` describes, and one that starts or ends inside a character
    /// spelled with escapes is dropped.
    private func sourceMatches(
        plain: [(range: Range<String.Index>, replacement: String)],
        decoded find: (String) -> [(range: Range<String.Index>, replacement: String)]
    ) -> [(start: Int, end: Int, replacement: String)] {
        var matches: [(start: Int, end: Int, replacement: String)] = []
        let sourceUTF8 = text.utf8
        for match in plain {
            let start = sourceUTF8.distance(from: sourceUTF8.startIndex, to: match.range.lowerBound)
            let end = sourceUTF8.distance(from: sourceUTF8.startIndex, to: match.range.upperBound)
            matches.append((start, end, match.replacement))
        }

        let decoded = String(decoding: decodedBytes, as: UTF8.self)
        let decodedUTF8 = decoded.utf8
        for match in find(decoded) {
            let lower = decodedUTF8.distance(from: decodedUTF8.startIndex, to: match.range.lowerBound)
            let upper = decodedUTF8.distance(from: decodedUTF8.startIndex, to: match.range.upperBound)
            guard let start = sourceOffsets[lower], let end = sourceOffsets[upper] else {
                continue
            }
            let replacement = PercentEncodedText.encode(match.replacement, like: spellings[lower..<upper])
            matches.append((start, end, replacement))
        }
        return matches
    }

    /// Encodes `replacement` as the replaced text was encoded, when it contains an escape or a
    /// `+`. Bytes outside the unreserved set then become `%XX`, in lowercase hexadecimal when
    /// the replaced escapes use lowercase, and a space becomes `+` when the replaced text spells
    /// a space that way.
    private static func encode(_ replacement: String, like spellings: ArraySlice<Spelling>) -> String {
        var percent = false
        var lowercase = false
        var plus = false
        for spelling in spellings {
            switch spelling {
            case .plain:
                break
            case .percent(let lowercaseLetters):
                percent = true
                lowercase = lowercase || lowercaseLetters
            case .plus:
                plus = true
            }
        }
        guard percent || plus else {
            return replacement
        }
        var result = ""
        for byte in replacement.utf8 {
            if RequestTarget.isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == UInt8(ascii: " ") && plus {
                result += "+"
            } else {
                let hex = String(byte, radix: 16, uppercase: !lowercase)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// Returns the bytes of the consecutive `%XX` escapes that start at `offset`, or none.
    private func escapedBytes(at offset: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var next = offset
        while next + 2 < source.count, source[next] == UInt8(ascii: "%"),
            let high = RequestTarget.hexValue(source[next + 1]), let low = RequestTarget.hexValue(source[next + 2])
        {
            bytes.append(high << 4 | low)
            next += 3
        }
        return bytes
    }

    /// Appends the characters that a run of escaped `bytes` spells, starting at source offset
    /// `start`. An escape that is not part of a valid UTF-8 character is appended as its text.
    private mutating func appendDecoding(_ bytes: [UInt8], at start: Int) {
        var escapeStart = start
        var index = 0
        while index < bytes.count {
            let length = PercentEncodedText.scalarLength(startingWith: bytes[index])
            let end = index + length
            guard length > 0, end <= bytes.count, String(validating: bytes[index..<end], as: UTF8.self) != nil
            else {
                for offset in escapeStart..<escapeStart + 3 {
                    append(source[offset], spelling: .plain, at: offset)
                }
                escapeStart += 3
                index += 1
                continue
            }
            let escapes = source[escapeStart..<escapeStart + 3 * length]
            let lowercase = escapes.contains { (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
            for position in 0..<length {
                decodedBytes.append(bytes[index + position])
                spellings.append(.percent(lowercase: lowercase))
                sourceOffsets.append(position == 0 ? escapeStart : nil)
            }
            escapeStart += 3 * length
            index = end
        }
    }

    private mutating func append(_ byte: UInt8, spelling: Spelling, at offset: Int) {
        decodedBytes.append(byte)
        spellings.append(spelling)
        sourceOffsets.append(offset)
    }

    /// Returns the length of the UTF-8 sequence that `byte` starts, or 0 when no sequence
    /// starts with it.
    private static func scalarLength(startingWith byte: UInt8) -> Int {
        switch byte {
        case 0x00...0x7F: 1
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 0
        }
    }
}

extension PseudonymTable {
    /// Replaces originals as `replacingOccurrences(in:)` does, and also those that `text` spells
    /// with `%XX` escapes or with `+` for a space (`dora.fischer%40fabrikam.example`,
    /// `Dora+Fischer`), as a whole value or as whole words after decoding. Their pseudonyms are
    /// encoded the same way, so that a query or form body still decodes to the pseudonym.
    func replacingOccurrencesDecoding(in text: String) -> String {
        guard PercentEncodedText.mayBeEncoded(text) else {
            return replacingOccurrences(in: text)
        }
        if let whole = pseudonym(for: text) {
            return whole
        }
        return PercentEncodedText(text).replacing(plain: occurrences(in: text)) { decoded in
            if let whole = pseudonym(for: decoded) {
                return [(decoded.startIndex..<decoded.endIndex, whole)]
            }
            return occurrences(in: decoded)
        }
    }
}
