import ReferenceServer
import Testing
import Transcript
import Verifier

@Suite struct ShippedRecordings {
    @Test func atLeastTwelveDeviationsExist() {
        #expect(Deviation.allCases.count >= 12)
    }

    @Test func atLeastEightTranscriptsShip() throws {
        let transcripts = try shippedTranscripts()

        #expect(transcripts.count >= 8)
        #expect(transcripts.contains { $0.transcript.source.kind == .handwritten })
    }

    @Test(arguments: VerificationProfile.allCases)
    func cleanEndpointGivesNoFindings(profile: VerificationProfile) throws {
        let transcripts = try shippedTranscripts()

        let outcomes = try verifyEmbedded(transcripts, options: VerifyOptions(profile: profile))

        #expect(outcomes.allSatisfy { $0.status == .passed }, "\(describe(outcomes))")
        #expect(outcomes.allSatisfy { $0.findings.isEmpty }, "\(describe(outcomes))")
    }

    /// The rule that must catch each deviation, from the table in the README.
    static let expectedRules: [(Deviation, String)] = [
        (.hardDelete, "delete-blocks"),
        (.hideBlocked, "soft-delete"),
        (.reapplyTemplate, "create-only-template"),
        (.deletedTeammate500, "deleted-teammate"),
        (.deletedTeammateDuplicate, "deleted-teammate"),
        (.numericErrorStatus, "error-body"),
        (.caseSensitiveUserName, "username-filter-case"),
        (.noMatch404, "test-connection"),
        (.activeAsString, "active-boolean"),
        (.lowercaseOpOnly, "patch-op-case"),
        (.patchNotAtomic, "patch-atomicity"),
        (.deleteUnknown204, "unknown-id-404"),
        (.locationMismatch, "resource-metadata"),
    ]

    @Test func everyDeviationHasAnExpectedRule() {
        let covered = Set(Self.expectedRules.map(\.0))

        #expect(covered == Set(Deviation.allCases))
    }

    @Test(arguments: expectedRules)
    func deviationIsCaughtByItsRule(deviation: Deviation, rule: String) throws {
        let transcripts = try shippedTranscripts()

        let outcomes = try verifyEmbedded(transcripts, options: VerifyOptions(embeddedDeviations: [deviation]))

        let findings = outcomes.flatMap(\.errors)
        #expect(outcomes.contains { $0.status == .failed })
        #expect(findings.contains { $0.rule == rule }, "rules that fired: \(Set(findings.map(\.rule)).sorted())")
        #expect(ContractRules.all.contains { $0.id == rule })
    }
}
