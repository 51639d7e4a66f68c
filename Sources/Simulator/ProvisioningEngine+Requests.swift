import Dispatch
import Foundation
import HTTP
import SCIM
import Transcript

/// A provisioning log entry being built while Entra processes one object.
final class LogEntryRecorder {
    var entry: ProvisioningLog.Entry
    let started = DispatchTime.now().uptimeNanoseconds
    /// Whether the entry is a manager reference or group member update, which quarantine counts apart.
    var isReference = false

    init(entry: ProvisioningLog.Entry) {
        self.entry = entry
    }

    func step(_ type: String, _ name: String, _ status: ProvisioningLog.Status = .success, _ description: String) {
        entry.steps.append(ProvisioningLog.Step(name: name, type: type, status: status, description: description))
    }

    func modified(_ name: String, from old: JSONValue?, to new: JSONValue?) {
        entry.modifiedProperties.append(
            ProvisioningLog.ModifiedProperty(displayName: name, oldValue: Self.text(old), newValue: Self.text(new)))
    }

    func fail(_ failure: ProvisioningFailure, action: ProvisioningLog.Action) {
        entry.action = action
        entry.status = .failure
        entry.error = failure.information
        step("export", "Export", .failure, "\(failure.code): \(failure.details)")
    }

    private static func text(_ value: JSONValue?) -> String? {
        guard let value, !value.isNull else {
            return nil
        }
        return value.stringValue ?? value.serialized()
    }
}

extension ProvisioningEngine {
    /// Maximum number of times one request is sent again after a 429 within a cycle.
    static let maximumThrottleRetries = 3
    /// Maximum `Retry-After` the simulator waits, in seconds. A longer one fails the object until the
    /// next cycle.
    static let maximumRetryAfter = 120

    /// Sends a request Entra makes and counts it for the cycle. With `RetryAfterPolicy.honour`, a
    /// 429 with `Retry-After: N` makes the engine wait N seconds (for real, and on the simulated
    /// clock) and send the same request again.
    // NOTE: how many times Entra resends after a 429 and the longest wait it accepts are not
    // documented; maximumThrottleRetries and maximumRetryAfter are the simulator's choices.
    /// Sends DELETE for a user or group and logs the outcome. A 204 or a 200 counts as deleted.
    func sendDelete(_ path: String, description: String, deleted: String, record: LogEntryRecorder)
        throws(HTTPClientError) -> Result<Void, ProvisioningFailure>
    {
        let exchange = try send(.delete, path, step: "delete", description: description, record: record)
        guard exchange.response.status == 204 || exchange.response.status == 200 else {
            let failure = ProvisioningFailure.from(exchange, readsAnchor: true)
            record.fail(failure, action: .delete)
            return .failure(failure)
        }
        record.entry.action = .delete
        record.step("export", "Export", .success, deleted)
        return .success(())
    }

    func send(
        _ method: HTTPMethod, _ path: String, body: JSONValue? = nil, step: String, description: String,
        record: LogEntryRecorder?
    ) throws(HTTPClientError) -> Exchange {
        var attempt = 0
        var text = description
        while true {
            let exchange = try target.send(method, path, body: body, step: step, description: text)
            cycle?.requests += 1
            if exchange.response.status == 401 || exchange.response.status == 403 {
                rejectedRequests += 1
            }
            guard exchange.response.status == 429, scenario.tenant.retryAfter == .honour,
                let seconds = exchange.response.headers["Retry-After"].flatMap({ Int($0) }), seconds >= 0,
                seconds <= Self.maximumRetryAfter, attempt < Self.maximumThrottleRetries
            else {
                return exchange
            }
            attempt += 1
            record?.step(
                "export", "Throttled", .warning,
                "\(method.rawValue) \(path) was answered 429 with Retry-After: \(seconds); Entra waits \(seconds) s "
                    + "and sends it again")
            Thread.sleep(forTimeInterval: Double(seconds))
            now += Double(seconds)
            text = description + " (sent again after waiting \(seconds) s, as Retry-After asked)"
        }
    }

    func beginUserEntry(_ key: String, onDemand: Bool = false) -> LogEntryRecorder {
        let state = users[key]!
        let directory = state.directory
        let entry = ProvisioningLog.Entry(
            id: logRandom.uuid(), activityDateTime: now, cycleId: cycle?.id ?? "", changeId: logRandom.uuid(),
            onDemand: onDemand,
            source: ProvisioningLog.Identity(
                id: directory.objectId, displayName: directory.displayName ?? directory.userPrincipalName,
                identityType: "User"),
            target: ProvisioningLog.Identity(
                id: state.anchor, displayName: directory.userPrincipalName, identityType: SCIMURN.user))
        let record = LogEntryRecorder(entry: entry)
        record.step(
            "import", "Import", .success,
            "Retrieved \(directory.userPrincipalName) (objectId \(directory.objectId)) from Microsoft Entra ID")
        return record
    }

    func beginGroupEntry(_ key: String) -> LogEntryRecorder {
        let state = groups[key]!
        let entry = ProvisioningLog.Entry(
            id: logRandom.uuid(), activityDateTime: now, cycleId: cycle?.id ?? "", changeId: logRandom.uuid(),
            source: ProvisioningLog.Identity(
                id: state.directory.objectId, displayName: state.directory.displayName, identityType: "Group"),
            target: ProvisioningLog.Identity(
                id: state.anchor, displayName: state.directory.displayName, identityType: SCIMURN.group))
        let record = LogEntryRecorder(entry: entry)
        record.step(
            "import", "Import", .success, "Retrieved group \(state.directory.displayName) from Microsoft Entra ID")
        return record
    }

    /// Adds the entry to the log and the cycle's counters, with the target id known at the end.
    func finish(_ record: LogEntryRecorder, targetId: String?) {
        record.entry.target.id = targetId ?? record.entry.target.id
        record.entry.durationInMilliseconds = Int(
            (DispatchTime.now().uptimeNanoseconds - record.started) / 1_000_000)
        log.entries.append(record.entry)
        cycle?.events += 1
        if record.entry.status == .failure {
            cycle?.failures += 1
            if record.isReference {
                cycle?.referenceFailures += 1
            }
        }
    }
}
