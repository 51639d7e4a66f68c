import Foundation
import Testing

/// export --har, through the built binary.
@Suite struct ExportHAR {
    @Test(arguments: [
        ("06-hard-delete.json", #"leaves out the expectations ("expect") of 2 exchanges, because"#),
        ("08-deleted-teammate.json", "leaves out 1 precondition, because"),
    ])
    func droppedPartsAreCounted(transcript: String, warning: String) throws {
        let folder = try TemporaryFolder()
        let out = folder.path("out.har")

        let result = try BinaryRunner.run(["export", "Recordings/\(transcript)", "--har", out])

        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: \(out) \(warning)"), "\(result.stderr)")
    }

    @Test func nothingDroppedGivesNoWarning() throws {
        let folder = try TemporaryFolder()

        let result = try BinaryRunner.run(["export", "Recordings/02-create-user.json", "--har", folder.path("out.har")])

        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }
}
