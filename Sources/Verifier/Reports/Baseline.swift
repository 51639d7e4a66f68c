import Foundation
import SCIM

/// Findings a CI gate accepts (`--baseline FILE`), each with the reason it is accepted.
///
/// The file is `{"format": "scimtape.baseline", "version": 1, "entries": [...]}`; an entry names the
/// transcript (its `name`), the rule, and optionally the exchange number and the JSON path.
public struct Baseline: Sendable {
    public static let formatName = "scimtape.baseline"
    /// The reason `--write-baseline` gives every entry, for the user to replace.
    public static let placeholderReason = "accepted when the baseline was written; replace with the reason"

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
        for key in root.keys where !["format", "version", "entries"].contains(key) {
            throw BaselineError(
                message: "\(path): $.\(key): unknown member '\(key)'; expected one of entries, format, version")
        }
        guard let version = root["version"], version.intValue == 1 else {
            let found = root["version"].map { "found \($0.serialized())" } ?? "the member is missing"
            throw BaselineError(message: "\(path): $.version: expected version 1, \(found)")
        }
        guard let list = root["entries"]?.arrayValue else {
            throw BaselineError(message: "\(path): $.entries must be an array")
        }
        var entries: [BaselineEntry] = []
        for (index, item) in list.enumerated() {
            do {
                entries.append(try BaselineEntry(json: item))
            } catch {
                throw BaselineError(message: "\(path): $.entries[\(index)]\(error.message)")
            }
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

    public init(transcript: String, exchange: Int?, rule: String, path: String?, reason: String) {
        self.transcript = transcript
        self.exchange = exchange
        self.rule = rule
        self.path = path
        self.reason = reason
    }

    /// Reads one entry of a baseline file. The error's message starts with the member's path
    /// relative to the entry, such as `.exchange: ...`, or with `: ` for the entry itself.
    init(json: JSONValue) throws(BaselineEntryError) {
        guard let object = json.objectValue else {
            throw BaselineEntryError(message: ": expected an object, found \(json.typeName)")
        }
        let members = ["transcript", "exchange", "rule", "path", "reason"]
        for key in object.keys where !members.contains(key) {
            throw BaselineEntryError(
                message: ".\(key): unknown member '\(key)'; expected one of \(members.sorted().joined(separator: ", "))"
            )
        }
        transcript = try Self.string(object, "transcript")
        rule = try Self.string(object, "rule")
        guard object["reason"] != nil else {
            throw BaselineEntryError(message: ".reason: missing; give the reason the finding is accepted")
        }
        reason = try Self.string(object, "reason")
        guard !reason.trimmingWhitespace().isEmpty else {
            throw BaselineEntryError(message: ".reason: empty; give the reason the finding is accepted")
        }
        if let value = object["exchange"] {
            // An entry without the member accepts the finding at every exchange, so a value that is
            // not an exchange number must not be read as that.
            guard let number = value.intValue, number >= 1 else {
                throw BaselineEntryError(
                    message:
                        ".exchange: expected an exchange number (an integer from 1), found \(value.serialized()); leave the member out to accept the finding at every exchange"
                )
            }
            exchange = number
        } else {
            exchange = nil
        }
        path = object["path"] == nil ? nil : try Self.string(object, "path")
    }

    private static func string(_ object: JSONObject, _ key: String) throws(BaselineEntryError) -> String {
        guard let value = object[key] else {
            throw BaselineEntryError(message: ".\(key): the member '\(key)' is missing")
        }
        guard let text = value.stringValue else {
            throw BaselineEntryError(message: ".\(key): expected a string, found \(value.serialized())")
        }
        return text
    }

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

/// A fault in one baseline entry, with the member's path relative to the entry.
struct BaselineEntryError: Error {
    let message: String
}

/// A baseline file that cannot be used.
public struct BaselineError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public var description: String {
        message
    }
}
