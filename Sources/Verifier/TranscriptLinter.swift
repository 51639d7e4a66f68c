import HTTP
import SCIM
import Transcript

/// Checks a decoded transcript for problems the format allows but a replay would stumble on.
public enum TranscriptLinter {
    public struct Problem: Sendable {
        public enum Severity: String, Sendable {
            case error
            case warning
        }

        public let severity: Severity
        /// 1-based exchange number, if the problem is in one.
        public let exchange: Int?
        public let path: JSONPath
        public let message: String

        /// `FILE: exchange N: error: PATH: message`.
        public func line(file: String) -> String {
            var text = "\(file): "
            if let exchange {
                text += "exchange \(exchange): "
            }
            return text + "\(severity.rawValue): \(path): \(message)"
        }
    }

    public static func problems(in transcript: Transcript) -> [Problem] {
        var problems: [Problem] = []
        var createdIds = Set<String>()
        var seenIds = Set<String>()
        for (index, exchange) in transcript.exchanges.enumerated() {
            let number = index + 1
            let base = JSONPath.root.appending(key: "exchanges").appending(index: index)
            problems += secrets(
                in: exchange.request.headers, at: base.appending(key: "request").appending(key: "headers"), number)
            problems += secrets(
                in: exchange.response.headers, at: base.appending(key: "response").appending(key: "headers"), number)
            problems += scannedSecrets(in: exchange, at: base, number)

            problems += textInBase64(exchange.request.body, at: base.appending(key: "request"), number)
            problems += textInBase64(exchange.response.body, at: base.appending(key: "response"), number)
            for name in exchange.expectations.profiles.keys.sorted() {
                if let body = exchange.expectations.profiles[name]?.body {
                    let profilePath = base.appending(key: "expect").appending(key: "profiles").appending(key: name)
                    problems += textInBase64(body, at: profilePath, number)
                }
            }

            let segments = RequestTarget.split(exchange.request.path).path.split(separator: "/").map {
                RequestTarget.percentDecode(String($0))
            }
            if segments.count == 2, ["Users", "Groups"].contains(segments[0]), exchange.response.status / 100 == 2,
                !createdIds.contains(segments[1]), !seenIds.contains(segments[1])
            {
                problems.append(
                    Problem(
                        severity: .warning, exchange: number,
                        path: base.appending(key: "request").appending(key: "path"),
                        message:
                            "uses \(segments[0].dropLast()) \(segments[1]), which no earlier exchange creates or returns; verify creates it first from its recorded representation unless --no-bootstrap is given"
                    ))
            }
            for id in TranscriptReplay.ids(in: exchange.response.body.json, minimumLength: 1) {
                if exchange.request.method == "POST" && exchange.response.status == 201 {
                    createdIds.insert(id)
                }
                seenIds.insert(id)
            }
            if let body = exchange.response.body.json {
                for entry in exchange.expectations.matchers where entry.matcher != .absent {
                    if entry.pattern.resolve(in: body).allSatisfy({ $0.value == nil }) {
                        problems.append(
                            Problem(
                                severity: .warning, exchange: number,
                                path: base.appending(key: "expect").appending(key: "matchers").appending(
                                    key: entry.pattern.text),
                                message:
                                    "the pattern reaches no value in the recorded response body, so it may be misspelt")
                        )
                    }
                }
            }
        }
        return problems
    }

    /// Returns a warning for a `bodyBase64` whose bytes are valid UTF-8, because a replay compares
    /// them byte for byte where a JSON body would be compared as JSON.
    private static func textInBase64(_ body: RecordedBody, at path: JSONPath, _ number: Int) -> [Problem] {
        guard case .binary(let bytes) = body, String(validating: bytes, as: UTF8.self) != nil else {
            return []
        }
        return [
            Problem(
                severity: .warning, exchange: number, path: path.appending(key: "bodyBase64"),
                message:
                    "the \(bytes.count) bytes are valid UTF-8; write them under 'body' as JSON or under 'bodyText', because a replay compares 'bodyBase64' byte for byte"
            )
        ]
    }

    /// Returns an error for each value that the secret scan of `show`, `redact` and `import` flags.
    /// Findings in the headers that `secrets(in:at:_:)` checks are left to it, so that each is
    /// reported once.
    private static func scannedSecrets(in exchange: Exchange, at base: JSONPath, _ number: Int) -> [Problem] {
        var problems: [Problem] = []
        for finding in SecretScan.scan(exchange, number: number) {
            if let header = finding.headerName, SecretRedaction.secretHeaders.contains(header.lowercased()) {
                continue
            }
            let side = finding.location.hasPrefix("response") ? "response" : "request"
            var path = base.appending(key: side)
            if finding.location == "request path" {
                path = path.appending(key: "path")
            } else if finding.headerName != nil {
                path = path.appending(key: "headers")
            } else if finding.location.hasPrefix("expected") {
                path = base.appending(key: "expect")
            } else {
                path = path.appending(key: "body")
            }
            problems.append(
                Problem(
                    severity: .error, exchange: number, path: path,
                    message:
                        "\(finding.location) contains \(finding.kind.rawValue) (\(finding.length) characters), which the secret scan flags as a possible credential, so replace it with \"\(SecretRedaction.placeholder)\""
                ))
        }
        return problems
    }

    /// Credentials that were not redacted: transcripts are shared, so they must hold none.
    private static func secrets(in headers: HTTPHeaders, at path: JSONPath, _ number: Int) -> [Problem] {
        var problems: [Problem] = []
        for (index, field) in headers.fields.enumerated()
        where SecretRedaction.secretHeaders.contains(field.name.lowercased()) {
            let value = field.value
            let redacted = value == SecretRedaction.placeholder || value.hasSuffix(" " + SecretRedaction.placeholder)
            if !redacted {
                problems.append(
                    Problem(
                        severity: .error, exchange: number, path: path.appending(index: index).appending(key: "value"),
                        message:
                            "the \(field.name) header holds a credential; replace its value with \"\(SecretRedaction.placeholder)\""
                    ))
            }
        }
        return problems
    }
}
