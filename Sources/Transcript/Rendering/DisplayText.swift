/// Escaping for text that comes from a transcript or an endpoint (paths, descriptions, header
/// values, error details) before it is printed to a terminal or written into Markdown.
public enum DisplayText {
    /// Returns `text` on one line, with every control character (C0 including line feed,
    /// carriage return and tab, DEL and C1) and every character of `isInvisible(_:)` shown as
    /// `\u{XX}`. Such text cannot start a new output line, such as a `::error::` workflow command
    /// in a CI log, send a terminal escape sequence, or reorder or hide the text around it.
    public static func line(_ text: String) -> String {
        escapingControlCharacters(text, keeping: { _ in false })
    }

    /// Returns `text` with every control character but line feed and tab, and every character of
    /// `isInvisible(_:)`, shown as `\u{XX}`, for text whose lines the caller prints as they are,
    /// such as a body.
    public static func multiline(_ text: String) -> String {
        escapingControlCharacters(text, keeping: { $0 == "\n" || $0 == "\t" })
    }

    public static func isControlCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Returns whether `scalar` is invisible or changes the direction of the text around it, so
    /// that a reader would not see it or would read the text in another order. These are
    /// U+200B–U+200F (zero-width characters and directional marks), U+061C (Arabic letter mark)
    /// and U+2028–U+2029 (line and paragraph separators). So are U+202A–U+202E (embeddings and
    /// overrides), U+2060–U+2064 (word joiner and invisible operators), U+2066–U+2069 (isolates)
    /// and U+FEFF (byte order mark).
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    /// Returns whether `scalar` is shown as `\u{XX}` by `line(_:)`: a control character or a
    /// character of `isInvisible(_:)`.
    public static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        isControlCharacter(scalar) || isInvisible(scalar)
    }

    private static func escapingControlCharacters(_ text: String, keeping: (Unicode.Scalar) -> Bool) -> String {
        guard text.unicodeScalars.contains(where: { isEscaped($0) && !keeping($0) }) else {
            return text
        }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isEscaped(scalar) && !keeping(scalar) {
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
    /// never as a new block, a code span, a link, an image or HTML. Line breaks and tabs become
    /// spaces, and other control characters and the characters of `isInvisible(_:)` become
    /// `\u{XX}`. `<`, `>` and `&` become entities. Backslashes, backticks, `]` and a
    /// leading character that could start a heading, list, thematic break or fence are escaped
    /// with a backslash.
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
            // A link, an image, a link reference definition and a footnote all need an unescaped
            // `]` to close their label, so escaping `]` alone keeps them from forming.
            case "]": result += "\\]"
            default:
                if isEscaped(scalar) {
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

    /// Returns `text` as a Markdown code span on one line: the characters `line(_:)` escapes are
    /// shown as `\u{XX}`, and the span's backtick fence is longer than any run of backticks in the text.
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
