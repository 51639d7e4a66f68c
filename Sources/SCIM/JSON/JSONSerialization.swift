/// How `JSONValue` is written out.
public enum JSONFormatting: Sendable {
    /// No whitespace, for bodies on the wire.
    case compact
    /// Two-space indent and one member per line, for files people read and diff. Arrays and
    /// objects that hold only scalars and fit in 100 characters stay on one line.
    case pretty
}

extension JSONValue {
    /// Writes the value as JSON text. Object keys keep their order; non-ASCII text is written as
    /// UTF-8, and only `"`, `\` and control characters are escaped.
    public func serialized(_ formatting: JSONFormatting = .compact) -> String {
        String(decoding: serializedBytes(formatting), as: UTF8.self)
    }

    /// Appends the value's compact JSON text to `output`.
    public func writeCompact(into output: inout [UInt8]) {
        write(into: &output, formatting: .compact, level: 0)
    }

    /// Appends the value's pretty JSON text as it appears `level` containers deep in a document:
    /// inner lines are indented by two spaces per level, and the first line is not indented.
    public func writePretty(into output: inout [UInt8], level: Int) {
        write(into: &output, formatting: .pretty, level: level)
    }

    public func serializedBytes(_ formatting: JSONFormatting = .compact) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(into: &output, formatting: formatting, level: 0)
        return output
    }

    private func write(into output: inout [UInt8], formatting: JSONFormatting, level: Int) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let number):
            output.append(contentsOf: number.text.utf8)
        case .string(let string):
            JSONValue.writeString(string, into: &output)
        case .array(let elements):
            guard !elements.isEmpty else {
                output.append(contentsOf: "[]".utf8)
                return
            }
            if case .pretty = formatting, let inline = inlineForm(level: level) {
                output.append(contentsOf: inline)
                return
            }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 {
                    output.append(UInt8(ascii: ","))
                }
                JSONValue.writeNewline(into: &output, formatting: formatting, level: level + 1)
                element.write(into: &output, formatting: formatting, level: level + 1)
            }
            JSONValue.writeNewline(into: &output, formatting: formatting, level: level)
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else {
                output.append(contentsOf: "{}".utf8)
                return
            }
            if case .pretty = formatting, let inline = inlineForm(level: level) {
                output.append(contentsOf: inline)
                return
            }
            output.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first {
                    output.append(UInt8(ascii: ","))
                }
                first = false
                JSONValue.writeNewline(into: &output, formatting: formatting, level: level + 1)
                JSONValue.writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                if case .pretty = formatting {
                    output.append(UInt8(ascii: " "))
                }
                value.write(into: &output, formatting: formatting, level: level + 1)
            }
            JSONValue.writeNewline(into: &output, formatting: formatting, level: level)
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let inlineWidth = 100

    /// The one-line form `{"a": 1, "b": "x"}` of a container of scalars, when it is short enough.
    private func inlineForm(level: Int) -> [UInt8]? {
        var output: [UInt8] = []
        switch self {
        case .array(let elements):
            guard elements.allSatisfy(\.isScalar) else {
                return nil
            }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 {
                    output.append(contentsOf: ", ".utf8)
                }
                element.write(into: &output, formatting: .compact, level: 0)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            guard object.allSatisfy({ $0.value.isScalar }) else {
                return nil
            }
            output.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in object {
                if !first {
                    output.append(contentsOf: ", ".utf8)
                }
                first = false
                JSONValue.writeString(key, into: &output)
                output.append(contentsOf: ": ".utf8)
                value.write(into: &output, formatting: .compact, level: 0)
            }
            output.append(UInt8(ascii: "}"))
        default:
            return nil
        }
        return output.count + level * 2 <= JSONValue.inlineWidth ? output : nil
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    private static func writeNewline(into output: inout [UInt8], formatting: JSONFormatting, level: Int) {
        guard case .pretty = formatting else {
            return
        }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `string` as a JSON string, quotes included.
    public static func writeString(_ string: String, into output: inout [UInt8]) {
        var text = string
        text.withUTF8 { bytes in
            escapedLengths.withUnsafeBufferPointer { lengths in
                // The escaped length comes first, so that the string is escaped into one buffer
                // and appended at once. Appending each run and escape cost the recording proxy
                // about 3% of its instructions per request, for a JSON body kept as text.
                var length = 2
                for byte in bytes {
                    length &+= Int(lengths[Int(byte)])
                }
                if length == bytes.count + 2 {
                    output.append(UInt8(ascii: "\""))
                    output.append(contentsOf: bytes)
                    output.append(UInt8(ascii: "\""))
                    return
                }
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { buffer in
                    var position = 0
                    buffer[position] = UInt8(ascii: "\"")
                    position += 1
                    for byte in bytes {
                        if lengths[Int(byte)] == 1 {
                            buffer[position] = byte
                            position += 1
                            continue
                        }
                        buffer[position] = UInt8(ascii: "\\")
                        switch byte {
                        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                            buffer[position + 1] = byte
                        case 0x0A:
                            buffer[position + 1] = UInt8(ascii: "n")
                        case 0x0D:
                            buffer[position + 1] = UInt8(ascii: "r")
                        case 0x09:
                            buffer[position + 1] = UInt8(ascii: "t")
                        default:
                            // The other control characters and DEL.
                            buffer[position + 1] = UInt8(ascii: "u")
                            buffer[position + 2] = UInt8(ascii: "0")
                            buffer[position + 3] = UInt8(ascii: "0")
                            buffer[position + 4] = hexDigits[Int(byte >> 4)]
                            buffer[position + 5] = hexDigits[Int(byte & 0x0F)]
                        }
                        position += Int(lengths[Int(byte)])
                    }
                    buffer[position] = UInt8(ascii: "\"")
                    output.append(contentsOf: UnsafeBufferPointer(buffer))
                }
            }
        }
    }

    /// The number of bytes each byte takes in a JSON string. Most take 1, as they are. A quote, a
    /// backslash, a line feed, a carriage return and a tab take 2 (`\"`, `\n`). The other control
    /// characters and DEL take 6 (`\u00XX`).
    private static let escapedLengths: [UInt8] = (0..<256).map { byte in
        switch byte {
        case 0x22, 0x5C, 0x0A, 0x0D, 0x09: 2
        case 0..<0x20, 0x7F: 6
        default: 1
        }
    }
}
