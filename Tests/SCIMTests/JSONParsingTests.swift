import SCIM
import Testing

/// Returns the error `JSONValue.parse` throws for `text`, or `nil` when it parses.
func parseError(_ text: String, options: JSONParseOptions = JSONParseOptions()) -> JSONParseError? {
    parseError(bytes: Array(text.utf8), options: options)
}

func parseError(bytes: [UInt8], options: JSONParseOptions = JSONParseOptions()) -> JSONParseError? {
    do {
        _ = try JSONValue.parse(bytes: bytes, options: options)
        return nil
    } catch {
        return error
    }
}

/// Parses JSON text written inline in a test, which must be valid.
func json(_ text: String) throws -> JSONValue {
    try JSONValue.parse(text)
}

/// Parsing and compact serialization: key order, number text, escapes and equality.
@Suite struct JSONRoundTrip {
    static let compactDocuments = [
        #"{"zeta":1,"alpha":2,"mid":3}"#,
        #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","active":true}"#,
        #"[1.0,1.50,-0,0.0,1e5,1E+2,2.5e-3,12345678901234567890,-7]"#,
        #"{"nested":{"b":[{"y":null,"x":false}],"a":{}},"empty":[]}"#,
        "\"café 😀\"",
        #""line\nbreak \"quoted\" back\\slash\ttab""#,
        "null",
        "true",
        "0",
    ]

    @Test(arguments: compactDocuments)
    func compactTextSurvivesRoundTrip(text: String) throws {
        let value = try json(text)

        let output = value.serialized()

        #expect(output == text)
    }

    @Test func whitespaceIsDroppedButOrderKept() throws {
        let text = """
            {
              "z" : [ 1.0 , 2 ],
              "a" : { "y" : "b" , "x" : null }
            }
            """

        let output = try json(text).serialized()

        #expect(output == #"{"z":[1.0,2],"a":{"y":"b","x":null}}"#)
    }

    @Test func escapesDecodeToScalars() throws {
        let text = #""\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00""#

        let value = try json(text)

        #expect(value == .string("\"\\/\u{8}\u{C}\n\r\tAé😀"))
    }

    @Test func serializerEscapesOnlyRequiredCharacters() {
        let value = JSONValue.string("\"\\\n\r\t\u{1}\u{7F}\u{8}\u{C}/é😀")

        let output = value.serialized()

        #expect(output == #""\"\\\n\r\t\u0001\u007f\u0008\u000c/é😀""#)
    }

    @Test func escapedOutputParsesBackEqual() throws {
        let original = JSONValue.string("a\u{0}b\u{1F}c\u{7F}\"\\")

        let reparsed = try json(original.serialized())

        #expect(reparsed == original)
    }

    @Test func equalityIgnoresKeyOrderAndNumberSpelling() throws {
        let first = try json(#"{"a":1,"b":[1.0,"x"]}"#)
        let second = try json(#"{"b":[1e0,"x"],"a":1.00}"#)

        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
    }

    @Test func equalityStillComparesValues() throws {
        let first = try json(#"{"a":1}"#)
        let second = try json(#"{"a":"1"}"#)
        let third = try json(#"{"a":1,"b":null}"#)

        #expect(first != second)
        #expect(first != third)
    }

    @Test func duplicateKeysAllowedKeepLastValue() throws {
        let options = JSONParseOptions(rejectsDuplicateKeys: false)

        let value = try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#, options: options)

        #expect(value.serialized() == #"{"a":3,"b":2}"#)
    }

    @Test func keysDifferingInCaseAreDistinct() throws {
        let value = try json(#"{"a":1,"A":2}"#)

        #expect(value.objectValue?.count == 2)
        #expect(value.objectValue?.value(matching: "A") == 2)
        #expect(value.objectValue?.value(matching: "a") == 1)
    }

    @Test(arguments: [
        ("1.0", 1 as Int?), ("1.5", nil), ("1e2", 100), ("-0", 0), ("12345678901234567890", nil),
        ("9007199254740993", 9_007_199_254_740_993), ("2.5e-3", nil),
    ])
    func numberIntValueNeedsWholeNumber(text: String, expected: Int?) throws {
        let number = try #require(try json(text).numberValue)

        #expect(number.intValue == expected)
        #expect(number.text == text)
    }

    @Test(arguments: [(3.0, "3"), (1.5, "1.5"), (-2.0, "-2"), (1e20, "1e+20"), (0.1, "0.1")])
    func computedNumberHasCanonicalText(value: Double, expected: String) {
        let number = JSONNumber(value)

        #expect(number.text == expected)
        #expect(JSONValue.number(number).serialized() == expected)
    }
}

/// A malformed document with the line, column, path and reason its parse error must report.
struct ParseErrorCase: Sendable, CustomTestStringConvertible {
    let input: String
    let line: Int
    let column: Int
    let path: String
    let reason: String

    var testDescription: String {
        input.debugDescription
    }
}

@Suite struct JSONParseErrors {
    static let truncated: [ParseErrorCase] = [
        ParseErrorCase(input: "", line: 1, column: 1, path: "$", reason: "the input is empty"),
        ParseErrorCase(input: "   ", line: 1, column: 4, path: "$", reason: "the input is empty"),
        ParseErrorCase(
            input: #"{"a": [1, 2"#, line: 1, column: 12, path: "$.a", reason: "the input ends inside an array"),
        ParseErrorCase(
            input: "{\n  \"user\": {\n    \"name\": \"x\"", line: 3, column: 16, path: "$.user",
            reason: "the input ends inside an object"),
        ParseErrorCase(
            input: #"{"a": "abc"#, line: 1, column: 7, path: "$.a", reason: "the input ends inside a string"),
        ParseErrorCase(
            input: #"{"a":"#, line: 1, column: 6, path: "$.a", reason: "the input ends where a value was expected"),
        ParseErrorCase(
            input: "[1,", line: 1, column: 4, path: "$[1]", reason: "the input ends where a value was expected"),
        ParseErrorCase(input: #"{"a""#, line: 1, column: 5, path: "$", reason: "the input ends inside an object"),
        ParseErrorCase(input: "{", line: 1, column: 2, path: "$", reason: "the input ends inside an object"),
        ParseErrorCase(input: "tru", line: 1, column: 1, path: "$", reason: "invalid literal, expected true"),
        ParseErrorCase(
            input: #"["\u12"#, line: 1, column: 5, path: "$[0]", reason: #"the input ends inside a \u escape"#),
    ]

    static let trailingGarbage: [ParseErrorCase] = [
        ParseErrorCase(
            input: #"{"a":1} x"#, line: 1, column: 9, path: "$",
            reason: "unexpected 'x' after the end of the document"),
        ParseErrorCase(
            input: "[1]]", line: 1, column: 4, path: "$", reason: "unexpected ']' after the end of the document"),
        ParseErrorCase(input: "1 2", line: 1, column: 3, path: "$", reason: "unexpected '2' after the end"),
        ParseErrorCase(input: "truex", line: 1, column: 5, path: "$", reason: "unexpected 'x' after the end"),
        ParseErrorCase(input: "{}\n\n}", line: 3, column: 1, path: "$", reason: "unexpected '}' after the end"),
    ]

    static let duplicateKeys: [ParseErrorCase] = [
        ParseErrorCase(input: #"{"a": 1, "a": 2}"#, line: 1, column: 10, path: "$", reason: #"duplicate key "a""#),
        ParseErrorCase(
            input: #"{"x": {"k": 1, "k": 2}}"#, line: 1, column: 16, path: "$.x", reason: #"duplicate key "k""#),
        ParseErrorCase(
            input: "[{\"id\": 1},\n {\"id\": 2, \"id\": 3}]", line: 2, column: 12, path: "$[1]",
            reason: #"duplicate key "id""#),
    ]

    static let surrogates: [ParseErrorCase] = [
        ParseErrorCase(
            input: #""\uD800""#, line: 1, column: 8, path: "$",
            reason: #"high surrogate \uD800 is not followed by a low surrogate"#),
        ParseErrorCase(
            input: #""\uD800"#, line: 1, column: 8, path: "$",
            reason: #"high surrogate \uD800 is not followed by a low surrogate"#),
        ParseErrorCase(
            input: #""\uDC00""#, line: 1, column: 8, path: "$", reason: #"lone low surrogate \uDC00 in a string"#),
        ParseErrorCase(
            input: #""\uD800\u0041""#, line: 1, column: 14, path: "$",
            reason: #"high surrogate \uD800 is followed by \u0041, not a low surrogate"#),
        ParseErrorCase(
            input: #"["ok", "\udfff"]"#, line: 1, column: 15, path: "$[1]", reason: #"lone low surrogate \uDFFF"#),
    ]

    static let controlCharacters: [ParseErrorCase] = [
        ParseErrorCase(
            input: "\"a\tb\"", line: 1, column: 3, path: "$",
            reason: "unescaped control character byte 0x9 in a string"),
        ParseErrorCase(
            input: "{\"a\": \"x\ny\"}", line: 1, column: 9, path: "$.a",
            reason: "unescaped control character byte 0xA in a string"),
        ParseErrorCase(
            input: "\"\u{0}\"", line: 1, column: 2, path: "$",
            reason: "unescaped control character byte 0x0 in a string"),
        ParseErrorCase(
            input: "[\"\u{1F}\"]", line: 1, column: 3, path: "$[0]",
            reason: "unescaped control character byte 0x1F in a string"),
        ParseErrorCase(
            input: "{\"k\u{1}\": 1}", line: 1, column: 4, path: "$",
            reason: "unescaped control character byte 0x1 in a string"),
    ]

    static let numbers: [ParseErrorCase] = [
        ParseErrorCase(input: "01", line: 1, column: 1, path: "$", reason: "a number must not have a leading zero"),
        ParseErrorCase(input: "-01", line: 1, column: 1, path: "$", reason: "a number must not have a leading zero"),
        ParseErrorCase(input: "00", line: 1, column: 1, path: "$", reason: "a number must not have a leading zero"),
        ParseErrorCase(
            input: "[1, 02]", line: 1, column: 5, path: "$[1]", reason: "a number must not have a leading zero"),
        ParseErrorCase(
            input: #"{"a": 007}"#, line: 1, column: 7, path: "$.a", reason: "a number must not have a leading zero"),
        ParseErrorCase(input: "-", line: 1, column: 2, path: "$", reason: "a number needs a digit after '-'"),
        ParseErrorCase(input: "1.", line: 1, column: 3, path: "$", reason: "a number needs a digit after '.'"),
        ParseErrorCase(input: "1e", line: 1, column: 3, path: "$", reason: "a number needs a digit in its exponent"),
        ParseErrorCase(input: "1e+", line: 1, column: 4, path: "$", reason: "a number needs a digit in its exponent"),
        ParseErrorCase(input: ".5", line: 1, column: 1, path: "$", reason: "unexpected '.' where a value was expected"),
        ParseErrorCase(input: "+1", line: 1, column: 1, path: "$", reason: "unexpected '+' where a value was expected"),
        ParseErrorCase(input: "1e400", line: 1, column: 1, path: "$", reason: "the number 1e400 is out of range"),
    ]

    static let syntax: [ParseErrorCase] = [
        ParseErrorCase(input: #""\x""#, line: 1, column: 3, path: "$", reason: #"invalid escape sequence \'x'"#),
        ParseErrorCase(input: #""\u12G4""#, line: 1, column: 6, path: "$", reason: "invalid hex digit 'G'"),
        ParseErrorCase(input: "{'a': 1}", line: 1, column: 2, path: "$", reason: "expected a quoted key"),
        ParseErrorCase(input: #"{"a" 1}"#, line: 1, column: 6, path: "$", reason: "expected ':' after a key"),
        ParseErrorCase(
            input: #"{"a": 1 "b": 2}"#, line: 1, column: 9, path: "$", reason: "expected ',' or '}' in an object"),
        ParseErrorCase(input: "[1 2]", line: 1, column: 4, path: "$", reason: "expected ',' or ']' in an array"),
        ParseErrorCase(
            input: "[1,]", line: 1, column: 4, path: "$[1]", reason: "unexpected ']' where a value was expected"),
        ParseErrorCase(input: #"{"a":1,}"#, line: 1, column: 8, path: "$", reason: "expected a quoted key"),
        ParseErrorCase(
            input: "\u{FEFF}{}", line: 1, column: 1, path: "$",
            reason: "unexpected byte 0xEF where a value was expected"),
        ParseErrorCase(
            input: #"{"Resources": [{"active": nul}]}"#, line: 1, column: 27, path: "$.Resources[0].active",
            reason: "invalid literal, expected null"),
        ParseErrorCase(
            input: #"{"urn:x:y": [tru]}"#, line: 1, column: 14, path: #"$["urn:x:y"][0]"#,
            reason: "invalid literal, expected true"),
    ]

    static let malformedDocuments: [ParseErrorCase] = [
        truncated, trailingGarbage, duplicateKeys, surrogates, controlCharacters, numbers, syntax,
    ].flatMap { $0 }

    @Test(arguments: malformedDocuments)
    func errorNamesLineColumnAndPath(testCase: ParseErrorCase) throws {
        let error = try #require(parseError(testCase.input))

        #expect(error.line == testCase.line)
        #expect(error.column == testCase.column)
        #expect(error.path.description == testCase.path)
        #expect(error.reason.contains(testCase.reason), "reason: \(error.reason)")
    }

    @Test func descriptionShowsPositionPathAndReason() throws {
        let error = try #require(parseError(#"{"a": [1, 2"#))

        #expect(error.description == "invalid JSON at line 1, column 12 ($.a): the input ends inside an array")
        #expect(error.offset == 11)
    }

    static let invalidUTF8: [(bytes: [UInt8], column: Int, path: String)] = [
        ([0x22, 0xC3, 0x28, 0x22], 1, "$"),
        (Array(#"{"a": ""#.utf8) + [0xFF] + Array(#""}"#.utf8), 7, "$.a"),
        ([0x22, 0xC0, 0xAF, 0x22], 1, "$"),
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 1, "$"),
        ([0x22, 0xE2, 0x82, 0x22], 1, "$"),
        (Array(#"{""#.utf8) + [0xFF] + Array(#"": 1}"#.utf8), 2, "$"),
        (Array(#"["\n"#.utf8) + [0xFF] + Array(#""]"#.utf8), 2, "$[0]"),
    ]

    @Test(arguments: invalidUTF8)
    func invalidUTF8InStringIsRejected(bytes: [UInt8], column: Int, path: String) throws {
        let error = try #require(parseError(bytes: bytes))

        #expect(error.reason == "a string is not valid UTF-8")
        #expect(error.line == 1)
        #expect(error.column == column)
        #expect(error.path.description == path)
    }

    @Test func invalidUTF8OutsideStringIsUnexpectedByte() throws {
        let error = try #require(parseError(bytes: [0x5B, 0xFF, 0x5D]))

        #expect(error.reason == "unexpected byte 0xFF where a value was expected")
        #expect(error.column == 2)
        #expect(error.path.description == "$[0]")
    }

    @Test func validMultibyteUTF8IsAccepted() throws {
        let bytes: [UInt8] = [0x22, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x22]

        let value = try JSONValue.parse(bytes: bytes)

        #expect(value == .string("é😀"))
    }

    @Test func nestingAtLimitIsAccepted() throws {
        let arrays = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let objects = String(repeating: #"{"a":"#, count: 199) + "{}" + String(repeating: "}", count: 199)

        #expect(parseError(arrays) == nil)
        #expect(parseError(objects) == nil)
    }

    @Test func arraysDeeperThanLimitAreRejected() throws {
        let text = String(repeating: "[", count: 201) + String(repeating: "]", count: 201)

        let error = try #require(parseError(text))

        #expect(error.reason == "nesting is deeper than 200 levels")
        #expect(error.column == 201)
        #expect(error.path.components == Array(repeating: .index(0), count: 200))
    }

    @Test func objectsDeeperThanLimitAreRejected() throws {
        let text = String(repeating: #"{"a":"#, count: 201) + "1" + String(repeating: "}", count: 201)

        let error = try #require(parseError(text))

        #expect(error.reason == "nesting is deeper than 200 levels")
        #expect(error.column == 1001)
        #expect(error.path.components == Array(repeating: .key("a"), count: 200))
    }

    @Test func customDepthLimitApplies() throws {
        let options = JSONParseOptions(maximumDepth: 2)

        let accepted = parseError("[[1]]", options: options)
        let rejected = try #require(parseError("[[[1]]]", options: options))

        #expect(accepted == nil)
        #expect(rejected.reason == "nesting is deeper than 2 levels")
        #expect(rejected.column == 3)
        #expect(rejected.path.description == "$[0][0]")
    }

    @Test func hugeNestingFailsWithoutCrashing() throws {
        let text = String(repeating: "[", count: 100_000)

        let error = try #require(parseError(text))

        #expect(error.reason == "nesting is deeper than 200 levels")
    }
}

@Suite struct JSONPrettyOutput {
    @Test func nestedDocumentUsesInlineRule() throws {
        let value = try json(
            #"""
            {"schemas":["urn:a"],"name":{"givenName":"Alice","familyName":"Example"},
             "emails":[{"value":"a@b.c","primary":true}],"empty":[],"none":{},"deep":[[1]]}
            """#)

        let output = value.serialized(.pretty)

        #expect(
            output == """
                {
                  "schemas": ["urn:a"],
                  "name": {"givenName": "Alice", "familyName": "Example"},
                  "emails": [
                    {"value": "a@b.c", "primary": true}
                  ],
                  "empty": [],
                  "none": {},
                  "deep": [
                    [1]
                  ]
                }
                """)
    }

    @Test func emptyContainerMemberPreventsInline() throws {
        let value = try json(#"{"a":1,"b":"x","c":null,"d":[]}"#)

        let output = value.serialized(.pretty)

        #expect(output == "{\n  \"a\": 1,\n  \"b\": \"x\",\n  \"c\": null,\n  \"d\": []\n}")
    }

    @Test func scalarsOnlyObjectIsOneLine() throws {
        let value = try json(#"{"a":1,"b":"x","c":null,"d":1.50}"#)

        let output = value.serialized(.pretty)

        #expect(output == #"{"a": 1, "b": "x", "c": null, "d": 1.50}"#)
    }

    @Test(arguments: [(96, true), (97, false)])
    func rootInlineWidthIsHundredCharacters(length: Int, inline: Bool) {
        let text = String(repeating: "x", count: length)
        let value: JSONValue = [.string(text)]

        let output = value.serialized(.pretty)

        #expect(output == (inline ? "[\"\(text)\"]" : "[\n  \"\(text)\"\n]"))
    }

    @Test(arguments: [(94, true), (95, false)])
    func nestedInlineWidthCountsIndent(length: Int, inline: Bool) {
        let text = String(repeating: "y", count: length)
        let value: JSONValue = ["k": [.string(text)]]

        let output = value.serialized(.pretty)

        let expected = inline ? "{\n  \"k\": [\"\(text)\"]\n}" : "{\n  \"k\": [\n    \"\(text)\"\n  ]\n}"
        #expect(output == expected)
    }

    @Test func prettyOutputParsesBackEqual() throws {
        let value = try json(
            #"{"b":[{"x":[1,2,{"y":"z"}]},"s"],"a":{"n":1.0,"m":[true,false,null]},"c":"\u00e9\n"}"#)

        let reparsed = try json(value.serialized(.pretty))

        #expect(reparsed == value)
        #expect(reparsed.serialized() == value.serialized())
    }
}
