import Foundation
import SCIM
import Simulator
import Testing
import Transcript

/// The repository's Recordings folder, found from this file's location.
let recordingsFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Recordings")

/// The scenario files behind the simulated Recordings.
let shippedScenarioFiles: [String] = {
    let folder = recordingsFolder.appendingPathComponent("scenarios").path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.hasSuffix(".json") && $0.first?.isNumber == true }.sorted()
}()

/// Replaces what changes on every run with placeholders: the endpoint's origin (a loopback port, or
/// `localhost` for the embedded endpoint on its Unix socket), timestamps the
/// endpoint or the run sets, measured durations, and ids (numbered in order of first appearance,
/// so that the same id must appear in the same places).
func normalizedForComparison(_ text: String) -> String {
    var result = text.replacing(/http:\/\/(127\.0\.0\.1:\d+|localhost)\//, with: "http://ORIGIN/")
    result = result.replacing(/"(created|lastModified|recordedAt)": "[^"]*"/) { match in
        "\"\(match.1)\": \"TIME\""
    }
    result = result.replacing(/"durationInMilliseconds": \d+/, with: "\"durationInMilliseconds\": 0")
    var numbers: [String: Int] = [:]
    result = result.replacing(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) { match in
        let id = String(match.0)
        let number = numbers[id] ?? numbers.count
        numbers[id] = number
        return "ID-\(number)"
    }
    return result
}

/// Returns the first line where two texts differ, for a readable failure.
func firstDifference(_ expected: String, _ actual: String) -> String {
    let left = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let right = actual.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(left.count, right.count) {
        let expectedLine = index < left.count ? String(left[index]) : "(end of file)"
        let actualLine = index < right.count ? String(right[index]) : "(end of file)"
        if expectedLine != actualLine {
            return "line \(index + 1):\n  shipped:   \(expectedLine)\n  simulated: \(actualLine)"
        }
    }
    return "no difference"
}

@Suite struct ShippedScenarios {
    @Test func recordingsShipForEveryScenario() throws {
        let transcripts = try FileManager.default.contentsOfDirectory(atPath: recordingsFolder.path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".provisioning-log.json") }

        #expect(transcripts.count >= 18)
        #expect(transcripts.contains("00-microsoft-published-examples.json"))
        for scenario in shippedScenarioFiles {
            let log = ProvisioningLog.path(forTranscript: scenario)
            #expect(transcripts.contains(scenario), "no transcript for \(scenario)")
            #expect(
                FileManager.default.fileExists(atPath: recordingsFolder.appendingPathComponent(log).path),
                "no provisioning log for \(scenario)")
        }
    }

    @Test(arguments: shippedScenarioFiles)
    func resimulationReproducesRecording(file: String) throws {
        let scenarioPath = "Recordings/scenarios/\(file)"
        let scenario = try Scenario.load(path: recordingsFolder.appendingPathComponent("scenarios/\(file)").path)
        let shippedTranscript = try String(
            contentsOf: recordingsFolder.appendingPathComponent(file), encoding: .utf8)
        let shippedLog = try String(
            contentsOf: recordingsFolder.appendingPathComponent(ProvisioningLog.path(forTranscript: file)),
            encoding: .utf8)
        let tool = try Transcript(json: try JSONValue.parse(shippedTranscript)).source.tool
        let endpoint = try LoopbackEndpoint()

        let result = try withExtendedLifetime(endpoint) {
            try Simulation.run(
                scenario,
                options: Simulation.Options(
                    baseURL: endpoint.server.baseURL, scenarioPath: scenarioPath, profile: "front",
                    tool: tool ?? "scimtape"))
        }

        let transcript = normalizedForComparison(String(decoding: result.transcript.encoded(), as: UTF8.self))
        let log = normalizedForComparison(String(decoding: result.log.encoded(), as: UTF8.self))
        let expectedTranscript = normalizedForComparison(shippedTranscript)
        let expectedLog = normalizedForComparison(shippedLog)
        #expect(transcript == expectedTranscript, "\(firstDifference(expectedTranscript, transcript))")
        #expect(log == expectedLog, "\(firstDifference(expectedLog, log))")
    }

    @Test func normalizationKeepsIdentityOfIds() {
        let first = #"{"id": "6dca1596-35ac-4102-adbc-0d9519b3371f", "ref": "6dca1596-35ac-4102-adbc-0d9519b3371f"}"#
        let swapped = #"{"id": "11111111-35ac-4102-adbc-0d9519b3371f", "ref": "22222222-35ac-4102-adbc-0d9519b3371f"}"#

        #expect(normalizedForComparison(first) == #"{"id": "ID-0", "ref": "ID-0"}"#)
        #expect(normalizedForComparison(swapped) == #"{"id": "ID-0", "ref": "ID-1"}"#)
    }
}

/// The JSON Schema of the scenario format, kept in step with the decoder.
@Suite struct ScenarioSchema {
    static let schema: JSONValue = {
        let path = recordingsFolder.appendingPathComponent("scenarios/scenario.schema.json").path
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) } ?? []
        return (try? JSONValue.parse(bytes: bytes)) ?? .null
    }()

    /// Returns the names the decoder lists after "expected one of" when it rejects `document`.
    func decoderNames(_ document: String) throws -> Set<String> {
        let json = try JSONValue.parse(document)
        let error = scenarioError { () throws(ScenarioError) in try Scenario(json: json) }
        let list = error?.message.components(separatedBy: "expected one of ").last ?? ""
        return Set(list.components(separatedBy: ", "))
    }

    @Test func schemaListsEveryEvent() throws {
        let events = Self.schema["$defs"]?["event"]?["oneOf"]?.arrayValue ?? []
        let names = events.compactMap { event in
            (event["properties"] ?? event["allOf"]?.arrayValue?.first?["properties"])?["event"]?["const"]?.stringValue
        }

        let decoded = try decoderNames(ScenarioDocuments.document(timeline: [#"{"event": "x"}"#]))

        #expect(Set(names) == decoded)
        #expect(names.count == decoded.count)
    }

    @Test func schemaListsEveryTenantMember() throws {
        let members = Self.schema["$defs"]?["tenant"]?["properties"]?.objectValue?.keys ?? []

        let decoded = try decoderNames(ScenarioDocuments.document(tenant: #"{"x": 1}"#))

        #expect(Set(members) == decoded)
    }

    @Test func schemaListsEveryShapeSwitch() throws {
        let shapes = Self.schema["$defs"]?["tenant"]?["properties"]?["shapes"]?["properties"]?.objectValue?.keys ?? []

        let decoded = try decoderNames(ScenarioDocuments.document(tenant: #"{"shapes": {"x": 1}}"#))

        #expect(Set(shapes) == decoded)
    }

    @Test func schemaListsEveryRootMember() throws {
        let members = Self.schema["properties"]?.objectValue?.keys ?? []

        let decoded = try decoderNames(ScenarioDocuments.document(members: #""x": 1, "#))

        #expect(Set(members) == decoded)
    }
}
