import Foundation

/// Original personal values and their pseudonyms. Values are keyed without regard to case,
/// because most personal SCIM attributes are `caseExact: false` and Entra may send one value in
/// several cases. Each spelling gets the pseudonym in a matching case, so a filter in another case
/// stays in another case.
public struct PseudonymTable: Sendable {
    /// Shortest original replaced inside longer text, such as an error detail; shorter values are
    /// replaced only where they are a whole value.
    static let minimumFreeTextLength = 3

    private var kinds: [String: PersonalAttribute] = [:]
    /// Every kind that each value was collected as, such as both `userName` and `email`.
    private var everyKind: [String: Set<PersonalAttribute>] = [:]
    private var firstSpelling: [String: String] = [:]
    private var order: [String] = []
    private var pseudonyms: [String: String] = [:]
    /// Originals for free-text replacement, longest first.
    private var freeTextOrder: [String] = []
    /// The originals filed under one of their words, folded as a case-insensitive search compares
    /// it: each original's position in `freeTextOrder` and the number of characters before that
    /// word. Each original is filed under its word that the fewest originals share, so that
    /// originals with a common first word ("User 1", "User 2") or prefix ("+1 425 555 0101") do
    /// not all land under one word.
    private var freeTextByWord: [String: [(rank: Int, offset: Int)]] = [:]
    /// The positions in `freeTextOrder` of the originals with neither a letter nor a digit.
    private var freeTextWithoutWord: [Int] = []

    /// The endpoint's hosts found in URLs and `Host` headers, with their neutral names.
    public internal(set) var hosts = HostTable()

    /// Every original (as first seen) with its pseudonym, in the order first seen, followed by
    /// the hosts and their neutral names.
    public var entries: [(original: String, pseudonym: String)] {
        order.map { (firstSpelling[$0]!, pseudonyms[$0]!) } + hosts.entries
    }

    /// Whether no personal value was collected; hosts are not counted.
    public var isEmpty: Bool {
        order.isEmpty
    }

    /// Records a personal value; the first kind seen for a value decides its pseudonym's shape.
    mutating func collect(_ value: String, as kind: PersonalAttribute) {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed != SecretRedaction.placeholder else {
            return
        }
        let key = value.lowercased()
        everyKind[key, default: []].insert(kind)
        if kinds[key] == nil {
            kinds[key] = kind
            firstSpelling[key] = value
            order.append(key)
        }
        if kind == .email || kind == .userName, let at = value.lastIndex(of: "@") {
            let domain = String(value[value.index(after: at)...])
            if !domain.isEmpty {
                collect(domain, as: .emailDomain)
            }
        }
    }

    /// Assigns pseudonyms to every collected value. Call once, after collecting.
    mutating func assign() {
        var counters: [String: Int] = [:]
        let originals = Set(order)
        var taken = Set<String>()
        func next(_ counter: String, _ make: (Int) -> String) -> String {
            while true {
                counters[counter, default: 0] += 1
                let candidate = make(counters[counter]!)
                let key = candidate.lowercased()
                if !originals.contains(key) && !taken.contains(key) {
                    taken.insert(key)
                    return candidate
                }
            }
        }
        // Domains first, so that emails can reuse their domain's pseudonym.
        for key in order where kinds[key] == .emailDomain {
            pseudonyms[key] = next("domain") { "domain\($0).example" }
        }
        for key in order where kinds[key] != .emailDomain {
            let original = firstSpelling[key]!
            if FilterIdentity.isUUID(original) {
                pseudonyms[key] = next("uuid") { String(format: "00000000-0000-4000-8000-%012d", $0) }
                continue
            }
            if let at = original.lastIndex(of: "@"), at != original.startIndex {
                let domain = String(original[original.index(after: at)...]).lowercased()
                let pseudonymDomain = pseudonyms[domain] ?? "domain.example"
                pseudonyms[key] = next("user") { "user\($0)@\(pseudonymDomain)" }
                continue
            }
            pseudonyms[key] = PseudonymTable.make(kinds[key]!, original: original, next: next)
        }
        freeTextOrder = order.filter { $0.count >= PseudonymTable.minimumFreeTextLength }.sorted {
            $0.count > $1.count
        }
        freeTextByWord = [:]
        freeTextWithoutWord = []
        let keyWords = freeTextOrder.map { PseudonymTable.words(in: $0) }
        var sharing: [String: Int] = [:]
        for words in keyWords {
            for word in Set(words.map(\.folded)) {
                sharing[word, default: 0] += 1
            }
        }
        for (rank, words) in keyWords.enumerated() {
            guard let anchor = words.min(by: { sharing[$0.folded, default: 0] < sharing[$1.folded, default: 0] }) else {
                freeTextWithoutWord.append(rank)
                continue
            }
            freeTextByWord[anchor.folded, default: []].append((rank, anchor.offset))
        }
    }

    /// Returns the words of `text` (runs of letters and digits), folded, each with the number of
    /// characters before it.
    private static func words(in text: String) -> [(folded: String, offset: Int)] {
        var words: [(folded: String, offset: Int)] = []
        var offset = 0
        var index = text.startIndex
        while index < text.endIndex {
            guard isWordCharacter(text[index]) else {
                index = text.index(after: index)
                offset += 1
                continue
            }
            let start = index
            let startOffset = offset
            while index < text.endIndex, isWordCharacter(text[index]) {
                index = text.index(after: index)
                offset += 1
            }
            words.append((folded(text[start..<index]), startOffset))
        }
        return words
    }

    private static func make(
        _ kind: PersonalAttribute, original: String, next: (String, (Int) -> String) -> String
    ) -> String {
        switch kind {
        case .userName: next("user") { "user\($0)" }
        case .email: next("user") { "user\($0)" }
        case .emailDomain: next("domain") { "domain\($0).example" }
        case .givenName: next("given") { "Given\($0)" }
        case .familyName: next("family") { "Family\($0)" }
        case .middleName: next("middle") { "Middle\($0)" }
        case .formattedName, .displayName: next("display") { "Display Name \($0)" }
        case .nickName: next("nick") { "nick\($0)" }
        case .externalId: next("external") { "external\($0)" }
        case .phoneNumber: next("phone") { String(format: "+1-555-%04d", 100 + $0) }
        case .employeeNumber:
            original.allSatisfy(\.isNumber) ? next("employee") { String(100_000 + $0) } : next("employee") { "E\($0)" }
        case .streetAddress: next("street") { "\($0) Example Street" }
        case .locality: next("city") { "City \($0)" }
        case .postalCode: next("postal") { String(format: "%05d", $0) }
        case .formattedAddress: next("address") { "Address \($0)" }
        }
    }

    /// Returns the pseudonym of a whole value, in the value's case, or `nil` when it is not personal.
    func pseudonym(for value: String) -> String? {
        let key = value.lowercased()
        guard let pseudonym = pseudonyms[key] else {
            return nil
        }
        return PseudonymTable.matchCase(of: value, pseudonym: pseudonym)
    }

    /// Returns the pseudonym of the only value collected as `kind` that contains (`co`), starts
    /// with (`sw`) or ends with (`ew`) `part`, ignoring case, in the case of `part`. Returns `nil`
    /// when no value or more than one does, because no single pseudonym then matches as the
    /// original did.
    /// NOTE: The pseudonym also matches longer pseudonyms that start with it (`Family1` and
    /// `Family10`) under `co` and `sw`.
    func pseudonym(forPart part: String, comparison: String, of kind: PersonalAttribute) -> String? {
        let folded = part.lowercased()
        guard !folded.isEmpty else {
            return nil
        }
        var found: String?
        for key in order where everyKind[key]?.contains(kind) == true {
            let matches =
                switch comparison {
                case "co": key.contains(folded)
                case "sw": key.hasPrefix(folded)
                case "ew": key.hasSuffix(folded)
                default: false
                }
            guard matches else {
                continue
            }
            guard found == nil else {
                return nil
            }
            found = key
        }
        return found.flatMap { pseudonyms[$0] }.map { PseudonymTable.matchCase(of: part, pseudonym: $0) }
    }

    /// Replaces every original that appears in `text` as a whole word (not inside a longer
    /// run of letters and digits), longest first. The text is read once, and each of its words
    /// names the originals filed under it. An original is compared only where that word occurs,
    /// so the time grows with the text's size rather than with the number of originals.
    func replacingOccurrences(in text: String) -> String {
        if let whole = pseudonym(for: text) {
            return whole
        }
        let matches = occurrences(in: text)
        guard !matches.isEmpty else {
            return text
        }
        var result = ""
        var copied = text.startIndex
        for match in matches {
            result += text[copied..<match.range.lowerBound]
            result += match.replacement
            copied = match.range.upperBound
        }
        result += text[copied...]
        return result
    }

    /// Finds the originals that `replacingOccurrences(in:)` replaces in `text`, and returns their
    /// ranges with their pseudonyms in the matched case, ordered by position. Matching a whole
    /// value that is shorter than `minimumFreeTextLength` is left to the caller.
    func occurrences(in text: String) -> [(range: Range<String.Index>, replacement: String)] {
        // Each candidate is an original's position in `freeTextOrder` and where in the text it
        // would start, or `nil` for an original searched in the whole text.
        var candidates: [(rank: Int, start: String.Index?)] = freeTextWithoutWord.map { ($0, nil) }
        var index = text.startIndex
        while index < text.endIndex {
            guard PseudonymTable.isWordCharacter(text[index]) else {
                index = text.index(after: index)
                continue
            }
            let start = index
            while index < text.endIndex, PseudonymTable.isWordCharacter(text[index]) {
                index = text.index(after: index)
            }
            for (rank, offset) in freeTextByWord[PseudonymTable.folded(text[start..<index])] ?? [] {
                if let candidateStart = text.index(start, offsetBy: -offset, limitedBy: text.startIndex) {
                    candidates.append((rank, candidateStart))
                }
            }
        }
        // Longest original first, and one original from the start of the text to its end.
        candidates.sort { left, right in
            left.rank != right.rank
                ? left.rank < right.rank : (left.start ?? text.startIndex) < (right.start ?? text.startIndex)
        }
        let utf8 = text.utf8
        var claimed = [Bool](repeating: false, count: utf8.count)
        var matches: [(range: Range<String.Index>, replacement: String)] = []
        for candidate in candidates {
            let key = freeTextOrder[candidate.rank]
            var ranges: [Range<String.Index>] = []
            if let start = candidate.start {
                if let range = text.range(
                    of: key, options: [.caseInsensitive, .anchored], range: start..<text.endIndex)
                {
                    ranges.append(range)
                }
            } else {
                var searchStart = text.startIndex
                while let range = text.range(of: key, options: .caseInsensitive, range: searchStart..<text.endIndex) {
                    ranges.append(range)
                    searchStart = range.upperBound
                }
            }
            for range in ranges {
                let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
                let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
                guard !PseudonymTable.isWordCharacter(before), !PseudonymTable.isWordCharacter(after) else {
                    continue
                }
                let lower = utf8.distance(from: utf8.startIndex, to: range.lowerBound)
                let upper = utf8.distance(from: utf8.startIndex, to: range.upperBound)
                // A shorter original must not match inside one that is already replaced.
                guard !claimed[lower..<upper].contains(true) else {
                    continue
                }
                claimed.replaceSubrange(lower..<upper, with: repeatElement(true, count: upper - lower))
                matches.append((range, PseudonymTable.matchCase(of: String(text[range]), pseudonym: pseudonyms[key]!)))
            }
        }
        return matches.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// Returns a word folded as a case-insensitive search compares it.
    private static func folded(_ word: Substring) -> String {
        word.folding(options: [.caseInsensitive], locale: nil)
    }

    private static func isWordCharacter(_ character: Character?) -> Bool {
        guard let character else {
            return false
        }
        return character.isLetter || character.isNumber
    }

    /// Puts `pseudonym` in the case of `value`: all lowercase or all uppercase when the value is,
    /// otherwise as generated when the pseudonym has capitals (`Given1`), or with each run of
    /// letters capitalised (`User1@Domain1.Example`).
    /// NOTE: two different mixed-case spellings of one value get the same pseudonym.
    static func matchCase(of value: String, pseudonym: String) -> String {
        if value == value.lowercased() {
            return pseudonym.lowercased()
        }
        if value == value.uppercased() {
            return pseudonym.uppercased()
        }
        if pseudonym != pseudonym.lowercased() {
            return pseudonym
        }
        var result = ""
        var previousIsLetter = false
        for character in pseudonym {
            result += previousIsLetter ? String(character) : character.uppercased()
            previousIsLetter = character.isLetter
        }
        return result
    }
}

/// Recognises identifiers that keep their shape when pseudonymised.
enum FilterIdentity {
    static func isUUID(_ text: String) -> Bool {
        SecretPatterns.isUUID(Substring(text))
    }
}
