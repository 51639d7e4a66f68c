/// Splitting and percent-coding of request targets (RFC 3986 section 2.1).
public enum RequestTarget {
    /// Splits `path?query` at the first `?`.
    public static func split(_ target: String) -> (path: String, query: String?) {
        // A byte search, because searching the characters costs several times more on every request.
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else {
            return (target, nil)
        }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// Decodes `name=value&...` pairs; `+` means a space, as HTML forms and Entra's filters use it.
    public static func queryItems(_ query: String) -> [(name: String, value: String)] {
        guard !query.isEmpty else {
            return []
        }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(String(parts[0]), plusIsSpace: true)
            let value = parts.count > 1 ? percentDecode(String(parts[1]), plusIsSpace: true) : ""
            return (name, value)
        }
    }

    /// Decodes `%XX` escapes. Invalid escapes stay as they are; bytes that do not form UTF-8 are
    /// replaced with U+FFFD.
    public static func percentDecode(_ text: String, plusIsSpace: Bool = false) -> String {
        // Byte scans: String.contains(String) goes through Foundation's slower NSString search.
        guard text.utf8.contains(UInt8(ascii: "%")) || (plusIsSpace && text.utf8.contains(UInt8(ascii: "+"))) else {
            return text
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2, let high = hexValue(iterator[iterator.startIndex]),
                let low = hexValue(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else if byte == UInt8(ascii: "+") && plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Encodes a query parameter value: unreserved characters stay, everything else becomes `%XX`.
    public static func encodeQueryValue(_ text: String) -> String {
        percentEncode(text, keeping: unreserved)
    }

    /// Encodes one path segment. `.` and `..` are encoded too, so that a segment can never be read
    /// as a step up the path.
    public static func encodePathSegment(_ text: String) -> String {
        if text == "." || text == ".." {
            return String(repeating: "%2E", count: text.count)
        }
        return percentEncode(text, keeping: unreserved.union(Set("!$&'()*+,;=:@".utf8)))
    }

    /// Encodes a query value the way HTML forms and Entra do: spaces as `+`, everything outside
    /// the unreserved set as `%XX` (`userName+eq+%22alice%40example.com%22`).
    public static func encodeFormValue(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { encodeQueryValue(String($0)) }
            .joined(separator: "+")
    }

    private static let unreserved: Set<UInt8> = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// Returns whether a byte is unreserved (RFC 3986 section 2.3): a letter, a digit or one of `-._~`.
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func percentEncode(_ text: String, keeping allowed: Set<UInt8>) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if allowed.contains(byte) {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }

    /// Returns the value of a hexadecimal digit in either case, or `nil` for any other byte.
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
