import Foundation
import HTTP
import SCIM

/// One HAR 1.2 entry, read leniently: the fields scimtape needs, from the variants that
/// mitmproxy, Fiddler, browser developer tools and Charles write.
struct HAREntry {
    /// 0-based position in `log.entries`.
    let index: Int
    let startedDateTime: Double?
    let method: String
    let url: HARURL
    let requestHeaders: HTTPHeaders
    let requestBody: [UInt8]
    /// 0 when the tool saw no response (the request failed or was aborted).
    let status: Int
    let responseHeaders: HTTPHeaders
    let responseBody: [UInt8]

    init(json: JSONValue, index: Int, path: JSONPath) throws(HARError) {
        guard let entry = json.objectValue else {
            throw HARError(path: path, message: "expected an object, found \(json.typeName)")
        }
        let requestPath = path.appending(key: "request")
        guard let request = entry["request"]?.objectValue else {
            throw HARError(path: requestPath, message: "the entry has no request object")
        }
        guard let method = request["method"]?.stringValue, !method.isEmpty else {
            throw HARError(path: requestPath.appending(key: "method"), message: "the request has no method")
        }
        guard let urlText = request["url"]?.stringValue, let url = HARURL(urlText) else {
            throw HARError(
                path: requestPath.appending(key: "url"), message: "the request URL is missing or not an absolute URL")
        }
        self.index = index
        self.method = method.uppercased()
        self.url = url
        startedDateTime = entry["startedDateTime"]?.stringValue.flatMap(SCIMDateTime.parse)
        requestHeaders = HAREntry.headers(request["headers"])
        requestBody = try HAREntry.requestBody(request["postData"], path: requestPath.appending(key: "postData"))

        let responsePath = path.appending(key: "response")
        let response = entry["response"]?.objectValue ?? JSONObject()
        status = try HAREntry.status(response["status"], entry: index + 1, path: responsePath.appending(key: "status"))
        var headers = HAREntry.headers(response["headers"])
        // HAR keeps the decoded body, so the encoding and length the server sent no longer apply.
        for name in ["Content-Encoding", "Content-Length", "Transfer-Encoding"] {
            headers.remove(name: name)
        }
        responseHeaders = headers
        responseBody = try HAREntry.content(response["content"], path: responsePath.appending(key: "content"))
    }

    /// Reads `response.status`, an integer: 0 for a request that got no response, and otherwise
    /// an HTTP status code. An absent status counts as 0. A string of decimal digits such as
    /// `"201"`, which some converters write although HAR 1.2 specifies a number, is read as that
    /// number. An integer outside 100 to 599, such as the 999 some servers send, is read here and
    /// its entry is dropped later, because one odd response does not make the file damaged.
    private static func status(_ value: JSONValue?, entry: Int, path: JSONPath) throws(HARError) -> Int {
        guard let value else {
            return 0
        }
        let code: Int?
        switch value {
        case .number(let number):
            code = number.intValue
        case .string(let text) where !text.isEmpty && text.utf8.allSatisfy({ (0x30...0x39).contains($0) }):
            code = Int(text)
        default:
            code = nil
        }
        if let code {
            return code
        }
        var found: String
        switch value {
        case .array, .object:
            found = "an \(value.typeName)"
        default:
            found = value.serialized()
        }
        if found.count > 40 {
            found = found.prefix(40) + "…"
        }
        throw HARError(
            path: path,
            message: "entry \(entry) has the status \(found), which is not an integer. "
                + "Write an integer from 100 to 599, or 0 for an entry without a response, or remove the entry.")
    }

    /// Header fields in order. HTTP/2 pseudo-headers (`:authority`, `:path`) are not header
    /// fields (RFC 9113 section 8.3) and are dropped.
    private static func headers(_ value: JSONValue?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for item in value?.arrayValue ?? [] {
            guard let name = item["name"]?.stringValue, !name.isEmpty, !name.hasPrefix(":") else {
                continue
            }
            headers.add(name: name, value: item["value"]?.stringValue ?? "")
        }
        return headers
    }

    /// Returns the request body from `postData.text`, base64-decoded when `encoding` is base64 (Charles and
    /// some Fiddler versions), or rebuilt from `postData.params` for form posts without text.
    private static func requestBody(_ value: JSONValue?, path: JSONPath) throws(HARError) -> [UInt8] {
        guard let postData = value?.objectValue else {
            return []
        }
        if let text = postData["text"]?.stringValue {
            return try decode(text, encoding: postData["encoding"]?.stringValue, path: path)
        }
        let params = postData["params"]?.arrayValue ?? []
        let pairs = params.compactMap { param -> String? in
            guard let name = param["name"]?.stringValue else {
                return nil
            }
            let value = param["value"]?.stringValue ?? ""
            return RequestTarget.encodeFormValue(name) + "=" + RequestTarget.encodeFormValue(value)
        }
        return Array(pairs.joined(separator: "&").utf8)
    }

    /// Returns the response body from `content.text`. An absent text, from a tool that did not
    /// keep the body, is an empty body.
    private static func content(_ value: JSONValue?, path: JSONPath) throws(HARError) -> [UInt8] {
        guard let content = value?.objectValue, let text = content["text"]?.stringValue else {
            return []
        }
        return try decode(text, encoding: content["encoding"]?.stringValue, path: path)
    }

    private static func decode(_ text: String, encoding: String?, path: JSONPath) throws(HARError) -> [UInt8] {
        guard let encoding, !encoding.isEmpty else {
            return Array(text.utf8)
        }
        guard encoding.lowercased() == "base64" else {
            throw HARError(
                path: path.appending(key: "encoding"),
                message: "encoding '\(encoding)' is not supported; expected base64")
        }
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw HARError(path: path.appending(key: "text"), message: "the text is not valid base64")
        }
        return [UInt8](data)
    }
}

/// An absolute URL split into the parts a HAR import needs.
struct HARURL {
    /// Lowercased `scheme://host[:port]`.
    let origin: String
    /// The path, percent-encoded as in the HAR, starting with `/`.
    let path: String
    /// The query string without `?`, or `nil`.
    let query: String?

    init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else {
            return nil
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return nil
        }
        var rest = text[schemeEnd.upperBound...]
        if let fragment = rest.firstIndex(of: "#") {
            rest = rest[..<fragment]
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        guard !authority.isEmpty else {
            return nil
        }
        origin = "\(scheme)://\(authority.lowercased())"
        let target = String(rest[authorityEnd...])
        let (path, query) = RequestTarget.split(target)
        self.path = path.isEmpty ? "/" : HARURL.encodeUnsafeCharacters(path)
        self.query = query.map(HARURL.encodeUnsafeCharacters)
    }

    /// Percent-encodes spaces, control characters and non-ASCII characters, which some tools
    /// write decoded, and leaves everything else (including existing escapes) as it is.
    static func encodeUnsafeCharacters(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            if byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") {
                output += String(format: "%%%02X", byte)
            } else {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return output
    }
}
