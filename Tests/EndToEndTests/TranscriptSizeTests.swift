import Foundation
import Testing

/// The verbs that read transcripts reject a file over `--max-transcript-size` (64 MiB by default)
/// with a message naming the option, and the verbs that write one print a note when it is over the default.
@Suite(.serialized) struct TranscriptSizeLimit {
    private static let recording = "02-create-user.json"

    @Test(arguments: [
        ["verify"], ["lint"], ["show"], ["redact", "--out", "OUT"], ["export", "--har", "OUT"],
    ])
    func fileOverLimitIsInputError(verb: [String]) throws {
        let copy = try RecordingsCopy()
        let file = copy.path(Self.recording)
        let size = try #require(FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        let arguments = verb.map { $0 == "OUT" ? copy.path("out") : $0 }

        let refused = try BinaryRunner.run(arguments + ["--max-transcript-size", String(size - 1), file])
        let read = try BinaryRunner.run(arguments + ["--max-transcript-size", String(size), file])

        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("more than the limit of \(size - 1) bytes"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--max-transcript-size \(size)"), "\(refused.stderr)")
        #expect(read.status == 0, "\(read.stderr)")
    }

    @Test(arguments: ["0", "-5", "64MiB", ""])
    func invalidLimitIsUsageError(value: String) throws {
        let result = try BinaryRunner.run(["lint", "--max-transcript-size", value, "Recordings/" + Self.recording])

        #expect(result.status == 2)
        #expect(result.stderr.contains("--max-transcript-size must be a positive number of bytes"), "\(result.stderr)")
    }

    /// A long recording can be larger than the default limit. `recover` writes it and names the
    /// option, and `lint` reads it with that option.
    @Test func writtenFileOverDefaultLimitGetsNote() throws {
        let copy = try RecordingsCopy()
        let journal = copy.path("long.journal")
        let out = copy.path("long.json")
        let header =
            #"{"format":"scimtape.journal","version":1,"transcript":{"name":"long","description":"A recording larger than 64 MiB.","source":{"kind":"proxied"}}}"#
        let body = String(repeating: "word ", count: 13 * 1024 * 1024 + 16)
        let line =
            #"{"sequence":1,"exchange":{"request":{"method":"GET","path":"/Users"},"response":{"status":200,"bodyText":""#
            + body + #""}}}"#
        try Data((header + "\n" + line + "\n").utf8).write(to: URL(fileURLWithPath: journal))

        let recovered = try BinaryRunner.run(["recover", journal, "--out", out])
        let size = try #require(FileManager.default.attributesOfItem(atPath: out)[.size] as? Int)
        let refused = try BinaryRunner.run(["lint", out])
        let read = try BinaryRunner.run(["lint", "--max-transcript-size", String(size), out])

        #expect(recovered.status == 0, "\(recovered.stderr)")
        #expect(recovered.stderr.contains("note: \(out) is \(size) bytes"), "\(recovered.stderr)")
        #expect(recovered.stderr.contains("--max-transcript-size \(size)"), "\(recovered.stderr)")
        #expect(refused.status == 2)
        #expect(read.status == 0, "\(read.stderr)")
    }
}
