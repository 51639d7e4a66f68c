/// A value in a transcript that looks like a credential. It stores the location and the length,
/// never the value itself, so that printing a finding cannot leak the secret.
public struct SecretFinding: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case bearerToken = "a bearer token"
        case jsonWebToken = "a JWT"
        case frontAPIToken = "a Front API token"
        case randomHeaderValue = "a long random-looking value"
    }

    /// The 1-based exchange number.
    public let exchange: Int
    /// The location of the value, such as `request header X-Api-Key` or `response body $.token`.
    public let location: String
    public let kind: Kind
    /// Length of the value in characters.
    public let length: Int
    /// The name of the innermost JSON member that contains the value, when it is in a JSON body:
    /// `token` for `response body $.token`, `tokens` for `response body $.tokens[0]`.
    public let jsonMember: String?

    public init(exchange: Int, location: String, kind: Kind, length: Int, jsonMember: String? = nil) {
        self.exchange = exchange
        self.location = location
        self.kind = kind
        self.length = length
        self.jsonMember = jsonMember
    }

    /// `exchange 3: request header X-Api-Key contains a long random-looking value (40 characters)`.
    public var description: String {
        "exchange \(exchange): \(location) contains \(kind.rawValue) (\(length) characters)"
    }

    /// The header name when the finding is in a header.
    public var headerName: String? {
        for prefix in ["request header ", "response header "] where location.hasPrefix(prefix) {
            return String(location.dropFirst(prefix.count))
        }
        return nil
    }
}
