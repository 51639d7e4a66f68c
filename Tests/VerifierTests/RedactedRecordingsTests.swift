import ReferenceServer
import SCIM
import Testing
import Transcript
import Verifier

/// A redacted transcript must replay like the original: pass where it passes, and fail with the
/// same findings at the same exchanges where it fails.
@Suite struct RedactedRecordings {
    private func redacted() throws -> [(file: String, transcript: Transcript)] {
        try shippedTranscripts().map { ($0.file, PersonalDataRedaction.redact($0.transcript).transcript) }
    }

    private func signature(_ outcomes: [TranscriptOutcome]) -> [String] {
        outcomes.flatMap { outcome in outcome.findings.map { "\(outcome.file) \($0.exchange ?? 0) \($0.rule)" } }
            .sorted()
    }

    @Test(arguments: VerificationProfile.allCases)
    func redactedRecordingsStillPass(profile: VerificationProfile) throws {
        let outcomes = try verifyEmbedded(try redacted(), options: VerifyOptions(profile: profile))

        #expect(outcomes.allSatisfy { $0.status == .passed }, "\(describe(outcomes))")
    }

    @Test(arguments: Deviation.allCases)
    func redactedRecordingsFailTheSameWay(deviation: Deviation) throws {
        let options = VerifyOptions(embeddedDeviations: [deviation])

        let original = try verifyEmbedded(try shippedTranscripts(), options: options)
        let redacted = try verifyEmbedded(try redacted(), options: options)

        #expect(!signature(original).isEmpty)
        #expect(signature(redacted) == signature(original))
    }

    @Test func redactedRecordingsHoldNoOriginalValues() throws {
        for (file, transcript) in try shippedTranscripts() {
            let (redacted, table) = PersonalDataRedaction.redact(transcript)
            let values = Set(stringValues(redacted.json).map { $0.lowercased() })

            #expect(!table.isEmpty, "\(file) has no personal values")
            for entry in table.entries {
                #expect(!values.contains(entry.original.lowercased()), "\(file) still contains \(entry.original)")
            }
            for entry in table.entries where entry.original.contains("@") {
                #expect(!values.contains { $0.contains(entry.original.lowercased()) }, "\(file): \(entry.original)")
            }
        }
    }

    /// Returns every string value in a JSON document, without object keys.
    private func stringValues(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .array(let elements): elements.flatMap(stringValues)
        case .object(let object): object.flatMap { stringValues($0.value) }
        default: []
        }
    }
}
