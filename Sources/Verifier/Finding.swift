import SCIM

/// One result of a check, printed as `FILE: exchange N: error: [rule] message`.
public struct Finding: Sendable, Equatable {
    public enum Severity: String, Sendable {
        /// A contract violation; the transcript fails.
        case error
        /// A check that could not observe what it needs on this target; reported, never a pass.
        case notObservable = "not observable"
        /// Information about what the replay did, such as a resource it created first.
        case note
    }

    /// The rule that produced the finding: a contract rule id, or `status`, `body`, `replay` or
    /// `transport` for exchange-by-exchange checks.
    public let rule: String
    public let severity: Severity
    /// The 1-based exchange the finding is about, if any.
    public let exchange: Int?
    public let message: String
    /// Where in the response body the difference is.
    public let path: JSONPath?
    public let expected: String?
    public let actual: String?

    public init(
        rule: String, severity: Severity = .error, exchange: Int?, message: String, path: JSONPath? = nil,
        expected: String? = nil, actual: String? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.exchange = exchange
        self.message = message
        self.path = path
        self.expected = expected
        self.actual = actual
    }

    /// The lines printed for this finding; the first is `FILE: exchange N: error: [rule] message`.
    public func lines(file: String) -> [String] {
        var head = "\(file): "
        if let exchange {
            head += "exchange \(exchange): "
        }
        switch severity {
        case .error: head += "error: "
        case .notObservable: head += "warning: "
        case .note: head += "note: "
        }
        head += "[\(rule)] "
        if severity == .notObservable {
            head += "not observable: "
        }
        var lines = [head + message]
        if let path {
            lines.append("  at: \(path) (response body)")
        }
        if let expected {
            lines.append("  expected: \(expected)")
        }
        if let actual {
            lines.append("  actual: \(actual)")
        }
        return lines
    }
}

/// A JSON value shortened for a finding, so a large body cannot flood the report.
func excerpt(_ value: JSONValue?, limit: Int = 200) -> String {
    guard let value else {
        return "(absent)"
    }
    let text = value.serialized()
    if text.count <= limit {
        return text
    }
    return String(text.prefix(limit)) + "… (\(text.count) characters)"
}
