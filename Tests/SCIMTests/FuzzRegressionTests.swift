import Foundation
import FuzzTargets
import HTTP
import Testing
import Transcript

/// Inputs that once crashed a fuzzer, run through the same code; each must now pass.
@Suite struct FuzzRegressions {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Regressions")

    static let targets: [(String, @Sendable ([UInt8]) -> Void)] = [
        ("json", FuzzTargets.json), ("transcript", FuzzTargets.transcript), ("filter", FuzzTargets.filter),
        ("patch", FuzzTargets.patch), ("har", FuzzTargets.har),
    ]

    /// A crash here is a regression: the test process traps on the saved input.
    @Test(arguments: ["json", "transcript", "filter", "patch", "har"])
    func savedCrashInputsNoLongerCrash(target: String) throws {
        let run = try #require(Self.targets.first { $0.0 == target }).1
        let directory = Self.folder.appendingPathComponent(target)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for file in files.sorted() where !file.hasPrefix(".") {
            run([UInt8](try Data(contentsOf: directory.appendingPathComponent(file))))
        }
    }

    @Test(arguments: ["json", "transcript", "filter", "patch"])
    func shippedRecordingsRunThroughTargets(target: String) throws {
        let recordings = Self.folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Recordings")
        let run = try #require(Self.targets.first { $0.0 == target }).1
        var count = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: recordings.path) where name.hasSuffix(".json") {
            run([UInt8](try Data(contentsOf: recordings.appendingPathComponent(name))))
            count += 1
        }
        #expect(count >= 8)
    }

    /// Every shipped transcript, written as HAR by the exporter, runs through the HAR target, which
    /// checks that it imports to a transcript that reads back to itself.
    @Test func exportedRecordingsRunThroughHARTarget() throws {
        let recordings = Self.folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Recordings")
        let base = try BaseURL("https://scim.example/scim/v2")
        var count = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: recordings.path).sorted()
        where name.hasSuffix(".json") {
            let path = recordings.appendingPathComponent(name).path
            guard case .transcript(let transcript) = try TranscriptFile.read(path: path) else {
                continue
            }
            let document = HARExport.document(transcript, base: base, tool: "scimtape test")
            let bytes = document.serializedBytes()
            let imported = try HARImport.parse(
                bytes: bytes, options: HARImport.Options(base: base.description, name: name, sourceFile: name))

            FuzzTargets.har(bytes)
            #expect(imported.transcript.exchanges.count == transcript.exchanges.count, "\(name)")
            count += 1
        }
        #expect(count >= 8)
    }
}
