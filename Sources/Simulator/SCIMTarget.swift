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
    }

    /// Sends a request the way Entra does and records the exchange.
    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, body: JSONValue? = nil, step: String, description: String
    ) throws(HTTPClientError) -> Exchange {
        var headers: HTTPHeaders = [("Accept", SCIMMediaType.scimJSON)]
        if body != nil {
            headers.add(name: "Content-Type", value: "\(SCIMMediaType.scimJSON); charset=utf-8")
        }
        var sent = headers
        if let token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
            sent.add(name: "Authorization", value: "Bearer \(SecretRedaction.placeholder)")
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
        let exchange = Exchange(
            description: description, step: step,
            request: Exchange.Request(
                method: method.rawValue, path: path, headers: sent, body: body.map { .json($0) } ?? .none),
            response: Exchange.Response(
                status: response.status.code, headers: SecretRedaction.redact(kept),
                body: RecordedBody(bytes: response.body)))
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
        guard response.status.code == 200 else {
            throw SimulationError.preconditionsRejected(
                status: response.status.code, detail: String(decoding: response.body.prefix(300), as: UTF8.self))
        }
    }
}

/// Why a simulation could not run.
public enum SimulationError: Error, CustomStringConvertible {
    case preconditionsRejected(status: Int, detail: String)
    case targetUnreachable(HTTPClientError)
    case invalidTarget(String)

    public var description: String {
        switch self {
        case .preconditionsRejected(let status, let detail):
            return
                "the target did not accept the scenario's preconditions on /_scimtape/state (status \(status)); only "
                + "a scimtape reference endpoint can set them. Response: \(detail)"
        case .targetUnreachable(let error):
            return "the target could not be reached: \(error.message)"
        case .invalidTarget(let message):
            return "invalid target: \(message)"
        }
    }
}
