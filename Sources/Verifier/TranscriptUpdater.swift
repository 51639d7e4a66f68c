import HTTP
import SCIM
import Transcript

/// Rewrites a transcript's expectations from a replay (`verify --update`), after a deliberate
/// change of the endpoint.
///
/// Live values are mapped back to the recorded ones (ids, locations, versions), and a value that
/// the replay judged equivalent keeps its recorded form, so the rewritten file differs only where
/// the behaviour changed. Descriptions, steps, requests and matchers stay as they are.
public enum TranscriptUpdater {
    public struct Change: Sendable, CustomStringConvertible {
        public let exchange: Int
        /// `status`, or the JSON path of a body value.
        public let location: String
        public let old: String
        public let new: String

        public var description: String {
            "exchange \(exchange): \(location): \(old) → \(new)"
        }
    }

    public static func update(_ transcript: Transcript, from outcome: TranscriptOutcome, profile: VerificationProfile)
        -> (transcript: Transcript, changes: [Change])
    {
        var updated = transcript
        var changes: [Change] = []
        let reverse = Dictionary(outcome.learned.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        // Live values back to recorded ones, learned once for every body.
        var liveToRecorded = Correlation()
        liveToRecorded.keepsClientChosenValues = false
        for (live, recorded) in reverse {
            liveToRecorded.learn(recorded: live, live: recorded)
        }
        let writesBase = transcript.source.profile == nil || transcript.source.profile == profile.rawValue
        for replayed in outcome.exchanges {
            guard let response = replayed.response else {
                continue
            }
            let index = replayed.number - 1
            var exchange = updated.exchanges[index]
            let override = profile.expectationKeys.first { exchange.expectations.profiles[$0] != nil }
            let oldStatuses =
                override.map { exchange.expectations.profiles[$0]!.status } ?? exchange.expectations.status ?? [
                    exchange.response.status
                ]
            let oldBody = override.flatMap { exchange.expectations.profiles[$0]?.body } ?? exchange.response.body

            var newStatuses = oldStatuses
            if !oldStatuses.contains(response.status.code) {
                newStatuses = [response.status.code]
                changes.append(
                    Change(
                        exchange: replayed.number, location: "status",
                        old: oldStatuses.map(String.init).joined(separator: " or "),
                        new: String(response.status.code)))
            }
            var newBody = unsubstitute(RecordedBody(bytes: response.body), liveToRecorded)
            if case .json(let old) = oldBody, case .json(let new) = newBody {
                newBody = .json(reconcile(old, new, path: .root, exchange: replayed.number, changes: &changes))
            } else if newBody != oldBody {
                changes.append(
                    Change(exchange: replayed.number, location: "body", old: describe(oldBody), new: describe(newBody)))
            }

            if let override {
                exchange.expectations.profiles[override] = ProfileExpectation(status: newStatuses, body: newBody)
            } else if writesBase {
                if exchange.expectations.status != nil {
                    exchange.expectations.status = newStatuses
                } else {
                    exchange.response.status = newStatuses[0]
                }
                exchange.response.body = newBody
            } else if newStatuses != oldStatuses || newBody != oldBody {
                exchange.expectations.profiles[profile.rawValue] = ProfileExpectation(
                    status: newStatuses, body: newBody)
            }
            updated.exchanges[index] = exchange
        }
        return (updated, changes)
    }

    /// Keeps `old` wherever it is equivalent to `new` under the replay's tolerances, judged on the
    /// whole body so that resource context (caseExact, timestamps) applies; records every other
    /// difference. Members only the live body has are not added, because a replay accepts extra
    /// members, so a transcript that passes stays as it is.
    static func reconcile(_ old: JSONValue, _ new: JSONValue, path: JSONPath, exchange: Int, changes: inout [Change])
        -> JSONValue
    {
        let differing = Set(BodyMatcher().compare(expected: old, actual: new).map(\.path))
        return merge(old, new, path: path, differing: differing, exchange: exchange, changes: &changes)
    }

    private static func merge(
        _ old: JSONValue, _ new: JSONValue, path: JSONPath, differing: Set<JSONPath>, exchange: Int,
        changes: inout [Change]
    ) -> JSONValue {
        guard differing.contains(where: { $0.components.starts(with: path.components) }) else {
            return old
        }
        if !differing.contains(path) {
            switch (old, new) {
            case (.object(let oldObject), .object(let newObject)):
                var result = JSONObject()
                for (key, oldValue) in oldObject {
                    let childPath = path.appending(key: key)
                    guard let newKey = newObject.key(matching: key), let newValue = newObject[newKey] else {
                        if differing.contains(childPath) {
                            changes.append(
                                Change(
                                    exchange: exchange, location: childPath.description, old: excerpt(oldValue),
                                    new: "(absent)"))
                        } else {
                            result[key] = oldValue
                        }
                        continue
                    }
                    result[key] = merge(
                        oldValue, newValue, path: childPath, differing: differing, exchange: exchange, changes: &changes
                    )
                }
                for (key, newValue) in newObject where oldObject.key(matching: key) == nil {
                    let childPath = path.appending(key: key)
                    if differing.contains(childPath) {
                        changes.append(
                            Change(
                                exchange: exchange, location: childPath.description, old: "(absent)",
                                new: excerpt(newValue)))
                        result[key] = newValue
                    }
                }
                return .object(result)
            case (.array(let oldElements), .array(let newElements)) where oldElements.count == newElements.count:
                return .array(
                    zip(oldElements, newElements).enumerated().map { index, pair in
                        merge(
                            pair.0, pair.1, path: path.appending(index: index), differing: differing,
                            exchange: exchange, changes: &changes)
                    })
            default:
                break
            }
        }
        changes.append(Change(exchange: exchange, location: path.description, old: excerpt(old), new: excerpt(new)))
        return new
    }

    private static func unsubstitute(_ body: RecordedBody, _ liveToRecorded: Correlation) -> RecordedBody {
        guard case .json(let value) = body else {
            return body
        }
        return .json(liveToRecorded.substitute(value))
    }

    private static func describe(_ body: RecordedBody) -> String {
        switch body {
        case .none: "(empty)"
        case .json(let value): excerpt(value)
        case .text(let text): excerpt(.string(text))
        case .binary(let bytes): TranscriptReplay.describeBytes(bytes)
        }
    }
}
