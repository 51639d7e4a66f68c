import Foundation
import HTTP
import SCIM
import Testing
import Transcript

@Suite struct JournalRecovery {
    private func makePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("scimtape-journal-\(UUID().uuidString).journal")
            .path
    }

    private func exchange(_ path: String) -> Exchange {
        Exchange(
            request: Exchange.Request(method: "GET", path: path),
            response: Exchange.Response(status: 200, body: .json(["totalResults": 0])))
    }

    private let metadata = Transcript(
        name: "journal-test", description: "A journal under test.",
        source: Transcript.Source(kind: .proxied, tool: "scimtape test"))

    @Test func exchangesComeBackInSequenceOrder() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: true)

        try journal.append(exchange("/Users?count=2"), sequence: 2)
        try journal.append(exchange("/Users?count=1"), sequence: 1)
        let contents = try JournalContents.read(path: path)

        #expect(contents.metadata.name == "journal-test")
        #expect(contents.metadata.source.kind == .proxied)
        #expect(try contents.transcript().exchanges.map(\.request.path) == ["/Users?count=1", "/Users?count=2"])
        #expect(contents.nextSequence == 3)
        #expect(!contents.hasTornTail)
    }

    @Test func tornTailIsIgnoredAndCutOff() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: false)
        try journal.append(exchange("/Users?count=1"), sequence: 1)
        journal.close()
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"sequence":2,"exchange":{"requ"#.utf8))
        try handle.close()

        let torn = try JournalContents.read(path: path)
        let continued = try TranscriptJournal(
            continuing: path, validLength: torn.validLength, survivesPowerLoss: false)
        try continued.append(exchange("/Users?count=2"), sequence: torn.nextSequence)
        let repaired = try JournalContents.read(path: path)

        #expect(torn.hasTornTail)
        #expect(torn.entries.count == 1)
        #expect(repaired.entries.map(\.sequence) == [1, 2])
        #expect(repaired.damagedLines.isEmpty)
        #expect(!repaired.hasTornTail)
    }

    @Test func damagedMiddleLineIsReported() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: false)
        try journal.append(exchange("/Users?count=1"), sequence: 1)
        journal.close()
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text += "\u{0}\u{0}\u{0}\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let appender = try TranscriptJournal(continuing: path, validLength: text.utf8.count, survivesPowerLoss: false)
        try appender.append(exchange("/Users?count=3"), sequence: 3)

        let contents = try JournalContents.read(path: path)

        #expect(contents.damagedLines.map(\.number) == [3])
        #expect(contents.damagedLines.first?.reason.hasPrefix("invalid JSON at column 1:") == true)
        #expect(contents.entries.map(\.sequence) == [1, 3])
    }

    /// Two lines with one sequence number (a line copied by hand) are both kept, in file order,
    /// and the number is listed.
    @Test func repeatedSequenceKeepsFileOrder() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: false)
        try journal.append(exchange("/Users?count=2"), sequence: 2)
        try journal.append(exchange("/Users?count=1"), sequence: 1)
        try journal.append(exchange("/Users?count=3"), sequence: 2)
        journal.close()

        let contents = try JournalContents.read(path: path)
        var paths: [String] = []
        try contents.forEachExchange { paths.append($0.request.path) }

        #expect(contents.repeatedSequences == [2])
        #expect(paths == ["/Users?count=1", "/Users?count=2", "/Users?count=3"])
    }

    /// A sequence number no proxy writes (a hand-edited line) would leave no next number to use.
    @Test func sequenceOutOfRangeIsDamaged() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: false)
        try journal.append(exchange("/Users?count=1"), sequence: 1)
        try journal.append(exchange("/Users?count=2"), sequence: Int.max)
        try journal.append(exchange("/Users?count=3"), sequence: -1)
        journal.close()

        let contents = try JournalContents.read(path: path)

        #expect(contents.damagedLines.map(\.number) == [3, 4])
        #expect(contents.damagedLines.map(\.sequence) == [nil, nil])
        #expect(
            contents.damagedLines.first?.reason
                == "sequence \(Int.max) is not an integer from 0 to \(JournalContents.maximumSequence)")
        #expect(
            contents.damagedLines.last?.reason
                == "sequence -1 is not an integer from 0 to \(JournalContents.maximumSequence)")
        #expect(contents.nextSequence == 2)
    }

    /// Each damaged line names why it cannot be read, and its sequence number when that was read.
    @Test func damagedLinesNameTheReason() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: false)
        try journal.append(exchange("/Users?count=1"), sequence: 1)
        journal.close()
        let good = #"{"request":{"method":"GET","path":"/Users"},"response":{"status":200}}"#
        let damaged = [
            #"{"sequence":2,"exchange":{"request":{"method":"GET","path":"/Users"},"response":{"status":"201"}}}"#,
            #"{"sequence":3,"exchange":"#,
            #"[1,2]"#,
            #"{"exchange":\#(good)}"#,
            #"{"sequence":"4","exchange":\#(good)}"#,
            #"{"sequence":5.5,"exchange":\#(good)}"#,
            #"{"sequence":6}"#,
            #"{"sequence":7,"exchange":{"request":{"method":"GET","path":"/Users"}}}"#,
            #"{"sequence":8,"exchange":{"request":{"method":"GET","path":"/Users"},"response":{"status":200},"x":1}}"#,
        ]
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text += damaged.joined(separator: "\n") + "\n" + #"{"sequence":9,"exchange":\#(good)}"# + "\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)

        let contents = try JournalContents.read(path: path)
        let lines = contents.damagedLines

        #expect(contents.entries.map(\.sequence) == [1, 9])
        try #require(lines.count == damaged.count)
        #expect(lines.map(\.number) == Array(3...11))
        #expect(lines.map(\.sequence) == [2, nil, nil, nil, nil, nil, 6, 7, 8])
        #expect(lines[0].reason == #"$.exchange.response.status: expected an integer, found "201""#)
        #expect(lines[1].reason.hasPrefix("invalid JSON at column 26 in $.exchange: "), "\(lines[1].reason)")
        #expect(lines[2].reason == "the line is a JSON array, not an object")
        #expect(lines[3].reason == "the member 'sequence' is missing")
        #expect(lines[4].reason.hasPrefix(#"sequence "4" is not an integer from 0 to "#), "\(lines[4].reason)")
        #expect(lines[5].reason.hasPrefix("sequence 5.5 is not an integer from 0 to "), "\(lines[5].reason)")
        #expect(lines[6].reason == "the member 'exchange' is missing")
        #expect(lines[7].reason == "$.exchange.response: the member 'response' is missing")
        #expect(lines[8].reason.hasPrefix("$.exchange.x: unknown member 'x'"), "\(lines[8].reason)")
    }

    @Test func existingJournalIsNeverOverwritten() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: false)

        #expect(throws: JournalError.self) {
            _ = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: false)
        }
    }

    @Test func otherFileIsNotAJournal() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #"{"format":"scimtape.transcript"}"#.write(toFile: path, atomically: true, encoding: .utf8)

        #expect(throws: JournalError.self) {
            _ = try JournalContents.read(path: path)
        }
    }

    @Test func binaryBodiesRecoverExactly() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let requestBytes = SampleTranscripts.latin1Body
        let responseBytes: [UInt8] = [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D, 0x0A, 0xFF]
        let journal = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: false)
        try journal.append(
            Exchange(
                request: Exchange.Request(method: "POST", path: "/Users", body: .binary(requestBytes)),
                response: Exchange.Response(status: 400, body: .binary(responseBytes))),
            sequence: 1)
        journal.close()

        let contents = try JournalContents.read(path: path)
        let line = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").last ?? ""

        #expect(contents.damagedLines.isEmpty)
        #expect(try contents.transcript().exchanges.first?.request.body == .binary(requestBytes))
        #expect(try contents.transcript().exchanges.first?.response.body == .binary(responseBytes))
        #expect(line.contains(#""bodyBase64":"eyJ1c2VyTmFtZSI6ImNhZukifQ==""#))
    }

    /// The journal writes its lines without building a JSON tree. Each line must be the bytes the
    /// tree would give, for every shape an exchange can take.
    @Test func linesAreTheExchangesJSONSerialised() throws {
        let path = makePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try TranscriptJournal(creating: path, metadata: metadata, survivesPowerLoss: false)
        let exchanges = [
            exchange("/Users?filter=userName%20eq%20%22a%22"),
            Exchange(
                description: "Quotes \" and \\ and a tab\t, é, 😀", step: "create",
                request: Exchange.Request(
                    method: "POST", path: "/Users",
                    headers: [("Authorization", "Bearer [redacted]"), ("Content-Type", "application/scim+json")],
                    body: .json(["userName": "a\u{1}b", "emails": [["value": "a@example.com", "primary": true]]])),
                response: Exchange.Response(
                    status: 201, headers: [("Location", "/Users/1"), ("X-Empty", "")],
                    body: .text("{\"id\":\"1\",\n\"id\":\"2\"}"))),
            Exchange(
                request: Exchange.Request(method: "DELETE", path: "/Users/1"),
                response: Exchange.Response(status: 204)),
            Exchange(
                request: Exchange.Request(method: "GET", path: "/Users/1"),
                response: Exchange.Response(status: 404, body: .json(["detail": .null, "n": 1.5])),
                expectations: Expectations(status: [404, 410])),
            Exchange(
                request: Exchange.Request(method: "POST", path: "/Users", body: .binary(SampleTranscripts.latin1Body)),
                response: Exchange.Response(status: 400, body: .binary([0xFF, 0x00, 0x22, 0x5C]))),
        ]
        for (index, exchange) in exchanges.enumerated() {
            try journal.append(exchange, sequence: index + 7)
        }
        journal.close()

        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(lines.count == exchanges.count)
        for (index, (line, exchange)) in zip(lines, exchanges).enumerated() {
            let tree: JSONValue = ["sequence": .number(JSONNumber(index + 7)), "exchange": exchange.json]
            #expect(String(line) == tree.serialized())
        }
        #expect(try JournalContents.read(path: path).transcript().exchanges.count == exchanges.count)
    }
}
