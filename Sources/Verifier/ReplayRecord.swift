import HTTP
import SCIM
import Transcript

/// What happened to one exchange during a replay, as the contract rules see it.
public struct ReplayedExchange: Sendable {
    /// 1-based position in the transcript.
    public let number: Int
    public let recorded: Exchange
    /// The request as sent, with live ids and isolated identities; `nil` when it was not sent.
    public let request: HTTPRequest?
    /// The request target relative to the SCIM base, after substitution.
    public let relativePath: String
    /// The request body after substitution.
    public let requestBody: JSONValue?
    public let response: HTTPResponse?
    public let responseBody: JSONValue?

    public var method: String {
        recorded.request.method
    }

    public var status: Int? {
        response?.status.code
    }

    public var succeeded: Bool {
        (status ?? 0) / 100 == 2
    }

    /// The path without its query, split into segments: `/Users/abc` is `["Users", "abc"]`.
    public var segments: [String] {
        RequestTarget.split(relativePath).path.split(separator: "/").map { RequestTarget.percentDecode(String($0)) }
    }

    /// The id in `/Users/{id}`, when the request addresses one user.
    public var userId: String? {
        let parts = segments
        return parts.count == 2 && parts[0] == "Users" ? parts[1] : nil
    }

    /// The decoded `filter` query parameter.
    public var filter: String? {
        let query = RequestTarget.split(relativePath).query ?? ""
        return RequestTarget.queryItems(query).first { $0.name.lowercased() == "filter" }?.value
    }

    /// The value X of a `userName eq "X"` filter, when the filter is exactly that.
    public var userNameFilterValue: String? {
        guard let filter, let parsed = try? FilterParser.parse(filter),
            case .comparison(let path, .equal, .string(let value)) = parsed,
            path.name.equalsIgnoringCase("userName"), path.subAttribute == nil
        else {
            return nil
        }
        return value
    }

    /// Whether the request is a `GET /Users` query.
    public var isUserQuery: Bool {
        method == "GET" && segments == ["Users"]
    }

    public var resources: [JSONObject] {
        (responseBody?["Resources"]?.arrayValue ?? []).compactMap(\.objectValue)
    }

    public var responseObject: JSONObject? {
        responseBody?.objectValue
    }

    public var contentType: String? {
        response?.headers["Content-Type"]
    }
}

extension ReplayedExchange {
    /// The value a PATCH gives `active`, in any op case and any boolean spelling, or `nil` when
    /// the PATCH does not set it.
    public var patchedActive: Bool? {
        guard method == "PATCH", let operations = requestBody?.objectValue?.value(matching: "Operations")?.arrayValue
        else {
            return nil
        }
        var result: Bool?
        for operation in operations {
            guard let object = operation.objectValue,
                let op = object.value(matching: "op")?.stringValue?.lowercased(), op != "remove"
            else {
                continue
            }
            let value = object.value(matching: "value")
            if let path = object.value(matching: "path")?.stringValue {
                if path.equalsIgnoringCase("active"), let flag = value.flatMap(ReplayedExchange.boolean) {
                    result = flag
                }
            } else if let flag = value?.objectValue?.value(matching: "active").flatMap(ReplayedExchange.boolean) {
                result = flag
            }
        }
        return result
    }

    /// Whether the request carries the Front teammate template in any form: a PATCH path, a
    /// path-less key, or the extension object in a PATCH value or a PUT body.
    public var carriesTemplate: Bool {
        guard let body = requestBody else {
            return false
        }
        return body.serialized().lowercased().contains("frontapp:teammate")
    }

    static func boolean(_ value: JSONValue) -> Bool? {
        if let flag = value.boolValue {
            return flag
        }
        switch value.stringValue?.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }
}
