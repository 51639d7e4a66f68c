/// Parses the filter grammar of RFC 7644 section 3.4.2.2 (Figure 1).
///
/// Operators, `and`, `or`, `not` and the literals `true`, `false` and `null` are matched without
/// regard to case. Precedence is `not`, then `and`, then `or`; parentheses group. String
/// literals use JSON string syntax, so `\"` and `\uXXXX` escapes work.
public struct FilterParser {
    private enum Token: Equatable {
        case word(String)
        case string(String)
        case number(JSONNumber)
        case openParen
        case closeParen
        case openBracket
        case closeBracket
    }

    /// Deepest nesting of parentheses, `not` and value filters accepted.
    public static let maximumDepth = 32
    /// Most `and`/`or` operators accepted in one filter. Both limits keep evaluation, which
    /// recurses over the expression tree, far from exhausting a thread's stack.
    public static let maximumOperators = 256

    private var tokens: [(token: Token, offset: Int)] = []
    private var position = 0
    private var depth = 0
    private var operators = 0
    private let text: String
    private let knownSchemas: [String]

    /// Parses `text`; `knownSchemas` are the URNs that may qualify attribute names.
    public static func parse(_ text: String, knownSchemas: [String] = []) throws(SCIMError) -> FilterExpression {
        var parser = FilterParser(text: text, knownSchemas: knownSchemas)
        try parser.tokenize()
        guard !parser.tokens.isEmpty else {
            throw SCIMError.invalidFilter("the filter is empty")
        }
        let expression = try parser.parseOr(insideValuePath: false)
        if parser.position < parser.tokens.count {
            throw parser.failure("unexpected \(parser.describe(parser.tokens[parser.position].token))")
        }
        return expression
    }

    private init(text: String, knownSchemas: [String]) {
        self.text = text
        self.knownSchemas = knownSchemas
    }

    // MARK: - Grammar

    private mutating func parseOr(insideValuePath: Bool) throws(SCIMError) -> FilterExpression {
        var expression = try parseAnd(insideValuePath: insideValuePath)
        while matchKeyword("or") {
            try countOperator()
            let rhs = try parseAnd(insideValuePath: insideValuePath)
            expression = .or(expression, rhs)
        }
        return expression
    }

    private mutating func parseAnd(insideValuePath: Bool) throws(SCIMError) -> FilterExpression {
        var expression = try parseUnary(insideValuePath: insideValuePath)
        while matchKeyword("and") {
            try countOperator()
            let rhs = try parseUnary(insideValuePath: insideValuePath)
            expression = .and(expression, rhs)
        }
        return expression
    }

    private mutating func parseUnary(insideValuePath: Bool) throws(SCIMError) -> FilterExpression {
        if case .word(let word) = peek(), word.lowercased() == "not" {
            if position + 1 < tokens.count, tokens[position + 1].token == .openParen {
                position += 1
                return .not(try parseGroup(insideValuePath: insideValuePath))
            }
        }
        if peek() == .openParen {
            return try parseGroup(insideValuePath: insideValuePath)
        }
        return try parseAttributeExpression(insideValuePath: insideValuePath)
    }

    private mutating func countOperator() throws(SCIMError) {
        operators += 1
        if operators > FilterParser.maximumOperators {
            throw failure("the filter has more than \(FilterParser.maximumOperators) 'and'/'or' operators")
        }
    }

    private mutating func enterNesting() throws(SCIMError) {
        depth += 1
        if depth > FilterParser.maximumDepth {
            throw failure("the filter nests deeper than \(FilterParser.maximumDepth) levels")
        }
    }

    private mutating func parseGroup(insideValuePath: Bool) throws(SCIMError) -> FilterExpression {
        position += 1
        try enterNesting()
        defer { depth -= 1 }
        let inner = try parseOr(insideValuePath: insideValuePath)
        guard peek() == .closeParen else {
            throw failure(peek() == nil ? "a '(' is never closed" : "expected ')' but found \(describe(peek()!))")
        }
        position += 1
        return inner
    }

    private mutating func parseAttributeExpression(insideValuePath: Bool) throws(SCIMError) -> FilterExpression {
        guard case .word(let word) = peek() else {
            if let token = peek() {
                throw failure("expected an attribute name but found \(describe(token))")
            }
            throw failure("the filter ends where an attribute name was expected")
        }
        let path = try parsePath(word)
        position += 1

        if peek() == .openBracket {
            guard !insideValuePath else {
                throw failure("a value filter '[...]' cannot be nested inside another")
            }
            guard path.subAttribute == nil else {
                throw failure("a value filter '[...]' must follow an attribute, not a sub-attribute")
            }
            position += 1
            try enterNesting()
            defer { depth -= 1 }
            let inner = try parseOr(insideValuePath: true)
            guard peek() == .closeBracket else {
                throw failure(peek() == nil ? "a '[' is never closed" : "expected ']' but found \(describe(peek()!))")
            }
            position += 1
            // Entra documents `emails[type eq "work"].value eq "x"` for uniqueness checks. The
            // sub-attribute comparison applies to the same value as the bracket filter, so it is
            // read as `emails[type eq "work" and value eq "x"]`.
            if case .word(let next) = peek(), next.hasPrefix(".") {
                let subName = String(next.dropFirst())
                guard AttributePath.isAttributeName(Substring(subName)) else {
                    throw failure("'\(next)' does not name a sub-attribute")
                }
                position += 1
                let subPath = AttributePath(name: subName)
                guard case .word(let operatorWord) = peek() else {
                    throw failure("expected an operator after '\(next)'")
                }
                position += 1
                if operatorWord.lowercased() == "pr" {
                    return .valuePath(path, .and(inner, .present(subPath)))
                }
                guard let op = ComparisonOperator(rawValue: operatorWord.lowercased()) else {
                    throw failure("'\(operatorWord)' is not a filter operator", at: position - 1)
                }
                let value = try parseComparisonValue(after: operatorWord)
                return .valuePath(path, .and(inner, .comparison(subPath, op, value)))
            }
            return .valuePath(path, inner)
        }

        guard case .word(let operatorWord) = peek() else {
            throw failure("expected an operator after '\(word)'")
        }
        position += 1
        if operatorWord.lowercased() == "pr" {
            return .present(path)
        }
        guard let op = ComparisonOperator(rawValue: operatorWord.lowercased()) else {
            throw failure("'\(operatorWord)' is not a filter operator", at: position - 1)
        }
        let value = try parseComparisonValue(after: operatorWord)
        return .comparison(path, op, value)
    }

    private mutating func parseComparisonValue(after op: String) throws(SCIMError) -> JSONValue {
        guard let token = peek() else {
            throw failure("the filter ends where a value for '\(op)' was expected")
        }
        position += 1
        switch token {
        case .string(let value):
            return .string(value)
        case .number(let number):
            return .number(number)
        case .word(let word):
            switch word.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default:
                throw failure("'\(word)' is not a value; strings must be in double quotes", at: position - 1)
            }
        default:
            throw failure("expected a value after '\(op)' but found \(describe(token))", at: position - 1)
        }
    }

    private func parsePath(_ word: String) throws(SCIMError) -> AttributePath {
        do {
            return try AttributePath.parse(word, knownSchemas: knownSchemas)
        } catch {
            throw failure("'\(word)' is not a valid attribute path")
        }
    }

    private mutating func matchKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = peek(), word.lowercased() == keyword {
            position += 1
            return true
        }
        return false
    }

    private func peek() -> Token? {
        position < tokens.count ? tokens[position].token : nil
    }

    // MARK: - Tokens

    private mutating func tokenize() throws(SCIMError) {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t", "\n", "\r":
                index += 1
            case "(":
                tokens.append((.openParen, index))
                index += 1
            case ")":
                tokens.append((.closeParen, index))
                index += 1
            case "[":
                tokens.append((.openBracket, index))
                index += 1
            case "]":
                tokens.append((.closeBracket, index))
                index += 1
            case "\"":
                let (string, end) = try readString(scalars, from: index)
                tokens.append((.string(string), index))
                index = end
            case "-", "0"..."9":
                let start = index
                index += 1
                while index < scalars.count, !FilterParser.isDelimiter(scalars[index]) {
                    index += 1
                }
                let literal = String(String.UnicodeScalarView(scalars[start..<index]))
                guard case .number(let number)? = try? JSONValue.parse(literal) else {
                    throw SCIMError.invalidFilter("'\(literal)' at position \(start + 1) is not a valid number")
                }
                tokens.append((.number(number), start))
            default:
                let start = index
                while index < scalars.count, !FilterParser.isDelimiter(scalars[index]) {
                    index += 1
                }
                tokens.append((.word(String(String.UnicodeScalarView(scalars[start..<index]))), start))
            }
        }
    }

    private static func isDelimiter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r", "(", ")", "[", "]", "\"": true
        default: false
        }
    }

    private func readString(_ scalars: [Unicode.Scalar], from start: Int) throws(SCIMError) -> (String, Int) {
        var index = start + 1
        while index < scalars.count {
            if scalars[index] == "\\" {
                index += 2
                continue
            }
            if scalars[index] == "\"" {
                let literal = String(String.UnicodeScalarView(scalars[start...index]))
                do {
                    guard case .string(let value) = try JSONValue.parse(literal) else {
                        throw SCIMError.invalidFilter("invalid string literal")
                    }
                    return (value, index + 1)
                } catch {
                    throw SCIMError.invalidFilter(
                        "the string starting at position \(start + 1) has an invalid escape or character")
                }
            }
            index += 1
        }
        throw SCIMError.invalidFilter("the string starting at position \(start + 1) is never closed")
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .word(let word): "'\(word)'"
        case .string(let string): JSONValue.string(string).serialized()
        case .number(let number): number.text
        case .openParen: "'('"
        case .closeParen: "')'"
        case .openBracket: "'['"
        case .closeBracket: "']'"
        }
    }

    /// An `invalidFilter` error pointing at token `index`, the current token by default.
    private func failure(_ reason: String, at index: Int? = nil) -> SCIMError {
        let tokenIndex = index ?? position
        let offset = tokenIndex < tokens.count ? tokens[tokenIndex].offset + 1 : text.unicodeScalars.count + 1
        return SCIMError.invalidFilter("\(reason) (at position \(offset) of the filter '\(text)')")
    }
}
