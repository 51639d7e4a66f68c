import HTTP
import SCIM

extension Transcript {
    /// The JSON document, with members in a fixed order so that files diff cleanly.
    public var json: JSONValue {
        var root = JSONObject()
        root["format"] = .string(Transcript.formatName)
        root["version"] = .number(JSONNumber(Transcript.currentVersion))
        root["name"] = .string(name)
        root["description"] = .string(description)
        var sourceObject = JSONObject()
        sourceObject["kind"] = .string(source.kind.rawValue)
        sourceObject["tool"] = source.tool.map(JSONValue.string)
        sourceObject["scenario"] = source.scenario.map(JSONValue.string)
        sourceObject["dialect"] = source.dialect.map(JSONValue.string)
        sourceObject["profile"] = source.profile.map(JSONValue.string)
        sourceObject["recordedAt"] = source.recordedAt.map(JSONValue.string)
        sourceObject["notes"] = source.notes.map(JSONValue.string)
        root["source"] = .object(sourceObject)
        if !preconditions.isEmpty {
            root["preconditions"] = .array(preconditions.map(\.json))
        }
        root["exchanges"] = .array(exchanges.map(\.json))
        return .object(root)
    }

    /// The file contents: pretty JSON with a two-space indent and a final newline.
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        writeEncoded { output.append(contentsOf: $0) }
        return output
    }

    /// Passes the file contents of `encoded()` to `sink` in parts of about 1 MiB, so that a long
    /// transcript is written without building its whole JSON document in memory.
    public func writeEncoded(to sink: ([UInt8]) throws -> Void) rethrows {
        var encoder = TranscriptEncoder(metadata: self)
        for exchange in exchanges {
            try encoder.append(exchange, to: sink)
        }
        try encoder.finish(to: sink)
    }
}

/// Encodes a transcript's file contents one exchange at a time: the metadata first, then each
/// exchange as it is appended. The output is the same as `Transcript.encoded()` for the metadata
/// with those exchanges, and is passed on in parts of about 1 MiB.
public struct TranscriptEncoder {
    private var output: [UInt8]
    private var count = 0

    /// Starts with the metadata. Its own exchanges are ignored.
    public init(metadata: Transcript) {
        var head = metadata
        head.exchanges = []
        output = head.json.serializedBytes(.pretty)
        // The metadata ends with "exchanges": []\n} because exchanges is the root's last member.
        let closing = Array("[]\n}".utf8)
        precondition(Array(output.suffix(closing.count)) == closing, "exchanges is not the transcript's last member")
        output.removeLast(closing.count - 1)
    }

    /// The number of exchanges appended.
    public var exchangeCount: Int {
        count
    }

    /// Appends one exchange, passing the text so far to `sink` once it reaches about 1 MiB.
    public mutating func append(_ exchange: Exchange, to sink: ([UInt8]) throws -> Void) rethrows {
        if count > 0 {
            output.append(UInt8(ascii: ","))
        }
        count += 1
        output.append(contentsOf: "\n    ".utf8)
        exchange.json.writePretty(into: &output, level: 2)
        if output.count >= 1 << 20 {
            try sink(output)
            output.removeAll(keepingCapacity: true)
        }
    }

    /// Closes the exchanges array and the document, and passes the rest of the text to `sink`.
    public mutating func finish(to sink: ([UInt8]) throws -> Void) rethrows {
        output.append(contentsOf: (count > 0 ? "\n  ]\n}\n" : "]\n}\n").utf8)
        try sink(output)
        output = []
    }
}

extension Exchange {
    public var json: JSONValue {
        var object = JSONObject()
        object["description"] = description.map(JSONValue.string)
        object["step"] = step.map(JSONValue.string)

        var requestObject = JSONObject()
        requestObject["method"] = .string(request.method)
        requestObject["path"] = .string(request.path)
        if !request.headers.isEmpty {
            requestObject["headers"] = Exchange.headersJSON(request.headers)
        }
        Exchange.write(request.body, into: &requestObject)
        object["request"] = .object(requestObject)

        var responseObject = JSONObject()
        responseObject["status"] = .number(JSONNumber(response.status))
        if !response.headers.isEmpty {
            responseObject["headers"] = Exchange.headersJSON(response.headers)
        }
        Exchange.write(response.body, into: &responseObject)
        object["response"] = .object(responseObject)

        if !expectations.isEmpty {
            var expectObject = JSONObject()
            if let status = expectations.status {
                expectObject["status"] = .array(status.map { .number(JSONNumber($0)) })
            }
            if !expectations.profiles.isEmpty {
                var profilesObject = JSONObject()
                for name in expectations.profiles.keys.sorted() {
                    let profile = expectations.profiles[name]!
                    var profileObject = JSONObject()
                    profileObject["status"] = .array(profile.status.map { .number(JSONNumber($0)) })
                    if let body = profile.body {
                        if case .none = body {
                            // An expected empty body; "body": null would mean the JSON value null.
                            profileObject["bodyText"] = ""
                        } else {
                            Exchange.write(body, into: &profileObject)
                        }
                    }
                    profilesObject[name] = .object(profileObject)
                }
                expectObject["profiles"] = .object(profilesObject)
            }
            if !expectations.matchers.isEmpty {
                expectObject["matchers"] = .object(
                    JSONObject(expectations.matchers.map { ($0.pattern.text, $0.matcher.json) }))
            }
            object["expect"] = .object(expectObject)
        }
        return .object(object)
    }

    static func headersJSON(_ headers: HTTPHeaders) -> JSONValue {
        .array(headers.fields.map { ["name": .string($0.name), "value": .string($0.value)] })
    }

    static func write(_ body: RecordedBody, into object: inout JSONObject) {
        switch body {
        case .none:
            break
        case .json(let value):
            object["body"] = value
        case .text(let text):
            object["bodyText"] = .string(text)
        case .binary(let bytes):
            object["bodyBase64"] = .string(RecordedBody.base64(bytes))
        }
    }
}
