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
    // Long strings and long arrays and objects are cut before serializing, so that a response of
    // megabytes costs no more than a short one. What is cut would not be shown anyway.
    let text = shortened(value, limit: limit + 1).serialized()
    if text.count <= limit && !isShortened(value, limit: limit + 1) {
        return text
    }
    return String(text.prefix(limit)) + "… (cut at \(limit) characters)"
}

/// Returns the value with every string cut to `limit` characters, and every array and object cut
/// to `limit` members, because each member takes at least one character of the serialized text.
private func shortened(_ value: JSONValue, limit: Int) -> JSONValue {
    switch value {
    case .string(let text):
        return text.utf8.count <= limit ? value : .string(String(text.prefix(limit)))
    case .array(let elements):
        return .array(elements.prefix(limit).map { shortened($0, limit: limit) })
    case .object(let object):
        var result = JSONObject()
        for (key, member) in object.prefix(limit) {
            result[key] = shortened(member, limit: limit)
        }
        return .object(result)
    default:
        return value
    }
}

/// Returns whether `shortened(_:limit:)` cuts anything from the value.
private func isShortened(_ value: JSONValue, limit: Int) -> Bool {
    switch value {
    case .string(let text):
        // Counts at most `limit` characters, where `count` would count them all.
        return text.utf8.count > limit && !text.dropFirst(limit).isEmpty
    case .array(let elements):
        return elements.count > limit || elements.contains { isShortened($0, limit: limit) }
    case .object(let object):
        return object.count > limit || object.contains { isShortened($0.value, limit: limit) }
    default:
        return false
    }
}
