import Foundation
import HTTP
import Recorder
import SCIM
import Testing
import Transcript

@Suite struct JournalResume {
    @Test func secondRunContinuesTheJournal() throws {
        let folder = try ProxyHarness.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try ProxyHarness(folder: folder)
        try first.send(.get, "/Users?count=1")
        try first.send(.get, "/Users?count=2")
        // The first proxy stops without finishing, as a killed process would.
        first.proxy.stop()
        let journal = try String(contentsOfFile: first.journalPath, encoding: .utf8)
        try (journal + #"{"sequence":3,"exchange":{"req"#).write(
            toFile: first.journalPath, atomically: false, encoding: .utf8)

        let second = try RecordingProxy(configuration: first.proxy.configuration)
        try second.start()
        _ = try HTTPClient().send(
            HTTPRequest(
                method: .get, target: "/scim/v2/Users?count=3",
                headers: [("Authorization", "Bearer \(ProxyHarness.token)")]),
            url: second.url + "/Users?count=3")
        let (transcript, contents) = try second.finish()

        #expect(second.resumedExchanges == 2)
        #expect(contents.damagedLines.isEmpty)
        #expect(!contents.hasTornTail)
        #expect(contents.entries.map(\.sequence) == [1, 2, 3])
        #expect(transcript?.exchanges.map(\.request.path) == ["/Users?count=1", "/Users?count=2", "/Users?count=3"])
    }

    @Test func fsyncJournalRecordsEveryExchange() throws {
        let harness = try ProxyHarness(survivesPowerLoss: true)

        DispatchQueue.concurrentPerform(iterations: 8) { index in
            _ = try? harness.send(.get, "/Users?count=\(index)")
        }
        let contents = try JournalContents.read(path: harness.journalPath)

        #expect(contents.entries.count == 8)
        #expect(Set(contents.entries.map(\.sequence)) == Set(1...8))
    }
}
