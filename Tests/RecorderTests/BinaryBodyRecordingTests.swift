import Foundation
import HTTP
import Recorder
import SCIM
import Testing
import Transcript
import Verifier

/// Bodies that are not valid UTF-8, recorded through the proxy and replayed by `verify`.
@Suite struct BinaryBodyRecording {
    /// A SCIM user whose userName is Latin-1 (`café`), which is not valid UTF-8, followed by a byte
    /// that never occurs in UTF-8.
    static let requestBytes =
        Array(#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"caf"#.utf8) + [0xE9]
        + Array(#"@x.example"}"#.utf8) + [0xFF]

    /// Writes `transcript` to a file in `folder` and reads it back.
    private func roundTrip(_ transcript: Transcript, in folder: URL) throws -> (text: String, decoded: Transcript) {
        let path = folder.appendingPathComponent("binary.json").path
        try Data(transcript.encoded()).write(to: URL(fileURLWithPath: path))
        guard case .transcript(let decoded) = try TranscriptFile.read(path: path) else {
            throw ProxyTestFailure("the recorded file did not read back as a transcript")
        }
        return (try String(contentsOfFile: path, encoding: .utf8), decoded)
    }

    @Test func binaryBodiesRecordedAndReplayed() throws {
        let folder = try ProxyHarness.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let echo = try ScriptedUpstream(relayTo: nil, misbehaviours: ["echo": .echo])
        defer { echo.stop() }
        let journalPath = folder.appendingPathComponent("binary.journal").path
        let proxy = try RecordingProxy(
            configuration: RecordingProxyConfiguration(
                upstream: try BaseURL(echo.baseURL), journalPath: journalPath, name: "binary"))
        try proxy.start()
        defer { proxy.stop() }

        let sent = try HTTPClient().send(
            HTTPRequest(
                method: .post, target: "/scim/v2/Users/echo",
                headers: [("Content-Type", "application/scim+json")], body: Self.requestBytes),
            url: proxy.url + "/Users/echo")
        let journal = try JournalContents.read(path: journalPath)
        let (finished, _) = try proxy.finish()
        let transcript = try #require(finished)
        let (text, decoded) = try roundTrip(transcript, in: folder)

        #expect(sent.status.code == 200)
        #expect(sent.body == Self.requestBytes)
        #expect(journal.damagedLines.isEmpty)
        let journaled = try journal.transcript()
        #expect(journaled.exchanges.first?.request.body == .binary(Self.requestBytes))
        #expect(journaled.exchanges.first?.response.body == .binary(Self.requestBytes))
        #expect(transcript.exchanges.count == 1)
        #expect(transcript.exchanges.first?.request.body == .binary(Self.requestBytes))
        #expect(transcript.exchanges.first?.response.body == .binary(Self.requestBytes))
        #expect(text.contains(#""bodyBase64": "\#(Data(Self.requestBytes).base64EncodedString())""#))
        #expect(!text.contains("\u{FFFD}"))
        #expect(decoded.exchanges == transcript.exchanges)

        // The echo returns the bytes the replay sent, so a pass shows that they were sent unchanged.
        let options = VerifyOptions(target: echo.baseURL, allowWrites: true, isolate: false)
        let passed = try Verifier(options: options).verify(decoded, file: "binary.json")
        #expect(passed.status == .passed, "\(passed.findings.flatMap { $0.lines(file: passed.file) })")

        var changed = Self.requestBytes
        changed[changed.count - 1] = 0xFE
        let reply = "HTTP/1.1 200 OK\r\nContent-Length: \(changed.count)\r\nConnection: close\r\n\r\n"
        let other = try ScriptedUpstream(relayTo: nil, misbehaviours: ["echo": .reply(Array(reply.utf8) + changed)])
        defer { other.stop() }
        let failed = try Verifier(options: VerifyOptions(target: other.baseURL, allowWrites: true, isolate: false))
            .verify(decoded, file: "binary.json")
        let bodyFindings = failed.findings.filter { $0.rule == "body" }
        #expect(failed.status == .failed)
        #expect(bodyFindings.count == 1)
        #expect(bodyFindings.first?.exchange == 1)
        #expect(bodyFindings.first?.message.contains("not valid UTF-8") == true)
    }
}
