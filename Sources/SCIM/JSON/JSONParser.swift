/// A failure to read JSON text, with the position and the document path where reading stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    /// Byte offset from the start of the input.
    public let offset: Int
    /// Line number, starting at 1.
    public let line: Int
    /// Column in bytes, starting at 1.
    public let column: Int
    /// The container path that was being read when the error occurred.
    public let path: JSONPath

    public var description: String {
        "invalid JSON at line \(line), column \(column) (\(path)): \(reason)"
    }
}

/// Limits applied while reading untrusted JSON.
public struct JSONParseOptions: Sendable {
    /// The default `maximumDepth`, which every reader of transcripts and journals uses.
    public static let defaultMaximumDepth = 200

    /// Maximum nesting of arrays and objects; deeper input is rejected instead of exhausting the stack.
    public var maximumDepth: Int
    /// Rejects an object that names the same key twice, because peers disagree on which value wins.
    public var rejectsDuplicateKeys: Bool

    public init(maximumDepth: Int = defaultMaximumDepth, rejectsDuplicateKeys: Bool = true) {
        self.maximumDepth = maximumDepth
        self.rejectsDuplicateKeys = rejectsDuplicateKeys
    }
}

extension JSONValue {
    /// Parses RFC 8259 JSON text. Strings must be valid UTF-8; a byte order mark is rejected.
    public static func parse(_ text: String, options: JSONParseOptions = JSONParseOptions()) throws(JSONParseError)
        -> JSONValue
    {
        try parse(bytes: Array(text.utf8), options: options)
    }

    /// Parses RFC 8259 JSON from raw bytes.
    public static func parse(bytes: some Collection<UInt8>, options: JSONParseOptions = JSONParseOptions())
        throws(JSONParseError) -> JSONValue
    {
        let array = bytes as? [UInt8] ?? Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            var parser = JSONParser(bytes: buffer, options: options)
            return try parser.parseDocument()
        }
    }
}

struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let options: JSONParseOptions
    private var index = 0
    private var depth = 0
    private var path = JSONPath()

    init(bytes: UnsafeBufferPointer<UInt8>, options: JSONParseOptions) {
        self.bytes = bytes
        self.options = options
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else {
            throw error("the input is empty")
        }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else {
            throw error("unexpected \(describe(bytes[index])) after the end of the document")
        }
        return value
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else {
            throw error("the input ends where a value was expected")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw error("unexpected \(describe(bytes[index])) where a value was expected")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                throw error(index < bytes.count ? "expected a quoted key" : "the input ends inside an object")
            }
            let keyOffset = index
            let key = try parseString()
            if options.rejectsDuplicateKeys, object[key] != nil {
                throw error("duplicate key \(JSONValue.string(key).serialized())", at: keyOffset)
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else {
                throw error(index < bytes.count ? "expected ':' after a key" : "the input ends inside an object")
            }
            index += 1
            skipWhitespace()
            path.append(.key(key))
            object[key] = try parseValue()
            path.removeLast()
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(object)
            case nil:
                throw error("the input ends inside an object")
            default:
                throw error("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            path.append(.index(array.count))
            array.append(try parseValue())
            path.removeLast()
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(array)
            case nil:
                throw error("the input ends inside an array")
            default:
                throw error("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > options.maximumDepth {
            throw error("nesting is deeper than \(options.maximumDepth) levels")
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        var scratch: [UInt8] = []
        var plainStart = index
        while true {
            guard index < bytes.count else {
                throw error("the input ends inside a string", at: start)
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if scratch.isEmpty {
                    let slice = UnsafeBufferPointer(rebasing: bytes[plainStart..<index])
                    index += 1
                    return try decodeUTF8(slice, stringStart: start)
                }
                scratch.append(contentsOf: bytes[plainStart..<index])
                index += 1
                return try scratch.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                    try decodeUTF8(buffer, stringStart: start)
                }
            }
            if byte == UInt8(ascii: "\\") {
                scratch.append(contentsOf: bytes[plainStart..<index])
                try parseEscape(into: &scratch)
                plainStart = index
                continue
            }
            if byte < 0x20 {
                throw error("unescaped control character \(describe(byte)) in a string")
            }
            index += 1
        }
    }

    private mutating func parseEscape(into scratch: inout [UInt8]) throws(JSONParseError) {
        index += 1
        guard index < bytes.count else {
            throw error("the input ends inside an escape sequence")
        }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try parseUnicodeEscape()
            scratch.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            index -= 1
            throw error("invalid escape sequence \\\(describe(byte))")
        }
    }

    private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let high = try parseHexQuad()
        if (0xDC00...0xDFFF).contains(high) {
            throw error("lone low surrogate \\u\(hex(high)) in a string")
        }
        guard (0xD800...0xDBFF).contains(high) else {
            return Unicode.Scalar(high)!
        }
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
            throw error("high surrogate \\u\(hex(high)) is not followed by a low surrogate")
        }
        index += 2
        let low = try parseHexQuad()
        guard (0xDC00...0xDFFF).contains(low) else {
            throw error("high surrogate \\u\(hex(high)) is followed by \\u\(hex(low)), not a low surrogate")
        }
        let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        return Unicode.Scalar(value)!
    }

    private mutating func parseHexQuad() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else {
            throw error("the input ends inside a \\u escape")
        }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit \(describe(byte)) in a \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func decodeUTF8(_ buffer: UnsafeBufferPointer<UInt8>, stringStart: Int) throws(JSONParseError) -> String {
        if buffer.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: buffer, as: UTF8.self)
        }
        guard let string = String(validating: buffer, as: UTF8.self) else {
            throw error("a string is not valid UTF-8", at: stringStart)
        }
        return string
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = index
        if peek() == UInt8(ascii: "-") {
            index += 1
        }
        guard let first = peek(), isDigit(first) else {
            throw error("a number needs a digit after '-'")
        }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = peek(), isDigit(next) {
                throw error("a number must not have a leading zero", at: start)
            }
        } else {
            skipDigits()
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let next = peek(), isDigit(next) else {
                throw error("a number needs a digit after '.'")
            }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") {
                index += 1
            }
            guard let next = peek(), isDigit(next) else {
                throw error("a number needs a digit in its exponent")
            }
            skipDigits()
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        let number = JSONNumber(validatedText: text)
        guard number.doubleValue.isFinite else {
            throw error("the number \(text) is out of range", at: start)
        }
        return number
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = index
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            guard index < bytes.count, bytes[index] == byte else {
                throw error("invalid literal, expected \(literal)", at: start)
            }
            index += 1
        }
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) {
            index += 1
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        let position = min(offset ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<position where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return JSONParseError(
            reason: reason, offset: position, line: line, column: position - lineStart + 1, path: path)
    }
}
