/// Escaping for text that comes from a transcript or an endpoint (paths, descriptions, header
/// values, error details) before it is printed to a terminal or written into Markdown.
public enum DisplayText {
    /// Returns `text` on one line, with every control character (C0 including line feed,
    /// carriage return and tab, DEL and C1) shown as `\u{XX}`. Such text cannot start a new
    /// output line, such as a `::error::` workflow command in a CI log, or send a terminal
    /// escape sequence.
    public static func line(_ text: String) -> String {
        escapingControlCharacters(text, keeping: { _ in false })
    }

    /// Returns `text` with every control character but line feed and tab shown as `\u{XX}`, for
    /// text whose lines the caller prints as they are, such as a body.
    public static func multiline(_ text: String) -> String {
        escapingControlCharacters(text, keeping: { $0 == "\n" || $0 == "\t" })
    }

    public static func isControlCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func escapingControlCharacters(_ text: String, keeping: (Unicode.Scalar) -> Bool) -> String {
        guard text.unicodeScalars.contains(where: { isControlCharacter($0) && !keeping($0) }) else {
            return text
        }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControlCharacter(scalar) && !keeping(scalar) {
                result.append(contentsOf: escaped(scalar).unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
    }

    /// Returns `text` as inert Markdown text on one line, which renders as the text itself and
    /// never as a new block, a code span or HTML. Line breaks and tabs become spaces, and other
    /// control characters become `\u{XX}`. `<`, `>` and `&` become entities. Backslashes,
    /// backticks and a leading character that could start a heading, list, thematic break or
    /// fence are escaped with a backslash.
    public static func markdown(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\r", "\t": result += " "
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\\": result += "\\\\"
            case "`": result += "\\`"
            default:
                if isControlCharacter(scalar) {
                    result += escaped(scalar)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        // Four leading spaces would start an indented code block.
        let trimmed = result.drop { $0 == " " }
        if let first = trimmed.first, "#-+*=~_".contains(first) {
            return "\\" + String(trimmed)
        }
        return String(trimmed)
    }

    /// Returns `text` as a Markdown code span on one line: control characters are shown as
    /// `\u{XX}`, and the span's backtick fence is longer than any run of backticks in the text.
    public static func markdownCode(_ text: String) -> String {
        let shown = line(text)
        let ticks = String(repeating: "`", count: longestBacktickRun(shown) + 1)
        let padding = shown.hasPrefix("`") || shown.hasSuffix("`") ? " " : ""
        return ticks + padding + shown + padding + ticks
    }

    /// Returns a fenced code block whose fence is longer than any run of backticks in the text,
    /// so no line of the text can close it.
    public static func markdownFence(_ text: String, language: String) -> [String] {
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(text) + 1))
        return [fence + language, text, fence]
    }

    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0
        var current = 0
        for character in text {
            current = character == "`" ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }
}
