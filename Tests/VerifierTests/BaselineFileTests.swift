import Foundation
import Testing

@testable import Verifier

/// Reading `--baseline` files: a member of the wrong type must be rejected, because an entry
/// without `exchange` accepts its rule's findings at every exchange.
@Suite struct BaselineFileTests {
    static let validEntry = #""transcript": "hard-delete", "rule": "delete-blocks", "reason": "known""#

    /// Writes a baseline whose second entry has the given members, and returns the error that
    /// loading it throws, if any.
    private func loadError(entry: String) throws -> String? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-\(UUID().uuidString).json")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text =
            #"{"format": "scimtape.baseline", "version": 1, "entries": [{"transcript": "a", "rule": "status", "reason": "ok"}, {\#(entry)}]}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try Baseline.load(path: path)
            return nil
        } catch {
            #expect(error.message.hasPrefix("\(path): $.entries[1]"), "\(error.message)")
            return error.message
        }
    }

    @Test(arguments: [
        (#""exchange": "6""#, "$.entries[1].exchange: expected an exchange number", #"found "6""#),
        (#""exchange": 6.7"#, "$.entries[1].exchange: expected an exchange number", "found 6.7"),
        (#""exchange": null"#, "$.entries[1].exchange: expected an exchange number", "found null"),
        (#""exchange": 0"#, "$.entries[1].exchange: expected an exchange number", "found 0"),
        (#""path": 3"#, "$.entries[1].path: expected a string", "found 3"),
        (#""bogus": 1"#, "$.entries[1].bogus: unknown member 'bogus'", "expected one of exchange, path"),
    ])
    func wrongMemberIsRejected(member: String, place: String, detail: String) throws {
        let message = try #require(try loadError(entry: "\(Self.validEntry), \(member)"))

        #expect(message.contains(place), "\(message)")
        #expect(message.contains(detail), "\(message)")
    }

    @Test func entryThatIsNoObjectIsRejected() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-\(UUID().uuidString).json")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"format": "scimtape.baseline", "version": 1, "entries": [6]}"#.utf8)
            .write(to: URL(fileURLWithPath: path))

        #expect(throws: BaselineError.self) { try Baseline.load(path: path) }
        do {
            _ = try Baseline.load(path: path)
        } catch {
            #expect(error.message == "\(path): $.entries[0]: expected an object, found number")
        }
    }

    @Test func exchangeNumberAndPathAreRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-\(UUID().uuidString).json")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text =
            #"{"format": "scimtape.baseline", "version": 1, "entries": [{\#(Self.validEntry), "exchange": 6, "path": "$.id"}]}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))

        let baseline = try Baseline.load(path: path)

        #expect(baseline.entries.count == 1)
        #expect(baseline.entries.first?.exchange == 6)
        #expect(baseline.entries.first?.path == "$.id")
    }
}
