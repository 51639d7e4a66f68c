import Foundation
import SCIM
import Testing
import Transcript
import Verifier

/// The shipped Recordings folder, found from this file's location.
let recordingsFolder: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Recordings")

/// Every shipped transcript with its file name; the provisioning logs beside them are skipped.
func shippedTranscripts() throws -> [(file: String, transcript: Transcript)] {
    let names = try FileManager.default.contentsOfDirectory(atPath: recordingsFolder.path)
        .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".provisioning-log.json") }.sorted()
    return try names.map { name in
        let path = recordingsFolder.appendingPathComponent(name).path
        guard case .transcript(let transcript) = try TranscriptFile.read(path: path, displayPath: name) else {
            throw TestFailure("\(name) is not a transcript")
        }
        return (name, transcript)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Verifies transcripts against fresh embedded endpoints and returns the outcomes.
func verifyEmbedded(
    _ transcripts: [(file: String, transcript: Transcript)], options: VerifyOptions = VerifyOptions()
) throws -> [TranscriptOutcome] {
    let verifier = Verifier(options: options)
    return try transcripts.map { try verifier.verify($0.transcript, file: $0.file) }
}

func describe(_ outcomes: [TranscriptOutcome]) -> String {
    outcomes.flatMap { outcome in outcome.findings.flatMap { $0.lines(file: outcome.file) } }.joined(separator: "\n")
}
