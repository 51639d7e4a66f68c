import SCIM
import Testing
import Transcript
import Verifier

/// A recording edited by hand must fail, naming the exchange, the JSON path and both values.
@Suite struct EditedTranscripts {
    private func createUserTranscript() throws -> Transcript {
        try #require(try shippedTranscripts().first { $0.file == "02-create-user.json" }).transcript
    }

    /// A response to HEAD has no body, so a 405 to HEAD is no error-body finding. `/.search` takes
    /// only POST, so the reference endpoint returns 405 for HEAD there.
    @Test func headErrorNeedsNoBody() throws {
        let transcript = Transcript(
            name: "head", description: "", source: .init(kind: .handwritten),
            exchanges: [Exchange(request: .init(method: "HEAD", path: "/.search"), response: .init(status: 405))])

        let outcome = try #require(try verifyEmbedded([("head.json", transcript)]).first)

        #expect(outcome.status == .passed, "\(outcome.errors)")
        #expect(outcome.errors.isEmpty)
    }

    @Test func changedStatusIsStatusFinding() throws {
        var transcript = try createUserTranscript()
        let index = try #require(transcript.exchanges.firstIndex { $0.request.method == "POST" })
        transcript.exchanges[index].response.status = 202

        let outcome = try #require(try verifyEmbedded([("edited.json", transcript)]).first)

        #expect(outcome.status == .failed)
        let finding = try #require(outcome.errors.first { $0.rule == "status" })
        #expect(finding.exchange == index + 1)
        #expect(finding.expected == "202")
        #expect(finding.actual?.hasPrefix("201") == true)
        #expect(finding.lines(file: "edited.json")[0].hasPrefix("edited.json: exchange \(index + 1): error: [status]"))
    }

    @Test func changedBodyValueIsBodyFindingWithPath() throws {
        var transcript = try createUserTranscript()
        let index = try #require(transcript.exchanges.firstIndex { $0.request.method == "POST" })
        guard case .json(.object(var body)) = transcript.exchanges[index].response.body else {
            throw TestFailure("the create response has no JSON body")
        }
        body["displayName"] = "Somebody Else"
        transcript.exchanges[index].response.body = .json(.object(body))

        let outcome = try #require(try verifyEmbedded([("edited.json", transcript)]).first)

        let finding = try #require(outcome.errors.first { $0.rule == "body" })
        #expect(finding.exchange == index + 1)
        #expect(finding.path?.description == "$.displayName")
        #expect(finding.expected == #""Somebody Else""#)
        #expect(finding.actual == #""Alice Example""#)
    }

    @Test func caseOnlyDifferenceInUserNameIsTolerated() throws {
        var transcript = try createUserTranscript()
        let index = try #require(transcript.exchanges.firstIndex { $0.request.method == "POST" })
        guard case .json(.object(var body)) = transcript.exchanges[index].response.body else {
            throw TestFailure("the create response has no JSON body")
        }
        body["userName"] = .string(body["userName"]!.stringValue!.uppercased())
        transcript.exchanges[index].response.body = .json(.object(body))

        let outcome = try #require(try verifyEmbedded([("edited.json", transcript)]).first)

        #expect(outcome.status == .passed, "\(describe([outcome]))")
    }

    @Test func unknownRecordedIdIsNotSent() throws {
        var transcript = try createUserTranscript()
        let index = try #require(transcript.exchanges.firstIndex { $0.request.method == "POST" })
        transcript.exchanges[index].request.body = .json(["schemas": [.string(SCIMURN.user)]])

        let outcome = try #require(try verifyEmbedded([("edited.json", transcript)]).first)

        let replay = outcome.errors.filter { $0.rule == "replay" }
        #expect(!replay.isEmpty)
        #expect(replay.allSatisfy { $0.message.hasPrefix("not sent") })
    }
}
