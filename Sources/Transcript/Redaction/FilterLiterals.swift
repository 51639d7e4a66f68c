import SCIM

/// Splits a SCIM filter (RFC 7644 section 3.4.2.2) into its string literals and the text
/// between them, and names the attribute each literal is compared with. Unlike `FilterParser`,
/// it accepts filters that do not parse, so that a redacted transcript keeps an invalid filter
/// invalid in the same way.
struct FilterLiterals {
    enum Segment: Equatable {
        case text(String)
        /// A string literal, with its raw text including quotes and its decoded value.
        /// `attribute` is the normalised attribute path it is compared with (`emails.value`), and
        /// `comparison` the lowercased operator in front of it (`eq`, `co`). Either is `nil` when
        /// none was found.
        case literal(raw: String, value: String, attribute: String?, comparison: String?)
    }

    /// Operators that compare an attribute with part of a value (RFC 7644 section 3.4.2.2).
    static let partialComparisons: Set<String> = ["co", "sw", "ew"]

    private static let comparisons: Set<String> = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]

    let segments: [Segment]

    private static let keywords: Set<String> = [
        "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "and", "or", "not", "true", "false", "null",
    ]

    init(_ filter: String) {
        var segments: [Segment] = []
        var pending = ""
        var attribute: String?
        var comparison: String?
        var brackets: [String] = []
        let characters = Array(filter)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\"":
                var end = index + 1
                while end < characters.count && characters[end] != "\"" {
                    end += characters[end] == "\\" ? 2 : 1
                }
                let raw = String(characters[index..<min(end + 1, characters.count)])
                guard end < characters.count, let value = (try? JSONValue.parse(raw))?.stringValue else {
                    // An unterminated or malformed literal stays text.
                    pending += raw
                    index = end + 1
                    continue
                }
                if !pending.isEmpty {
                    segments.append(.text(pending))
                    pending = ""
                }
                let path = brackets.last.map { PersonalAttribute.join($0, attribute ?? "") } ?? attribute
                segments.append(
                    .literal(
                        raw: raw, value: value, attribute: path.map(PersonalAttribute.normalize),
                        comparison: comparison))
                comparison = nil
                index = end + 1
                continue
            case "[":
                brackets.append(attribute.map(PersonalAttribute.normalize) ?? "")
                attribute = nil
            case "]":
                attribute = brackets.popLast()
            case " ", "\t", "(", ")":
                break
            default:
                var end = index
                while end < characters.count && !" \t()[]\"".contains(characters[end]) {
                    end += 1
                }
                let word = String(characters[index..<end])
                comparison = FilterLiterals.comparisons.contains(word.lowercased()) ? word.lowercased() : nil
                if word.hasPrefix("."), let base = attribute {
                    attribute = base + word
                } else if !FilterLiterals.keywords.contains(word.lowercased()) {
                    attribute = word
                }
                pending += word
                index = end
                continue
            }
            pending.append(character)
            index += 1
        }
        if !pending.isEmpty {
            segments.append(.text(pending))
        }
        self.segments = segments
    }

    /// Rebuilds the filter, passing each literal's value, attribute and comparison to `replace`.
    /// A literal whose value does not change keeps its raw text, escapes included.
    func rebuilt(replacing replace: (String, String?, String?) -> String) -> String {
        segments.map { segment in
            switch segment {
            case .text(let text):
                return text
            case .literal(let raw, let value, let attribute, let comparison):
                let replaced = replace(value, attribute, comparison)
                return replaced == value ? raw : JSONValue.string(replaced).serialized()
            }
        }.joined()
    }
}
