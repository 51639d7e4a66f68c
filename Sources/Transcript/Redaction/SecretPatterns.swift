import Foundation

/// Recognises credentials by their shape: bearer tokens, JWTs (RFC 7519 compact form), and long
/// random-looking header values.
enum SecretPatterns {
    /// A token shorter than this is never reported as a random-looking header value.
    static let minimumRandomLength = 24
    /// Shannon entropy in bits per character above which a token counts as random. Random hex
    /// reaches about 3.7 at 24 characters and random base64 about 4.5; English words and
    /// identifiers stay below 3.5.
    static let minimumRandomEntropy = 3.5

    /// Headers whose values are identifiers, dates, versions or policies, never credentials.
    static let exemptHeaders: Set<String> = [
        "etag", "if-match", "if-none-match", "date", "last-modified", "expires", "location", "content-location",
        "content-type", "content-length", "content-encoding", "accept", "accept-encoding", "accept-language",
        "user-agent", "server", "via", "host", "traceparent", "tracestate", "cf-ray", "content-security-policy",
        "strict-transport-security", "report-to", "nel", "alt-svc", "server-timing", "vary", "cache-control",
    ]

    /// Returns whether a header's values are exempt from the random-value check: the names in
    /// `exemptHeaders` and names of request and trace identifiers (`x-request-id`, `x-b3-traceid`).
    static func isExempt(headerName: String) -> Bool {
        let lowered = headerName.lowercased()
        return exemptHeaders.contains(lowered) || lowered.hasSuffix("-id") || lowered.hasSuffix("-ids")
            || lowered.containsBytes(of: "trace") || lowered.containsBytes(of: "correlation")
            || lowered.containsBytes(of: "request-id")
    }

    /// Returns the ranges of bearer tokens and JWTs inside `text`. The search runs over UTF-8
    /// bytes, because the recorder runs it on every string of every exchange.
    static func credentialRanges(in text: String) -> [(range: Range<String.Index>, kind: SecretFinding.Kind)] {
        guard text.utf8.count >= 8 else {
            return []
        }
        var contiguous = text
        let found = contiguous.withUTF8 { credentialOffsets(in: $0) }
        guard !found.isEmpty else {
            return []
        }
        let utf8 = text.utf8
        return found.sorted { $0.0.lowerBound < $1.0.lowerBound }.map { range, kind in
            let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            let upper = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
            return (lower..<upper, kind)
        }
    }

    /// Returns the byte ranges of bearer tokens and JWTs in UTF-8 text, read in place.
    private static func credentialOffsets(in bytes: UnsafeBufferPointer<UInt8>) -> [(Range<Int>, SecretFinding.Kind)] {
        var found: [(Range<Int>, SecretFinding.Kind)] = []
        guard let base = bytes.baseAddress else {
            return found
        }
        // Candidates start with "e" (a JWT) or "b" or "B" (a bearer token). memchr finds them
        // many bytes at a time; a loop over every byte cost the proxy about 3% of its
        // instructions per request.
        func next(_ byte: UInt8, from start: Int) -> Int {
            guard start < bytes.count, let hit = memchr(base + start, Int32(byte), bytes.count - start) else {
                return bytes.count
            }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        var index = next(UInt8(ascii: "e"), from: 0)
        while index + 3 <= bytes.count {
            // A JWT header is JSON starting with "{", which base64url writes as "eyJ" when a quote
            // follows it, "eyA" for a space, and "ewo", "ewk" or "ew0" for a line feed, tab or
            // carriage return.
            guard startsJWT(bytes[index + 1], bytes[index + 2]) else {
                index = next(UInt8(ascii: "e"), from: index + 1)
                continue
            }
            var end = index
            var dots = 0
            while end < bytes.count, isTokenByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") {
                if bytes[end] == UInt8(ascii: ".") {
                    dots += 1
                }
                end += 1
            }
            guard dots >= 2 else {
                index = next(UInt8(ascii: "e"), from: max(end, index + 1))
                continue
            }
            let candidate = String(decoding: bytes[index..<end], as: UTF8.self)
            if let kind = jsonWebTokenKind(Substring(candidate)) {
                found.append((index..<end, kind))
            }
            index = next(UInt8(ascii: "e"), from: max(end, index + 1))
        }
        let bearer = bearerPrefix
        var lower = next(UInt8(ascii: "b"), from: 0)
        var upper = next(UInt8(ascii: "B"), from: 0)
        index = min(lower, upper)
        while index + bearer.count <= bytes.count {
            guard matchesIgnoringCase(bytes, at: index, bearer) else {
                if index == lower {
                    lower = next(UInt8(ascii: "b"), from: index + 1)
                } else {
                    upper = next(UInt8(ascii: "B"), from: index + 1)
                }
                index = min(lower, upper)
                continue
            }
            var tokenStart = index + bearer.count
            while tokenStart < bytes.count, bytes[tokenStart] == 0x20 || bytes[tokenStart] == 0x09 {
                tokenStart += 1
            }
            var tokenEnd = tokenStart
            while tokenEnd < bytes.count, isTokenByte(bytes[tokenEnd]) || bytes[tokenEnd] == UInt8(ascii: ".") {
                tokenEnd += 1
            }
            while tokenEnd < bytes.count, bytes[tokenEnd] == UInt8(ascii: "=") {
                tokenEnd += 1
            }
            let overlapsJWT = found.contains { $0.0.overlaps(tokenStart..<tokenEnd) }
            if tokenEnd - tokenStart >= 8 && !overlapsJWT {
                found.append((tokenStart..<tokenEnd, .bearerToken))
            }
            let resume = max(tokenEnd, index + 1)
            lower = next(UInt8(ascii: "b"), from: resume)
            upper = next(UInt8(ascii: "B"), from: resume)
            index = min(lower, upper)
        }
        return found
    }

    private static let bearerPrefix = Array("bearer ".utf8)

    /// Returns whether the two bytes after an "e" start a base64url JWT header.
    private static func startsJWT(_ second: UInt8, _ third: UInt8) -> Bool {
        switch (second, third) {
        case (UInt8(ascii: "y"), UInt8(ascii: "J")), (UInt8(ascii: "y"), UInt8(ascii: "A")),
            (UInt8(ascii: "w"), UInt8(ascii: "o")), (UInt8(ascii: "w"), UInt8(ascii: "k")),
            (UInt8(ascii: "w"), UInt8(ascii: "0")):
            true
        default:
            false
        }
    }

    private static func matchesIgnoringCase(
        _ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, _ lowercase: [UInt8]
    ) -> Bool {
        for (position, expected) in lowercase.enumerated() where bytes[offset + position] | 0x20 != expected {
            return false
        }
        return true
    }

    /// Returns whether a byte belongs to an RFC 6750 bearer token (`b64token`), not counting the trailing `=`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }

    /// Returns the ranges of tokens in a header value that look random.
    static func randomRanges(in value: String) -> [Range<String.Index>] {
        guard value.utf8.count >= minimumRandomLength else {
            return []
        }
        var ranges: [Range<String.Index>] = []
        var index = value.startIndex
        while index < value.endIndex {
            guard isTokenCharacter(value[index]) || value[index] == "=" else {
                index = value.index(after: index)
                continue
            }
            let start = index
            while index < value.endIndex, isTokenCharacter(value[index]) || value[index] == "=" || value[index] == "." {
                index = value.index(after: index)
            }
            if looksRandom(value[start..<index]) {
                ranges.append(start..<index)
            }
        }
        return ranges
    }

    static func looksRandom(_ token: Substring) -> Bool {
        guard token.count >= minimumRandomLength, !isUUID(token) else {
            return false
        }
        guard token.contains(where: \.isLetter), token.contains(where: \.isNumber) else {
            return false
        }
        return entropy(of: token) >= minimumRandomEntropy
    }

    static func entropy(of token: Substring) -> Double {
        var counts: [Character: Int] = [:]
        for character in token {
            counts[character, default: 0] += 1
        }
        let total = Double(token.count)
        return counts.values.reduce(0) { sum, count in
            let probability = Double(count) / total
            return sum - probability * log2(probability)
        }
    }

    static func isUUID(_ token: Substring) -> Bool {
        let groups = token.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// Returns whether a character belongs to an RFC 6750 bearer token, not counting the trailing `=`.
    static func isTokenCharacter(_ character: Character) -> Bool {
        guard character.isASCII else {
            return false
        }
        return character.isLetter || character.isNumber || "-_~+/".contains(character)
    }

    /// Returns the kind of a JWT in compact form: three base64url parts whose first two decode to
    /// JSON objects. A payload whose `iss` claim is `front` counts as a Front API token.
    static func jsonWebTokenKind(_ candidate: Substring) -> SecretFinding.Kind? {
        let parts = candidate.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].count >= 10, parts[1].count >= 2 else {
            return nil
        }
        guard let header = decodeBase64URL(parts[0]), header.first == UInt8(ascii: "{") else {
            return nil
        }
        let payload = decodeBase64URL(parts[1])
        // NOTE: Front does not document the shape of its API tokens. A JWT issued by "front" is
        // named a Front API token; any other JWT is still reported, as a JWT.
        if let payload, let text = String(bytes: payload, encoding: .utf8),
            text.replacingOccurrences(of: " ", with: "").contains("\"iss\":\"front\"")
        {
            return .frontAPIToken
        }
        return .jsonWebToken
    }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 {
            base64 += "="
        }
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }
}
