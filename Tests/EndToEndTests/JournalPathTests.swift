import Foundation
import Testing

/// record and recover reject an output path that is the journal itself, through the built binary.
@Suite struct JournalPath {
    @Test func recordJournalOnOutIsUsageError() throws {
        let copy = try RecordingsCopy()

        let result = try BinaryRunner.run(
            [
                "record", "--upstream", "http://127.0.0.1:1/scim/v2", "--out", copy.path("t.json"), "--journal",
                copy.path("./t.json"),
            ], timeout: 20)

        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--journal and --out name the same file"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "no proxy URL was printed: \(result.stdout)")
    }

    @Test func recoverOutOnJournalIsUsageError() throws {
        let copy = try RecordingsCopy()
        let journal =
            #"{"format":"scimtape.journal","version":1,"transcript":{"name":"j","description":"","source":{"kind":"proxied"}}}"#
        try copy.write("j.journal", journal + "\n")

        let result = try BinaryRunner.run(["recover", copy.path("j.journal"), "--out", copy.path("j.journal")])

        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--out names the journal"), "\(result.stderr)")
        #expect(try copy.read("j.journal") == journal + "\n")
    }
}
