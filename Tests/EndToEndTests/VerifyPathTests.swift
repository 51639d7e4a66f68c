import Foundation
import SCIM
import Testing

/// Verify's reading of the paths on its command line as transcripts, through the built binary.
@Suite struct VerifyPaths {
    private func passedLines(_ stdout: String) -> [String] {
        stdout.split(separator: "\n").filter { $0.hasPrefix("PASS ") }.map(String.init)
    }

    @Test func symbolicLinkToFolderIsFollowed() throws {
        let copy = try RecordingsCopy()
        let link = copy.folder.deletingLastPathComponent().appendingPathComponent("link-\(UUID().uuidString)").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: copy.folder.path)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let direct = try BinaryRunner.run(["verify", copy.folder.path])

        for argument in [link, link + "/"] {
            let result = try BinaryRunner.run(["verify", argument])

            #expect(result.status == 0, "\(argument): \(result.stderr)")
            #expect(passedLines(result.stdout).count == passedLines(direct.stdout).count, "\(result.stdout)")
            #expect(passedLines(result.stdout).allSatisfy { $0.hasPrefix("PASS \(link)") }, "\(result.stdout)")
        }
    }

    /// A symbolic link inside the folder that points back at the folder is not followed.
    @Test func linkBackToFolderDoesNotLoop() throws {
        let copy = try RecordingsCopy()
        try FileManager.default.createSymbolicLink(atPath: copy.path("again"), withDestinationPath: copy.folder.path)

        let result = try BinaryRunner.run(["verify", copy.folder.path], timeout: 60)

        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("/again/"), "\(result.stdout)")
    }

    @Test func eachFileIsReplayedOnce() throws {
        let copy = try RecordingsCopy()
        let file = copy.path("02-create-user.json")
        let all = try BinaryRunner.run(["verify", copy.folder.path])

        let result = try BinaryRunner.run(["verify", file, file, copy.folder.path, copy.folder.path + "/./"])

        let lines = passedLines(result.stdout)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(lines.count == passedLines(all.stdout).count, "\(result.stdout)")
        #expect(lines.first == "PASS \(file) (6 exchanges)", "\(result.stdout)")
        #expect(lines.filter { $0.contains("02-create-user.json") }.count == 1, "\(result.stdout)")
    }

    @Test func noTranscriptsFailsEveryReport() throws {
        let copy = try RecordingsCopy()
        let empty = copy.path("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)

        let result = try BinaryRunner.run([
            "verify", empty, "--json", copy.path("r.json"), "--markdown", copy.path("r.md"), "--junit",
            copy.path("r.xml"),
        ])

        #expect(result.status == 2)
        #expect(result.stderr.contains("no transcripts found in \(empty)"), "\(result.stderr)")
        let report = try JSONValue.parse(
            bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: copy.path("r.json")))))
        let inputErrors = try #require(report["inputErrors"]?.arrayValue)
        #expect(inputErrors.count == 1)
        #expect(inputErrors.first?.stringValue?.contains("no transcripts found") == true)
        let markdown = try copy.read("r.md")
        #expect(markdown.contains("**failed**"), "\(markdown)")
        #expect(!markdown.contains("**passed**"), "\(markdown)")
        let junit = try copy.read("r.xml")
        #expect(junit.contains("no transcripts found"), "\(junit)")
    }
}
