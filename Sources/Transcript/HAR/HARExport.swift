import HTTP
import SCIM

/// Writes a transcript as a HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/),
/// for viewing in browser developer tools, mitmproxy, Fiddler or Charles.
public enum HARExport {
    /// Builds the HAR document. `base` is the absolute SCIM base URL that the transcript's
    /// relative paths are appended to; `tool` names the creator.
    public static func document(_ transcript: Transcript, base: BaseURL, tool: String) -> JSONValue {
        let start = transcript.source.recordedAt.flatMap(SCIMDateTime.parse) ?? 0
        let entries: [JSONValue] = transcript.exchanges.enumerated().map { index, exchange in
            // A transcript keeps no timings, so entries are spaced one millisecond apart to keep
            // their order in tools that sort by start time.
            entry(exchange, base: base, started: start + Double(index) / 1000)
        }
        let creatorParts = tool.split(separator: " ", maxSplits: 1)
        var creator = JSONObject()
        creator["name"] = .string(creatorParts.first.map(String.init) ?? tool)
        creator["version"] = .string(creatorParts.count > 1 ? String(creatorParts[1]) : "")
        var log = JSONObject()
        log["version"] = "1.2"
        log["creator"] = .object(creator)
        log["pages"] = []
        log["entries"] = .array(entries)
        log["comment"] = .string("\(transcript.name): \(transcript.description)")
        return ["log": .object(log)]
    }

    private static func entry(_ exchange: Exchange, base: BaseURL, started: Double) -> JSONValue {
        let url = base.description + exchange.request.path
        let (_, query) = RequestTarget.split(exchange.request.path)
        let requestBody = exchange.request.body.bytes
        let responseBody = exchange.response.body.bytes

        var request = JSONObject()
        request["method"] = .string(exchange.request.method)
        request["url"] = .string(url)
        request["httpVersion"] = "HTTP/1.1"
        request["cookies"] = []
        request["headers"] = headers(exchange.request.headers)
        request["queryString"] = .array(
            RequestTarget.queryItems(query ?? "").map { ["name": .string($0.name), "value": .string($0.value)] })
        if !requestBody.isEmpty {
            var postData = JSONObject()
            postData["mimeType"] = .string(exchange.request.headers["Content-Type"] ?? "")
            postData["params"] = []
            postData["text"] = .string(String(decoding: requestBody, as: UTF8.self))
            if case .binary(let bytes) = exchange.request.body {
                // HAR 1.2 defines `encoding` only for `content`. The HAR 1.3 proposal adds it to
                // `postData`, where `HAREntry` reads it, and the comment explains the text to
                // readers that ignore the member.
                postData["text"] = .string(RecordedBody.base64(bytes))
                postData["encoding"] = "base64"
                postData["comment"] = "The text is base64, because the body is not valid UTF-8."
            }
            request["postData"] = .object(postData)
        }
        request["headersSize"] = -1
        request["bodySize"] = .number(JSONNumber(requestBody.count))

        var content = JSONObject()
        content["size"] = .number(JSONNumber(responseBody.count))
        content["mimeType"] = .string(exchange.response.headers["Content-Type"] ?? "")
        if case .binary(let bytes) = exchange.response.body {
            content["text"] = .string(RecordedBody.base64(bytes))
            content["encoding"] = "base64"
        } else if !responseBody.isEmpty {
            content["text"] = .string(String(decoding: responseBody, as: UTF8.self))
        }
        var response = JSONObject()
        response["status"] = .number(JSONNumber(exchange.response.status))
        response["statusText"] = .string(HTTPStatus.standardReasonPhrase(for: exchange.response.status))
        response["httpVersion"] = "HTTP/1.1"
        response["cookies"] = []
        response["headers"] = headers(exchange.response.headers)
        response["content"] = .object(content)
        response["redirectURL"] = .string(exchange.response.headers["Location"] ?? "")
        response["headersSize"] = -1
        response["bodySize"] = .number(JSONNumber(responseBody.count))

        var entry = JSONObject()
        entry["startedDateTime"] = .string(SCIMDateTime.format(started))
        entry["time"] = 0
        entry["request"] = .object(request)
        entry["response"] = .object(response)
        entry["cache"] = [:]
        entry["timings"] = ["send": 0, "wait": 0, "receive": 0]
        if let description = exchange.description {
            entry["comment"] = .string(description)
        }
        return .object(entry)
    }

    private static func headers(_ headers: HTTPHeaders) -> JSONValue {
        .array(headers.map { ["name": .string($0.name), "value": .string($0.value)] })
    }
}
