import HTTP
import SCIM

/// A recorded SCIM session: what a client sent, what the endpoint answered, and what a replay
/// must see. One JSON document per transcript.
public struct Transcript: Sendable, Equatable {
    /// The value of the top-level `format` member that marks a JSON file as a transcript.
    public static let formatName = "scimtape.transcript"
    public static let currentVersion = 1

    public var name: String
    public var description: String
    public var source: Source
    /// Target state the transcript needs before its first exchange.
    public var preconditions: [Precondition]
    public var exchanges: [Exchange]

    public init(
        name: String, description: String, source: Source, preconditions: [Precondition] = [],
        exchanges: [Exchange] = []
    ) {
        self.name = name
        self.description = description
        self.source = source
        self.preconditions = preconditions
        self.exchanges = exchanges
    }

    /// Where the exchanges came from.
    public struct Source: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            /// Written by `scimtape simulate` from a scenario.
            case simulated
            /// Captured by `scimtape record` between a real client and endpoint.
            case proxied
            /// Converted from a HAR file.
            case imported
            /// Written by hand, for example from published examples.
            case handwritten
        }

        public var kind: Kind
        /// The program and version that wrote the transcript.
        public var tool: String?
        /// The scenario file a simulated transcript came from, relative to the repository.
        public var scenario: String?
        /// Entra's PATCH dialect: `aadOptscim062020` or `legacy`.
        public var dialect: String?
        /// The server profile whose behaviour the recorded responses show.
        public var profile: String?
        /// RFC 3339 time of recording. It changes on every run, so comparisons ignore it.
        public var recordedAt: String?
        /// Free text, such as which published examples a hand-written transcript follows.
        public var notes: String?

        public init(
            kind: Kind, tool: String? = nil, scenario: String? = nil, dialect: String? = nil, profile: String? = nil,
            recordedAt: String? = nil, notes: String? = nil
        ) {
            self.kind = kind
            self.tool = tool
            self.scenario = scenario
            self.dialect = dialect
            self.profile = profile
            self.recordedAt = recordedAt
            self.notes = notes
        }
    }
}

/// A message body as recorded: JSON where it parses, text where it is valid UTF-8, and the bytes
/// themselves otherwise.
public enum RecordedBody: Sendable, Equatable {
    case none
    case json(JSONValue)
    case text(String)
    /// Bytes that are not valid UTF-8, written to a transcript as standard base64 under
    /// `bodyBase64`, so that a replay sends them unchanged.
    case binary([UInt8])

    /// The deepest nesting of arrays and objects that a body recorded as JSON may have. The
    /// transcript readers reject nesting deeper than `JSONParseOptions.defaultMaximumDepth`, and the
    /// deepest body, under `exchanges[N].expect.profiles.NAME.body`, is inside six containers.
    public static let maximumJSONDepth = JSONParseOptions.defaultMaximumDepth - 6

    /// Builds the recorded form of raw bytes. JSON nested deeper than `maximumJSONDepth` is
    /// recorded as text, so that the transcript stays readable, and bytes that are not valid UTF-8
    /// are recorded as they are.
    public init(bytes: [UInt8]) {
        if bytes.isEmpty {
            self = .none
        } else if let json = try? JSONValue.parse(
            bytes: bytes, options: JSONParseOptions(maximumDepth: RecordedBody.maximumJSONDepth))
        {
            self = .json(json)
        } else {
            self = RecordedBody(unparsedBytes: bytes)
        }
    }

    /// Builds a text body from valid UTF-8 and a binary body from anything else, without trying
    /// to parse JSON.
    public init(unparsedBytes bytes: [UInt8]) {
        if bytes.isEmpty {
            self = .none
        } else if let text = String(validating: bytes, as: UTF8.self) {
            self = .text(text)
        } else {
            self = .binary(bytes)
        }
    }

    public var json: JSONValue? {
        if case .json(let value) = self { value } else { nil }
    }

    /// The bytes to send: compact JSON, the text as UTF-8, or the binary bytes unchanged.
    public var bytes: [UInt8] {
        switch self {
        case .none: []
        case .json(let value): value.serializedBytes()
        case .text(let text): Array(text.utf8)
        case .binary(let bytes): bytes
        }
    }

    /// Returns the first `limit` bytes as two-digit hex numbers separated by spaces, followed by
    /// `...` when bytes were left out, for messages about a binary body.
    public static func hexExcerpt(_ bytes: [UInt8], limit: Int = 32) -> String {
        let shown = bytes.prefix(limit).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 0x10 ? "0" + digits : digits
        }
        return shown.joined(separator: " ") + (bytes.count > limit ? " ..." : "")
    }
}

/// One request and its response.
public struct Exchange: Sendable, Equatable {
    public var description: String?
    /// What the exchange does in the provisioning lifecycle, such as `testConnection`, `match`,
    /// `create`, `update`, `disable`, `enable`, `delete`, or `probe` for a request Entra does not
    /// send that a transcript adds to observe the endpoint's state.
    public var step: String?
    public var request: Request
    public var response: Response
    public var expectations: Expectations

    public init(
        description: String? = nil, step: String? = nil, request: Request, response: Response,
        expectations: Expectations = Expectations()
    ) {
        self.description = description
        self.step = step
        self.request = request
        self.response = response
        self.expectations = expectations
    }

    public struct Request: Sendable, Equatable {
        public var method: String
        /// Path and query relative to the SCIM base, such as `/Users?filter=...`, percent-encoded as sent.
        public var path: String
        public var headers: HTTPHeaders
        public var body: RecordedBody

        public init(method: String, path: String, headers: HTTPHeaders = [], body: RecordedBody = .none) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
        }
    }

    public struct Response: Sendable, Equatable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: RecordedBody

        public init(status: Int, headers: HTTPHeaders = [], body: RecordedBody = .none) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }
}

/// What a replay must see, where it differs from the recorded response.
public struct Expectations: Sendable, Equatable {
    /// Statuses accepted instead of the recorded one.
    public var status: [Int]?
    /// Overrides for server profiles whose behaviour differs from the recording's, keyed by
    /// profile name (`front`, `rfc`).
    public var profiles: [String: ProfileExpectation]
    /// Checks that replace the default comparison at given paths of the response body.
    public var matchers: [MatcherEntry]

    public init(status: [Int]? = nil, profiles: [String: ProfileExpectation] = [:], matchers: [MatcherEntry] = []) {
        self.status = status
        self.profiles = profiles
        self.matchers = matchers
    }

    public var isEmpty: Bool {
        status == nil && profiles.isEmpty && matchers.isEmpty
    }

    /// Profile names `profiles` may use.
    public static let profileNames: Set<String> = ["front", "entra", "rfc"]
}

/// A matcher and the body paths it applies to.
public struct MatcherEntry: Sendable, Equatable {
    public let pattern: JSONPathPattern
    public let matcher: ResponseMatcher

    public init(pattern: JSONPathPattern, matcher: ResponseMatcher) {
        self.pattern = pattern
        self.matcher = matcher
    }
}

/// The response a replay must see under one server profile.
public struct ProfileExpectation: Sendable, Equatable {
    public var status: [Int]
    /// The expected body; `nil` keeps the recorded body.
    public var body: RecordedBody?

    public init(status: [Int], body: RecordedBody? = nil) {
        self.status = status
        self.body = body
    }
}
