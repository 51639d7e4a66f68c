import Foundation
import SCIM

extension ProvisioningLog {
    /// The display names of the two systems, as the portal shows them.
    static let sourceSystem = "Microsoft Entra ID"

    /// The JSON document: `format`, the job, its `cycles`, `notes`, and the entries under `value`
    /// as Microsoft Graph lists provisioning logs.
    public var json: JSONValue {
        var root = JSONObject()
        root["format"] = .string(Self.formatName)
        root["version"] = 1
        root["scenario"] = scenario.map(JSONValue.string)
        root["jobId"] = .string(jobId)
        root["targetSystem"] = .string(targetSystem)
        root["cycles"] = .array(cycles.map(\.json))
        root["notes"] = .array(notes.map(JSONValue.string))
        root["value"] = .array(entries.map { $0.json(jobId: jobId, targetSystem: targetSystem) })
        return .object(root)
    }

    /// Encodes the file contents: pretty JSON with a two-space indent and a final newline.
    public func encoded() -> [UInt8] {
        json.serializedBytes(.pretty) + [0x0A]
    }

    /// Writes the log atomically, creating missing folders.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(encoded()).write(to: url, options: .atomic)
    }

    /// Returns the log path that belongs to a transcript path: `x.json` gets `x.provisioning-log.json`.
    public static func path(forTranscript transcriptPath: String) -> String {
        let stem = transcriptPath.hasSuffix(".json") ? String(transcriptPath.dropLast(5)) : transcriptPath
        return stem + ".provisioning-log.json"
    }
}

extension ProvisioningLog.Cycle {
    var json: JSONValue {
        var object = JSONObject()
        object["cycleId"] = .string(id)
        object["kind"] = .string(kind.rawValue)
        object["startedDateTime"] = .string(SCIMDateTime.format(startedAt))
        object["durationInMilliseconds"] = .number(JSONNumber(durationInMilliseconds))
        object["requests"] = .number(JSONNumber(requests))
        object["events"] = .number(JSONNumber(events))
        object["failures"] = .number(JSONNumber(failures))
        object["referenceFailures"] = .number(JSONNumber(referenceFailures))
        if skipped {
            object["skipped"] = true
        }
        object["quarantine"] = quarantine.map(JSONValue.string)
        object["nextCycleDateTime"] = nextCycleAt.map { .string(SCIMDateTime.format($0)) }
        return .object(object)
    }
}

extension ProvisioningLog.Entry {
    func json(jobId: String, targetSystem: String) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["activityDateTime"] = .string(SCIMDateTime.format(activityDateTime))
        object["changeId"] = .string(changeId)
        object["cycleId"] = .string(cycleId)
        object["durationInMilliseconds"] = .number(JSONNumber(durationInMilliseconds))
        object["initiatedBy"] =
            onDemand
            ? ["displayName": "Provision on demand", "initiatorType": "user"]
            : ["displayName": "Azure AD Provisioning Service", "initiatorType": "system"]
        object["jobId"] = .string(jobId)
        object["modifiedProperties"] = .array(
            modifiedProperties.map { property in
                var item = JSONObject()
                item["displayName"] = .string(property.displayName)
                item["oldValue"] = property.oldValue.map(JSONValue.string) ?? .null
                item["newValue"] = property.newValue.map(JSONValue.string) ?? .null
                return .object(item)
            })
        object["provisioningAction"] = .string(action.rawValue)
        var status = JSONObject()
        status["status"] = .string(self.status.rawValue)
        if let error {
            status["errorInformation"] = [
                "errorCode": .string(error.errorCode), "errorCategory": .string(error.errorCategory),
                "reason": .string(error.reason), "additionalDetails": .string(error.additionalDetails),
                "recommendedAction": .string(error.recommendedAction),
            ]
        }
        object["provisioningStatusInfo"] = .object(status)
        object["provisioningSteps"] = .array(
            steps.map { step in
                [
                    "name": .string(step.name), "provisioningStepType": .string(step.type),
                    "status": .string(step.status.rawValue), "description": .string(step.description),
                ]
            })
        object["sourceIdentity"] = source.json
        object["sourceSystem"] = ["displayName": .string(ProvisioningLog.sourceSystem)]
        object["targetIdentity"] = target.json
        object["targetSystem"] = ["displayName": .string(targetSystem)]
        return .object(object)
    }
}

extension ProvisioningLog.Identity {
    var json: JSONValue {
        var object = JSONObject()
        object["id"] = id.map(JSONValue.string) ?? .null
        object["displayName"] = .string(displayName)
        object["identityType"] = .string(identityType)
        return .object(object)
    }
}
