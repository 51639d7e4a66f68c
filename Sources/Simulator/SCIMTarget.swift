import HTTP
import Logging
import SCIM
import Transcript

/// The endpoint a simulation sends to, and the recorder of what was exchanged.
final class SCIMTarget {
    let base: BaseURL
    private let client: HTTPClient
    private let token: String?
    /// Headers sent with every request and left out of the recorded exchanges.
    private let extraHeaders: HTTPHeaders
    private let logger: Logger
    /// Replaces credentials in each recorded exchange, as `record` does before it journals one:
    /// the `Authorization` header and the `--header` fields whose names mark a credential.
    private let policy: SecretPolicy
    private(set) var exchanges: [Exchange] = []

    /// Response headers left out of transcripts because they change on every run or only
    /// describe the connection.
    static let volatileResponseHeaders: Set<String> = [
        "date", "content-length", "connection", "keep-alive", "transfer-encoding",
    ]

    init(base: BaseURL, token: String?, extraHeaders: HTTPHeaders = [], client: HTTPClient, logger: Logger) {
        self.base = base
        self.token = token
        self.extraHeaders = extraHeaders
        self.client = client
        self.logger = logger
        policy = SecretPolicy(
            extraHeaders: extraHeaders.fields.map(\.name).filter(SecretRedaction.namesCredential))
    }

    /// Sends a request the way Entra does and records the exchange. The exchange returned is the
    /// one recorded, with the credentials sent (in each spelling from `SecretPolicy.spellings`)
    /// and the values the secret scan flags replaced. The engine reads ids and error details from
    /// it, so the provisioning log contains no more than the transcript.
    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, body: JSONValue? = nil, step: String, description: String
    ) throws(HTTPClientError) -> Exchange {
        var headers: HTTPHeaders = [("Accept", SCIMMediaType.scimJSON)]
        if body != nil {
            headers.add(name: "Content-Type", value: "\(SCIMMediaType.scimJSON); charset=utf-8")
        }
        // The extra headers are left out of the transcript, so the recorded request has only
        // these and the `Authorization` field.
        var recorded = headers
        if let token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
            recorded.add(name: "Authorization", value: "Bearer \(token)")
        }
        addExtraHeaders(to: &headers)
        let request = HTTPRequest(method: method, target: path, headers: headers, body: body?.serializedBytes() ?? [])
        let response = try client.send(request, url: base.description + path)
        logger.debug(
            "simulated request",
            metadata: [
                "http.method": method.rawValue, "http.status": String(response.status.code), "simulation.step": step,
            ])

        let kept = HTTPHeaders(
            response.headers.fields.filter { !SCIMTarget.volatileResponseHeaders.contains($0.name.lowercased()) })
        let captured = Exchange(
            description: description, step: step,
            request: Exchange.Request(
                method: method.rawValue, path: path, headers: recorded, body: body.map { .json($0) } ?? .none),
            response: Exchange.Response(
                status: response.status.code, headers: kept, body: RecordedBody(bytes: response.body)))
        let number = exchanges.count + 1
        let (exchange, findings) = policy.redactForRecording(
            captured, sentCredentials: policy.sentCredentials(headers), number: number)
        for finding in findings {
            logger.warning(
                "secret-like value replaced before recording",
                metadata: [
                    "exchange.sequence": String(number), "finding.location": finding.location,
                    "finding.kind": finding.kind.rawValue,
                ])
        }
        exchanges.append(exchange)
        return exchange
    }

    /// Sets each extra header, replacing a field of the same name, as `verify` does.
    private func addExtraHeaders(to headers: inout HTTPHeaders) {
        for field in extraHeaders {
            headers.replace(name: field.name, value: field.value)
        }
    }

    func updateLast(_ count: Int, _ change: (inout Exchange) -> Void) {
        for index in exchanges.indices.suffix(count) {
            change(&exchanges[index])
        }
    }

    /// Applies preconditions through the reference endpoint's admin route.
    func applyPreconditions(_ preconditions: [Precondition]) throws {
        guard !preconditions.isEmpty else {
            return
        }
        var headers: HTTPHeaders = [("Content-Type", SCIMMediaType.json)]
        if let token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        addExtraHeaders(to: &headers)
        let body: JSONValue = ["preconditions": .array(preconditions.map(\.json))]
        let request = HTTPRequest(
            method: .post, target: "/_scimtape/state", headers: headers, body: body.serializedBytes())
        let response = try client.send(request, url: base.origin + "/_scimtape/state")
        if response.status.code == 401 || response.status.code == 403 {
            throw SimulationError.tokenRejected(
                status: response.status.code, path: "/_scimtape/state", tokenSent: token != nil)
        }
        guard response.status.code == 200 else {
            // The detail is printed, so an echoed credential is replaced before it is shortened.
            let detail = policy.redactingMessage(
                String(decoding: response.body, as: UTF8.self), sent: policy.sentCredentials(headers))
            throw SimulationError.preconditionsRejected(
                status: response.status.code, detail: String(detail.prefix(300)))
        }
    }
}

/// Why a simulation could not run.
public enum SimulationError: Error, CustomStringConvertible {
    case preconditionsRejected(status: Int, detail: String)
    /// The target returned 401 or 403 at `path`, because the bearer token was missing or wrong.
    case tokenRejected(status: Int, path: String, tokenSent: Bool)
    case targetUnreachable(HTTPClientError)
    case invalidTarget(String)

    public var description: String {
        switch self {
        case .preconditionsRejected(let status, let detail):
            return
                "the target did not accept the scenario's preconditions on /_scimtape/state (status \(status)); only "
                + "a scimtape reference endpoint can set them. Response: \(detail)"
        case .tokenRejected(let status, let path, let tokenSent):
            guard tokenSent else {
                return "the target returned status \(status) on \(path) because no bearer token was sent; set "
                    + "SCIMTAPE_TOKEN or pass --token-file FILE"
            }
            return "the target rejected the bearer token with status \(status) on \(path); check the token and the "
                + "target URL"
        case .targetUnreachable(let error):
            return "the target could not be reached: \(error.message)"
        case .invalidTarget(let message):
            return "invalid target: \(message)"
        }
    }
}
