import Foundation

extension RecordedBody {
    /// Returns `bytes` as standard base64 (RFC 4648 section 4) with padding and without line breaks.
    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Returns the bytes of standard base64 text, or `nil` unless the text is exactly what
    /// `base64(_:)` writes for them: padded, without line breaks or other characters, and with
    /// zero bits after the last byte. The strict form keeps a transcript's text and bytes in
    /// one-to-one correspondence.
    static func bytes(base64 text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text) else {
            return nil
        }
        let bytes = [UInt8](data)
        return base64(bytes) == text ? bytes : nil
    }

    /// Returns `bytes` with each maximal run of valid UTF-8 passed through `transform`, and each
    /// invalid sequence copied unchanged. A valid UTF-8 string, such as a bearer token or a
    /// credential, occurs in the bytes only inside one run, because the parser never reads a byte
    /// that starts a character as part of the sequence before it.
    static func transformingValidRuns(of bytes: [UInt8], _ transform: (String) -> String) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var runStart = 0
        var position = 0
        func flushRun() {
            if position > runStart {
                result.append(contentsOf: transform(String(decoding: bytes[runStart..<position], as: UTF8.self)).utf8)
            }
        }
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                position += scalar.count
            case .error(let length):
                flushRun()
                result.append(contentsOf: bytes[position..<position + length])
                position += length
                runStart = position
            case .emptyInput:
                break parsing
            }
        }
        flushRun()
        return result
    }
}
