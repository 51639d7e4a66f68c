import Foundation
import HTTP
import SCIM

/// The header names and JSON member names whose values are replaced with `[redacted]` before an
/// exchange is written anywhere.
///
/// Header values are replaced as `SecretRedaction` does. A JSON member is matched by name,
/// ignoring case, at any depth of a request or response body, and its value becomes the string
/// `[redacted]` whatever its type. PATCH operations whose `path` names a listed member have their
/// `value` replaced too. Bearer tokens and JWTs in the request target, such as an
/// `access_token` query parameter, become `%5Bredacted%5D` whatever the parameter's name.
public struct SecretPolicy: Sendable, Equatable {
    /// JSON members replaced by default: the SCIM `password` attribute (RFC 7643 section 4.1.1),
    /// which a client may send on create and which must never be stored.
    /// Also OAuth 2.0's `access_token`, `refresh_token` and `client_secret` (RFC 6749), and the
    /// names that API keys commonly go by.
    public static let defaultJSONFields: Set<String> = [
        "password", "access_token", "refresh_token", "client_secret", "secret", "apitoken", "api_key", "apikey",
    ]

    /// Credentials shorter than this are not searched for elsewhere in an exchange: replacing every
    /// `abc` would garble bodies.
    static let minimumEchoLength = 8

    /// Lowercased header names whose values are replaced.
    public private(set) var headers: Set<String>
    /// `headers`, for lookups that do not lowercase each name.
    public let headerNames: HeaderNameSet
    /// Lowercased JSON member names whose values are replaced.
    public private(set) var jsonFields: Set<String>
    /// The UTF-8 bytes of `jsonFields`, for searching raw bodies.
    private let jsonFieldBytes: [[UInt8]]
    /// A table of the 256 byte values, true where a byte with bit 0x20 set starts a name of `jsonFields`.
    private let jsonFieldStarts: [Bool]
    /// A table of the 256 byte values, 1 for the bytes `mayContainListedField` must look at: a
    /// byte of `jsonFieldStarts`, a backslash, a percent sign, and every byte of a non-ASCII character.
    private let scanStops: [UInt8]
    /// A bit set over byte pairs, with bit 0x20 set in both bytes, of the first two bytes of each
    /// name of `jsonFields`. Most letters that start no name are passed over after one lookup.
    /// Empty when a name has one byte.
    private let namePrefixes: [UInt64]

    public init(extraHeaders: [String] = [], extraJSONFields: [String] = []) {
        headers = SecretRedaction.secretHeaders.union(extraHeaders.map { $0.lowercased() })
        headerNames = HeaderNameSet(headers)
        jsonFields = SecretPolicy.defaultJSONFields.union(extraJSONFields.map { $0.lowercased() })
        jsonFieldBytes = jsonFields.sorted().map { Array($0.utf8) }.filter { !$0.isEmpty }
        var starts = [Bool](repeating: false, count: 256)
        for name in jsonFieldBytes {
            starts[Int(name[0] | 0x20)] = true
        }
        jsonFieldStarts = starts
        var prefixes = [UInt64](repeating: 0, count: 1024)
        for name in jsonFieldBytes where name.count >= 2 {
            let key = Int(name[0] | 0x20) << 8 | Int(name[1] | 0x20)
            prefixes[key >> 6] |= 1 << UInt64(key & 63)
        }
        namePrefixes = jsonFieldBytes.contains { $0.count < 2 } ? [] : prefixes
        scanStops = (0..<256).map { byte in
            starts[byte | 0x20] || byte == Int(UInt8(ascii: "\\")) || byte == Int(UInt8(ascii: "%")) || byte >= 0x80
                ? 1 : 0
        }
    }

    /// Returns the exchange with every listed header and JSON member, and every token in the
    /// request target, replaced.
    public func apply(to exchange: Exchange) -> Exchange {
        apply(to: exchange, sentCredentials: sentCredentials(exchange.request.headers))
    }

    /// Returns an exchange as a recorder writes it, with the findings of the secret scan: the
    /// policy applied, then every value the scan finds replaced. `number` is the exchange's place,
    /// which the findings name. `record` and `simulate` both capture exchanges this way.
    public func redactForRecording(_ exchange: Exchange, sentCredentials sent: [String], number: Int) -> (
        Exchange, [SecretFinding]
    ) {
        SecretScan.redactFindings(in: apply(to: exchange, sentCredentials: sent), number: number)
    }

    /// Returns `apply(to:)` with the spellings of the request's credentials computed already by
    /// `sentCredentials(_:)`.
    public func apply(to exchange: Exchange, sentCredentials sent: [String]) -> Exchange {
        var redacted = exchange
        if !sent.isEmpty {
            redacted = Self.replacing(sent, in: redacted)
        }
        let exchange = redacted
        redacted.request.path = SecretScan.redactCredentials(inPath: exchange.request.path)
        redacted.request.headers = apply(to: exchange.request.headers)
        redacted.request.body = apply(to: exchange.request.body)
        redacted.response.headers = apply(to: exchange.response.headers)
        redacted.response.body = apply(to: exchange.response.body)
        for (name, expectation) in exchange.expectations.profiles {
            redacted.expectations.profiles[name]?.body = expectation.body.map(apply(to:))
        }
        return redacted
    }

    /// Returns the credentials the client sent in listed headers: the part after the scheme of
    /// `Authorization: Bearer abc`, and each value of `Cookie: a=b; c=d`. The same values are
    /// replaced wherever else the exchange contains them (a query parameter, a body member, an echo
    /// in the response), because the header's redaction alone would leave those copies.
    public func sentCredentials(_ headers: HTTPHeaders) -> [String] {
        var values: [String] = []
        for field in headers where headerNames.contains(field.name) {
            let value = Self.trimmingSpaces(field.value)
            if field.name.lowercased().hasSuffix("cookie") {
                // Pairs are separated by `;`, by `,` in old clients; a pair without `=` is a value too.
                for pair in value.split(whereSeparator: { $0 == ";" || $0 == "," }) {
                    if let equals = pair.firstIndex(of: "=") {
                        values.append(Self.trimmingSpaces(String(pair[pair.index(after: equals)...])))
                    } else {
                        values.append(Self.trimmingSpaces(String(pair)))
                    }
                }
            } else if let space = value.utf8.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            {
                values.append(Self.trimmingSpaces(String(value[value.index(after: space)...])))
            } else {
                values.append(value)
            }
            // Each word counts too, so that a part the upstream echoes alone is found: the token
            // of `Bearer<TAB>token x`, or the first word of a value without a scheme.
            let words = Self.words(of: value)
            // `Bearer token` gave its one word above already.
            let wordAdded =
                words.count == 2 && values.last == words[1]
                && SecretRedaction.knownSchemes.contains(words[0].lowercased())
            if words.count > 1 && !wordAdded {
                values += words.filter { !SecretRedaction.knownSchemes.contains($0.lowercased()) }
            }
        }
        let long = values.filter { $0.count >= Self.minimumEchoLength && $0 != SecretRedaction.placeholder }
        // The search ignores ASCII letter case, so spellings that differ only in case, such as the
        // hex digits of escapes, are searched for once.
        var seen = Set<[UInt8]>()
        return Array(Set(long.flatMap(Self.spellings))).sorted { $0.count > $1.count }.filter {
            seen.insert($0.utf8.map(CaseInsensitiveBytes.lowercased)).inserted
        }
    }

    /// Returns the words of a header value, separated by spaces, tabs, no-break spaces, `,` or `;`.
    /// The bytes are split directly, because this runs for every listed header of every exchange.
    static func words(of value: String) -> [String] {
        var value = value
        return value.withUTF8 { bytes in
            var words: [String] = []
            var start = 0
            var index = 0
            while index <= bytes.count {
                var separatorLength = 0
                if index == bytes.count {
                    separatorLength = 1
                } else {
                    switch bytes[index] {
                    case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ","), UInt8(ascii: ";"):
                        separatorLength = 1
                    case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0xA0:
                        separatorLength = 2
                    default:
                        break
                    }
                }
                if separatorLength > 0 {
                    if index > start {
                        words.append(
                            String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                    }
                    start = index + separatorLength
                    index += separatorLength
                } else {
                    index += 1
                }
            }
            return words
        }
    }

    /// Returns whether a field name of `headers` contains one of `sent`, the spellings of the
    /// credentials from `sentCredentials(_:)`, in any ASCII letter case.
    public func headerNameContainsSentCredential(_ headers: HTTPHeaders, sent: [String]) -> Bool {
        !sent.isEmpty && headers.fields.contains { !CaseInsensitiveBytes.ranges(of: sent, in: $0.name).isEmpty }
    }

    /// Returns a request target with `sent` (from `sentCredentials(_:)`), bearer tokens and JWTs
    /// replaced by `%5Bredacted%5D`, as `apply(to:sentCredentials:)` replaces them in the recorded
    /// path. A log line shows this form, so that it contains no more than the transcript.
    public func redactingTarget(_ target: String, sent: [String]) -> String {
        let replaced = sent.isEmpty ? target : Self.replacingEvery(sent, in: target, with: "%5Bredacted%5D")
        return SecretScan.redactCredentials(inPath: replaced)
    }

    /// Returns a message about a request, for a log line or an error body, with `sent` (from
    /// `sentCredentials(_:)`) replaced, and bearer tokens, JWTs and a URL's user information too. A message may quote a header name or target that contains one.
    public func redactingMessage(_ message: String, sent: [String]) -> String {
        let replaced = Self.replacingEvery(sent, in: message, with: SecretRedaction.placeholder)
        return SecretScan.redactUserInformation(in: SecretScan.redactCredentials(inText: replaced))
    }

    /// Returns the spellings a copy of a credential may take, for a search that ignores ASCII
    /// letter case. They are the credential as sent and without the quotes of a quoted cookie
    /// value, and the base64 encodings of the latter from `base64Encodings(of:)`. Each of those is
    /// also escaped as a JSON string (`/` as `\/` too, and non-ASCII characters as `\u` escapes),
    /// and percent-encoded with upper- and lowercase hex digits.
    public static func spellings(of credential: String) -> [String] {
        var bare = credential
        if bare.count >= 2, bare.hasPrefix("\""), bare.hasSuffix("\"") {
            bare = String(bare.dropFirst().dropLast())
        }
        var spellings = [credential]
        for form in [bare] + base64Encodings(of: bare) {
            spellings += escapedSpellings(of: form)
        }
        return Array(Set(spellings)).filter { $0.count >= minimumEchoLength }
    }

    /// Returns the base64 encodings of the UTF-8 bytes of `value` (RFC 4648 sections 4 and 5), in
    /// the standard and the URL-safe alphabet, each with and without `=` padding.
    public static func base64Encodings(of value: String) -> [String] {
        let standard = Data(value.utf8).base64EncodedString()
        let urlSafe = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        var encodings: [String] = []
        for padded in Set([standard, urlSafe]) {
            encodings.append(padded)
            let unpadded = padded.prefix { $0 != "=" }
            if unpadded.count < padded.count {
                encodings.append(String(unpadded))
            }
        }
        return encodings
    }

    /// Returns `bare`, and `bare` escaped as a JSON string and percent-encoded where that changes it.
    private static func escapedSpellings(of bare: String) -> [String] {
        var spellings = [bare]
        // Letters, digits and `-._~` (base64url, JWTs, hex) need no escaping in JSON or in a
        // query, so the other spellings would be the same.
        if bare.utf8.allSatisfy(RequestTarget.isUnreserved) {
            return spellings
        }
        // JSON writers differ on `/`: some write `\/`, most leave it.
        for escapesSlash in [true, false] {
            var escaped = ""
            for character in bare {
                switch character {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "/" where escapesSlash: escaped += "\\/"
                case "\t": escaped += "\\t"
                default: escaped.append(character)
                }
            }
            spellings.append(escaped)
            // JSON may also write each non-ASCII character as `\uXXXX` escapes of its UTF-16 units.
            if !bare.utf8.allSatisfy({ $0 < 0x80 }) {
                for uppercase in [false, true] {
                    var unicodeEscaped = ""
                    for unit in escaped.utf16 {
                        if unit < 0x80 {
                            unicodeEscaped.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
                        } else {
                            let hex = String(unit, radix: 16, uppercase: uppercase)
                            unicodeEscaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                        }
                    }
                    spellings.append(unicodeEscaped)
                }
            }
        }
        let upper = RequestTarget.encodeQueryValue(bare)
        // The same encoding with lowercase hex digits: only the two characters after each `%`
        // change, because every other character is unreserved and kept as it is.
        var lower = ""
        var hexDigitsLeft = 0
        for character in upper {
            lower.append(hexDigitsLeft > 0 ? Character(character.lowercased()) : character)
            hexDigitsLeft = character == "%" ? 2 : max(0, hexDigitsLeft - 1)
        }
        spellings += [upper, lower]
        return spellings
    }

    /// Returns `value` without leading and trailing whitespace. A value without any is returned as
    /// it is, because Foundation's trimming costs more than the rest of this check.
    static func trimmingSpaces(_ value: String) -> String {
        let bytes = value.utf8
        guard let first = bytes.first, let last = bytes.last else {
            return value
        }
        if first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80 {
            return value
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    /// Replaces `secrets` in every string of the exchange. The values of listed headers are
    /// searched too, although `apply(to:)` replaces them afterwards, because that step keeps an
    /// `Authorization` value's scheme. A credential after a tab, or echoed alone by the upstream,
    /// would otherwise stay.
    static func replacing(_ secrets: [String], in exchange: Exchange) -> Exchange {
        // Many credentials (a cookie header of hundreds of values) are searched in one pass over
        // each string, because a search per credential over a body of megabytes takes seconds.
        let manySecrets = secrets.count > 8 ? ManyNeedles(secrets) : nil
        func text(_ value: String, placeholder: String = SecretRedaction.placeholder) -> String {
            if let manySecrets {
                return manySecrets.replacing(in: value, with: placeholder)
            }
            return Self.replacingEvery(secrets, in: value, with: placeholder)
        }
        func json(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let string): return .string(text(string))
            case .array(let elements): return .array(elements.map(json))
            case .object(let object):
                var result = JSONObject()
                for (key, member) in object {
                    result[key] = json(member)
                }
                return .object(result)
            default: return value
            }
        }
        func body(_ value: RecordedBody) -> RecordedBody {
            switch value {
            case .none: return .none
            case .text(let string): return .text(text(string))
            case .json(let document): return .json(json(document))
            case .binary(let bytes): return .binary(RecordedBody.transformingValidRuns(of: bytes) { text($0) })
            }
        }
        func headers(_ fields: HTTPHeaders) -> HTTPHeaders {
            HTTPHeaders(fields.fields.map { HTTPHeaders.Field(name: $0.name, value: text($0.value)) })
        }
        var result = exchange
        result.request.path = text(exchange.request.path, placeholder: "%5Bredacted%5D")
        result.request.headers = headers(exchange.request.headers)
        result.request.body = body(exchange.request.body)
        result.response.headers = headers(exchange.response.headers)
        result.response.body = body(exchange.response.body)
        return result
    }

    /// Returns whether raw body bytes may hold a listed JSON member, by looking for each name
    /// without regard to ASCII case. A body for which this is false needs no parsing to be redacted.
    /// Three kinds of bytes count as possible matches too. A `\u` escape may spell a name
    /// (`"\u0070assword"`), and so may a `%XX` escape in a form (`pass%77ord=`). A non-ASCII
    /// character may lowercase to a listed name's letter (the Kelvin sign to `k`).
    public func mayContainListedField(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { mayContainListedField($0) }
    }

    /// Returns `mayContainListedField(_:)` for the UTF-8 bytes of a string, without copying them.
    public func mayContainListedField(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { mayContainListedField($0) }
    }

    private func mayContainListedField(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let usesPrefixes = !namePrefixes.isEmpty
        return scanStops.withUnsafeBufferPointer { stops in
            let count = buffer.count
            for index in 0..<count where stops[Int(buffer[index])] != 0 {
                let byte = buffer[index]
                if byte == UInt8(ascii: "\\") && index + 1 < count && buffer[index + 1] == UInt8(ascii: "u") {
                    return true
                }
                // A percent-encoded byte may spell a name in a form body (`pass%77ord=`).
                if byte == UInt8(ascii: "%") {
                    if index + 2 < count && RequestTarget.hexValue(buffer[index + 1]) != nil
                        && RequestTarget.hexValue(buffer[index + 2]) != nil
                    {
                        return true
                    }
                    continue
                }
                // A non-ASCII name may lowercase to a listed one (the Kelvin sign to "k").
                if byte >= 0x80 {
                    return true
                }
                if usesPrefixes {
                    guard index + 1 < count else {
                        continue
                    }
                    let key = Int(byte | 0x20) << 8 | Int(buffer[index + 1] | 0x20)
                    if namePrefixes[key >> 6] & (1 << UInt64(key & 63)) == 0 {
                        continue
                    }
                }
                for name in jsonFieldBytes where byte | 0x20 == name[0] | 0x20 && index + name.count <= count {
                    var position = 1
                    while position < name.count && buffer[index + position] | 0x20 == name[position] | 0x20 {
                        position += 1
                    }
                    if position == name.count {
                        return true
                    }
                }
            }
            return false
        }
    }

    public func apply(to headers: HTTPHeaders) -> HTTPHeaders {
        SecretRedaction.redact(headers, names: headerNames)
    }

    public func apply(to body: RecordedBody) -> RecordedBody {
        switch body {
        case .json(let value) where !jsonFields.isEmpty && containsListedField(value):
            return .json(redact(value))
        case .text(let text) where !jsonFields.isEmpty && mayContainListedField(text):
            return .text(redactText(text))
        case .binary(let bytes) where !jsonFields.isEmpty && mayContainListedField(bytes):
            // The bytes stay binary unless the replaced values contained every invalid sequence.
            return redactBytes(bytes).map { RecordedBody(bytes: $0) } ?? body
        default:
            return body
        }
    }

    /// Replaces the values of listed members in a body kept as text, because it is not JSON the
    /// reader accepts (a duplicate key, text after the document, nesting beyond the limit) or not
    /// JSON at all. A body that starts like JSON is read token by token: a member whose name,
    /// unescaped, is listed gets `"[redacted]"` whatever its value's type, and so does the `value`
    /// of an object whose `path` names a listed member. Any other body is read as a form:
    /// `name=value` pairs separated by `&` or `;`, where `user[password]` and `user.password`
    /// count as `password`.
    ///
    /// The content of a multipart part whose `Content-Disposition` names a listed field is
    /// replaced too.
    func redactText(_ text: String) -> String {
        guard let redacted = redactBytes(Array(text.utf8)) else {
            return text
        }
        return String(decoding: redacted, as: UTF8.self)
    }

    /// Replaces the values of listed members as `redactText(_:)` does, in bytes that need not be
    /// valid UTF-8, and leaves every other byte as it is. Returns `nil` when no value is listed.
    func redactBytes(_ bytes: [UInt8]) -> [UInt8]? {
        let first = bytes.first { !Self.isJSONSpace($0) }
        let startsLikeJSON = first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        let ranges =
            startsLikeJSON
            ? listedJSONValues(in: bytes) : listedFormValues(in: bytes) + listedMultipartValues(in: bytes)
        guard !ranges.isEmpty else {
            return nil
        }
        let placeholder = Array(
            (startsLikeJSON ? "\"\(SecretRedaction.placeholder)\"" : SecretRedaction.placeholder).utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var copied = 0
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.lowerBound >= copied {
            result.append(contentsOf: bytes[copied..<range.lowerBound])
            result.append(contentsOf: placeholder)
            copied = range.upperBound
        }
        result.append(contentsOf: bytes[copied...])
        return result
    }

    /// Returns the byte ranges of the values to replace in JSON-like text, read token by token
    /// without requiring the text to be valid.
    private func listedJSONValues(in bytes: [UInt8]) -> [Range<Int>] {
        struct Object {
            var pathIsListed = false
            var value: Range<Int>?
        }
        var ranges: [Range<Int>] = []
        var objects: [Object] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                objects.append(Object())
                index += 1
            case UInt8(ascii: "}"):
                if let object = objects.popLast(), object.pathIsListed, let value = object.value {
                    ranges.append(value)
                }
                index += 1
            case UInt8(ascii: "\""):
                let end = Self.stringEnd(in: bytes, openingAt: index)
                guard end < bytes.count, let value = Self.jsonValueRange(in: bytes, after: end + 1) else {
                    index = end + 1
                    continue
                }
                let name = Self.decodedString(bytes[index...end])
                if isListed(name) {
                    ranges.append(value)
                    index = value.upperBound
                    continue
                }
                let plainName = Self.trimmingSpaces(name).lowercased()
                if plainName == "path", bytes[value.lowerBound] == UInt8(ascii: "\""), !objects.isEmpty {
                    objects[objects.count - 1].pathIsListed = namesListedField(Self.decodedString(bytes[value]))
                } else if plainName == "value", !objects.isEmpty {
                    objects[objects.count - 1].value = value
                }
                index = end + 1
            default:
                index += 1
            }
        }
        return ranges
    }

    /// Returns the byte ranges of the contents of multipart parts (RFC 7578) whose
    /// `Content-Disposition` names a listed field: from the blank line after the part's header to
    /// the line break before the next boundary.
    private func listedMultipartValues(in bytes: [UInt8]) -> [Range<Int>] {
        let marker = Array("name=\"".utf8)
        let blankLine: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        let nextBoundary: [UInt8] = [0x0D, 0x0A, UInt8(ascii: "-"), UInt8(ascii: "-")]
        var ranges: [Range<Int>] = []
        var searchFrom = 0
        while let found = bytes[searchFrom...].firstRange(of: marker) {
            let nameStart = found.upperBound
            guard let nameEnd = bytes[nameStart...].firstIndex(of: UInt8(ascii: "\"")) else {
                break
            }
            searchFrom = nameEnd
            let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
            guard isListedFormName(name), let header = bytes[nameEnd...].firstRange(of: blankLine) else {
                continue
            }
            let contentEnd = bytes[header.upperBound...].firstRange(of: nextBoundary)?.lowerBound ?? bytes.count
            if header.upperBound < contentEnd {
                ranges.append(header.upperBound..<contentEnd)
            }
            searchFrom = contentEnd
        }
        return ranges
    }

    /// Returns the byte ranges of the values of listed names in a form body.
    private func listedFormValues(in bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        let separators: Set<UInt8> = [UInt8(ascii: "&"), UInt8(ascii: ";"), 0x0A, 0x0D]
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, !separators.contains(bytes[end]) {
                end += 1
            }
            if let equals = bytes[start..<end].firstIndex(of: UInt8(ascii: "=")) {
                let rawName = String(decoding: bytes[start..<equals], as: UTF8.self)
                let name = RequestTarget.percentDecode(rawName, plusIsSpace: true)
                if isListedFormName(name) && equals + 1 < end {
                    ranges.append((equals + 1)..<end)
                }
            }
            start = end + 1
        }
        return ranges
    }

    /// Returns whether a form field name is listed. `user[password]` and `user.password` count as
    /// `password`.
    private func isListedFormName(_ name: String) -> Bool {
        isListed(name.split(whereSeparator: { "[].".contains($0) }).last.map(String.init) ?? name)
    }

    /// Returns whether a byte is JSON whitespace (RFC 8259 section 2).
    static func isJSONSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Returns the index of the quote that closes the JSON string opening at `start`, or the end
    /// of `bytes` when it is not closed.
    static func stringEnd(in bytes: [UInt8], openingAt start: Int) -> Int {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") {
                return index
            }
            index += 1
        }
        return bytes.count
    }

    /// Returns the text of a JSON string token with its escapes decoded, or the raw text when the
    /// token is not a valid string.
    static func decodedString(_ token: ArraySlice<UInt8>) -> String {
        (try? JSONValue.parse(bytes: Array(token)))?.stringValue ?? String(decoding: token, as: UTF8.self)
    }

    /// Returns the range of the JSON value after a member name's closing quote at `start`: the
    /// colon and whitespace are skipped, and the value ends where JSON text would end it.
    static func jsonValueRange(in bytes: [UInt8], after start: Int) -> Range<Int>? {
        var index = start
        func skipSpace() {
            while index < bytes.count, isJSONSpace(bytes[index]) {
                index += 1
            }
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            return nil
        }
        index += 1
        skipSpace()
        guard index < bytes.count else {
            return nil
        }
        let valueStart = index
        var depth = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 {
                        return valueStart..<(index + 1)
                    }
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                if depth == 0 {
                    return valueStart..<index
                }
                depth -= 1
                if depth == 0 {
                    return valueStart..<(index + 1)
                }
            } else if depth == 0 && (byte == UInt8(ascii: ",") || isJSONSpace(byte)) {
                return valueStart..<index
            }
            index += 1
        }
        return valueStart..<bytes.count
    }

    private func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map(redact))
        case .object(let object):
            var result = JSONObject()
            let pathNamesField = object.value(matching: "path")?.stringValue.map(namesListedField) ?? false
            for (key, member) in object {
                if isListed(key) || (pathNamesField && key.lowercased() == "value") {
                    result[key] = .string(SecretRedaction.placeholder)
                } else {
                    result[key] = redact(member)
                }
            }
            return .object(result)
        default:
            return value
        }
    }

    /// Returns whether any member name or PATCH path in the value is listed, so that bodies
    /// without one are returned as they are instead of being rebuilt.
    private func containsListedField(_ value: JSONValue) -> Bool {
        switch value {
        case .array(let elements):
            return elements.contains(where: containsListedField)
        case .object(let object):
            for (key, member) in object {
                if isListed(key) || containsListedField(member) {
                    return true
                }
                if key.lowercased() == "path", let path = member.stringValue, namesListedField(path) {
                    return true
                }
            }
            return false
        default:
            return false
        }
    }

    /// Returns whether a member name is listed, ignoring case and surrounding whitespace, because a
    /// server that trims names would read `"password "` as `password`. A name qualified with its
    /// schema URN (RFC 7643 section 3.10), such as `urn:ietf:params:scim:schemas:core:2.0:User:password`,
    /// is listed when the attribute name after the last colon is.
    private func isListed(_ name: String) -> Bool {
        let plain = Self.trimmingSpaces(name).lowercased()
        if jsonFields.contains(plain) {
            return true
        }
        guard plain.hasPrefix("urn:"), let colon = plain.lastIndex(of: ":") else {
            return false
        }
        return jsonFields.contains(String(plain[plain.index(after: colon)...]))
    }

    /// Returns whether a PATCH path such as `password` or `urn:...:User:password` ends in a listed member.
    private func namesListedField(_ path: String) -> Bool {
        let last = path.split(whereSeparator: { $0 == "." || $0 == ":" }).last.map(String.init) ?? path
        return isListed(last)
    }
}

/// Strings of at least four bytes searched for together: each position of a text is looked up by
/// its first four bytes, so the time grows with the text, not with the number of strings.
extension SecretPolicy {
    /// Returns `text` with every occurrence of each secret, in any ASCII letter case, replaced.
    /// Occurrences that overlap or touch become one placeholder, so that no part of either is
    /// left: cookie values `AAAAXBBBB` and `BBBBYCCCC` in `AAAAXBBBBYCCCC` leave nothing of
    /// `BBBBYCCCC`, which replacing one secret after the other did.
    static func replacingEvery(_ secrets: [String], in text: String, with placeholder: String) -> String {
        let ranges = CaseInsensitiveBytes.ranges(of: secrets, in: text)
        guard !ranges.isEmpty else {
            return text
        }
        return String(decoding: replacing(merged(ranges), in: Array(text.utf8), with: placeholder), as: UTF8.self)
    }

    /// Returns the ranges sorted, with overlapping and touching ones joined.
    public static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// Returns `bytes` with each of the sorted, disjoint `ranges` replaced by `placeholder`.
    public static func replacing(
        _ ranges: [Range<Int>], in bytes: some RandomAccessCollection<UInt8>, with placeholder: String
    ) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var copied = 0
        for range in ranges {
            result.append(contentsOf: bytes.dropFirst(copied).prefix(range.lowerBound - copied))
            result.append(contentsOf: placeholder.utf8)
            copied = range.upperBound
        }
        result.append(contentsOf: bytes.dropFirst(copied))
        return result
    }
}

struct ManyNeedles {
    /// The needles with ASCII letters lowercased, by the first four bytes of each.
    private var byPrefix: [UInt32: [[UInt8]]] = [:]

    init(_ needles: [String]) {
        for needle in needles.sorted(by: { $0.utf8.count > $1.utf8.count }) where needle.utf8.count >= 4 {
            let bytes = needle.utf8.map(CaseInsensitiveBytes.lowercased)
            byPrefix[Self.prefix(bytes, at: 0), default: []].append(bytes)
        }
    }

    private static func prefix<C: RandomAccessCollection>(_ bytes: C, at index: C.Index) -> UInt32
    where C.Element == UInt8 {
        var value: UInt32 = 0
        var position = index
        for _ in 0..<4 {
            value = value << 8 | UInt32(CaseInsensitiveBytes.lowercased(bytes[position]))
            position = bytes.index(after: position)
        }
        return value
    }

    /// Returns `text` with every occurrence of a needle, in any ASCII letter case, replaced.
    /// Occurrences that overlap or touch become one placeholder, as in `SecretPolicy.replacingEvery`.
    func replacing(in text: String, with placeholder: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4 else {
            return text
        }
        var ranges: [Range<Int>] = []
        for index in 0...(bytes.count - 4) {
            guard let candidates = byPrefix[Self.prefix(bytes, at: index)],
                let match = candidates.first(where: {
                    index + $0.count <= bytes.count
                        && bytes[index..<(index + $0.count)].elementsEqual($0) {
                            CaseInsensitiveBytes.lowercased($0) == $1
                        }
                })
            else {
                continue
            }
            // The needles are sorted longest first, so this is the longest one that starts here.
            ranges.append(index..<(index + match.count))
        }
        guard !ranges.isEmpty else {
            return text
        }
        let replaced = SecretPolicy.replacing(SecretPolicy.merged(ranges), in: bytes, with: placeholder)
        return String(decoding: replaced, as: UTF8.self)
    }
}
