import Foundation
import SCIM

/// Findings a CI gate accepts (`--baseline FILE`), each with the reason it is accepted.
///
/// The file is `{"format": "scimtape.baseline", "version": 1, "entries": [...]}`; an entry names the
/// transcript (its `name`), the rule, and optionally the exchange number and the JSON path.
public struct Baseline: Sendable {
    public static let formatName = "scimtape.baseline"

    public var entries: [BaselineEntry]

    public init(entries: [BaselineEntry]) {
        self.entries = entries
    }

    /// Reads a baseline file; errors name the entry and member at fault.
    public static func load(path: String) throws(BaselineError) -> Baseline {
        guard FileManager.default.fileExists(atPath: path) else {
            throw BaselineError(
                message:
                    "\(path): no such baseline file; write one with --write-baseline \(path), then edit its reasons")
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw BaselineError(message: "\(path): cannot read the baseline: \(error.localizedDescription)")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes: bytes)
        } catch {
            throw BaselineError(message: "\(path): the baseline is not valid JSON: \(error)")
        }
        guard let root = json.objectValue, root["format"]?.stringValue == formatName else {
            throw BaselineError(message: "\(path): not a baseline; it needs \"format\": \"\(formatName)\"")
        }
        guard let list = root["entries"]?.arrayValue else {
            throw BaselineError(message: "\(path): $.entries must be an array")
        }
        var entries: [BaselineEntry] = []
        for (index, item) in list.enumerated() {
            let object = item.objectValue ?? JSONObject()
            guard let transcript = object["transcript"]?.stringValue, let rule = object["rule"]?.stringValue else {
                throw BaselineError(
                    message: "\(path): $.entries[\(index)] needs string members 'transcript' and 'rule'")
            }
            guard let reason = object["reason"]?.stringValue, !reason.trimmingWhitespace().isEmpty else {
                throw BaselineError(
                    message: "\(path): $.entries[\(index)] needs a 'reason' saying why the finding is accepted")
            }
            entries.append(
                BaselineEntry(
                    transcript: transcript, exchange: object["exchange"]?.intValue, rule: rule,
                    path: object["path"]?.stringValue,
                    reason: reason))
        }
        return Baseline(entries: entries)
    }

    /// Splits a transcript's findings into the accepted ones and the rest, and marks the entries used.
    public func partition(_ findings: [Finding], transcript: String, used: inout Set<Int>) -> (
        accepted: [Finding], remaining: [Finding]
    ) {
        var accepted: [Finding] = []
        var remaining: [Finding] = []
        for finding in findings {
            if finding.severity == .error,
                let index = entries.firstIndex(where: { $0.matches(finding, transcript: transcript) })
            {
                accepted.append(finding)
                used.insert(index)
            } else {
                remaining.append(finding)
            }
        }
        return (accepted, remaining)
    }

    /// A baseline that accepts every error finding of `report`, for a first adoption.
    public static func accepting(_ outcomes: [TranscriptOutcome], reason: String) -> Baseline {
        var entries: [BaselineEntry] = []
        for outcome in outcomes {
            for finding in outcome.findings where finding.severity == .error {
                let entry = BaselineEntry(
                    transcript: outcome.name, exchange: finding.exchange, rule: finding.rule,
                    path: finding.path?.description,
                    reason: reason)
                if !entries.contains(entry) {
                    entries.append(entry)
                }
            }
        }
        return Baseline(entries: entries)
    }

    public var json: JSONValue {
        ["format": .string(Baseline.formatName), "version": 1, "entries": .array(entries.map(\.json))]
    }
}

/// One accepted finding.
public struct BaselineEntry: Sendable, Equatable {
    public let transcript: String
    public let exchange: Int?
    public let rule: String
    public let path: String?
    public let reason: String

    func matches(_ finding: Finding, transcript name: String) -> Bool {
        transcript == name && rule == finding.rule && (exchange == nil || exchange == finding.exchange)
            && (path == nil || path == finding.path?.description)
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["transcript"] = .string(transcript)
        object["exchange"] = exchange.map { .number(JSONNumber($0)) }
        object["rule"] = .string(rule)
        object["path"] = path.map(JSONValue.string)
        object["reason"] = .string(reason)
        return .object(object)
    }

    public var summary: String {
        var text = "\(transcript): "
        if let exchange {
            text += "exchange \(exchange): "
        }
        text += "[\(rule)]"
        if let path {
            text += " at \(path)"
        }
        return text + " (\(reason))"
    }
}

/// A baseline file that cannot be used.
public struct BaselineError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public var description: String {
        message
    }
}
