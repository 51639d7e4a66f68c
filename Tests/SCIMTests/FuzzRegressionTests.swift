import Foundation
import FuzzTargets
import Testing

/// Inputs that once crashed a fuzzer, run through the same code; each must now pass.
@Suite struct FuzzRegressions {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Regressions")

    static let targets: [(String, @Sendable ([UInt8]) -> Void)] = [
        ("json", FuzzTargets.json), ("transcript", FuzzTargets.transcript), ("filter", FuzzTargets.filter),
        ("patch", FuzzTargets.patch),
    ]

    /// A crash here is a regression: the test process traps on the saved input.
    @Test(arguments: ["json", "transcript", "filter", "patch"])
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
}
