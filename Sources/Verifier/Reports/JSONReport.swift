import Foundation
import SCIM
import Transcript

/// The machine-readable result of a run (`--json FILE`), described by
/// `Recordings/schemas/report.schema.json`.
public struct RunReport: Sendable {
    public static let formatName = "scimtape.report"

    public var tool: String
    public var profile: VerificationProfile
    /// The SCIM base URL, or `nil` for the embedded endpoint.
    public var target: String?
    public var startedAt: Date
    public var duration: Double
    public var outcomes: [TranscriptOutcome]
    /// Files that could not be read, as printed.
    public var inputErrors: [String]
    /// Findings accepted by the baseline, keyed by transcript file.
    public var baselined: [String: [Finding]]
    /// Baseline entries that matched nothing in this run.
    public var unusedBaselineEntries: [BaselineEntry]
    /// The reason the run stopped before every transcript ran (a rejected token, an unreachable
    /// target).
    public var stopReason: String?

    public init(
        tool: String, profile: VerificationProfile, target: String?, startedAt: Date, duration: Double,
        outcomes: [TranscriptOutcome], inputErrors: [String], baselined: [String: [Finding]] = [:],
        unusedBaselineEntries: [BaselineEntry] = []
    ) {
        self.tool = tool
        self.profile = profile
        self.target = target
        self.startedAt = startedAt
        self.duration = duration
        self.outcomes = outcomes
        self.inputErrors = inputErrors
        self.baselined = baselined
        self.unusedBaselineEntries = unusedBaselineEntries
    }

    public var passed: Int {
        outcomes.filter { $0.status == .passed }.count
    }

    public var failed: Int {
        outcomes.filter { $0.status == .failed }.count
    }

    /// Transcripts skipped because their preconditions cannot be set.
    public var skipped: Int {
        outcomes.filter {
            if case .skipped = $0.status {
                return true
            }
            return false
        }.count
    }

    /// Transcripts that did not start because the run's time limit was reached.
    public var notRun: Int {
        outcomes.count - passed - failed - skipped
    }

    public var notObservable: Int {
        outcomes.reduce(0) { $0 + $1.findings.filter { $0.severity == .notObservable }.count }
    }

    public var exchangeCount: Int {
        outcomes.reduce(0) { $0 + $1.exchangeCount }
    }

    /// The report as written to `--json`: pretty JSON in which each C1 control character and each
    /// character of `DisplayText.isInvisible(_:)` is a `\uXXXX` escape, as the serializer writes
    /// C0 control characters. A terminal or viewer that shows the file then cannot be controlled or
    /// have its text reordered by a value from a transcript or an endpoint.
    public var jsonText: String {
        var result = String.UnicodeScalarView()
        for scalar in json.serialized(.pretty).unicodeScalars {
            // JSON text outside strings is ASCII, so every non-ASCII character is in a string.
            guard scalar.value >= 0x80 && DisplayText.isEscaped(scalar) else {
                result.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            result.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
        }
        return String(result)
    }

    public var json: JSONValue {
        var root = JSONObject()
        root["format"] = .string(RunReport.formatName)
        root["version"] = 1
        root["tool"] = .string(tool)
        root["profile"] = .string(profile.rawValue)
        root["target"] = target.map(JSONValue.string) ?? "embedded"
        root["startedAt"] = .string(SCIMDateTime.format(startedAt.timeIntervalSince1970))
        root["durationSeconds"] = .number(JSONNumber(duration))
        root["summary"] = [
            "transcripts": .number(JSONNumber(outcomes.count)), "passed": .number(JSONNumber(passed)),
            "failed": .number(JSONNumber(failed)), "skipped": .number(JSONNumber(skipped)),
            "notRun": .number(JSONNumber(notRun)),
            "notObservable": .number(JSONNumber(notObservable)), "exchanges": .number(JSONNumber(exchangeCount)),
            "unreadable": .number(JSONNumber(inputErrors.count)),
            "baselined": .number(JSONNumber(baselined.values.reduce(0) { $0 + $1.count })),
        ]
        root["transcripts"] = .array(outcomes.map(transcriptJSON))
        root["inputErrors"] = .array(inputErrors.map(JSONValue.string))
        root["unusedBaselineEntries"] = .array(unusedBaselineEntries.map(\.json))
        root["stopped"] = stopReason.map(JSONValue.string)
        return .object(root)
    }

    private func transcriptJSON(_ outcome: TranscriptOutcome) -> JSONValue {
        var object = JSONObject()
        object["file"] = .string(outcome.file)
        object["name"] = .string(outcome.name)
        switch outcome.status {
        case .passed: object["status"] = "passed"
        case .failed: object["status"] = "failed"
        case .skipped(let reason):
            object["status"] = "skipped"
            object["reason"] = .string(reason)
        case .notRun(let reason):
            object["status"] = "notRun"
            object["reason"] = .string(reason)
        }
        object["durationSeconds"] = .number(JSONNumber(outcome.duration))
        object["exchanges"] = .number(JSONNumber(outcome.exchangeCount))
        let accepted = baselined[outcome.file] ?? []
        object["findings"] = .array(
            (outcome.findings.map { ($0, false) } + accepted.map { ($0, true) }).map { finding, isBaselined in
                findingJSON(finding, outcome: outcome, baselined: isBaselined)
            })
        return .object(object)
    }

    private func findingJSON(_ finding: Finding, outcome: TranscriptOutcome, baselined: Bool) -> JSONValue {
        var object = JSONObject()
        object["rule"] = .string(finding.rule)
        object["severity"] = .string(finding.severity.rawValue)
        object["exchange"] = finding.exchange.map { .number(JSONNumber($0)) } ?? .null
        object["message"] = .string(finding.message)
        object["path"] = finding.path.map { .string($0.description) } ?? .null
        object["expected"] = finding.expected.map(JSONValue.string) ?? .null
        object["actual"] = finding.actual.map(JSONValue.string) ?? .null
        let exchange = finding.exchange.flatMap { number in outcome.exchanges.first { $0.number == number } }
        object["reproduce"] =
            exchange.flatMap { Reproducer.curl($0, baseURL: outcome.baseURL) }.map(JSONValue.string) ?? .null
        object["baselined"] = .bool(baselined)
        return .object(object)
    }
}
