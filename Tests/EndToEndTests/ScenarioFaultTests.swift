import Foundation
import Testing

/// Faults that can never fire are rejected where they are written, through the built binary.
@Suite struct ScenarioFaults {
    static let scenario = "\(BinaryRunner.packageRoot.path)/Recordings/scenarios/25-throttled-retry-after.json"
    static let transcript = "\(BinaryRunner.packageRoot.path)/Recordings/25-throttled-retry-after.json"

    /// Writes the scenario with its first `original` replaced, and runs simulate on it.
    private func simulate(replacing original: String, with replacement: String, in copy: RecordingsCopy) throws
        -> BinaryRunner.Result
    {
        var text = try String(contentsOfFile: Self.scenario, encoding: .utf8)
        let range = try #require(text.range(of: original))
        text.replaceSubrange(range, with: replacement)
        try copy.write("fault.scenario.json", text)
        return try BinaryRunner.run(["simulate", copy.path("fault.scenario.json"), "--out", copy.path("out.json")])
    }

    @Test(arguments: [
        (#""method": "FOO""#, #"$.front.faults[0].method: "FOO" matches no request the simulator sends"#),
        (#""method": "P OST\r\n""#, #"$.front.faults[0].method: "P OST\r\n" is not an HTTP method"#),
        (#""path": "/users""#, #"$.front.faults[0].path: "/users" matches no request the simulator sends"#),
        (#""path": "/Users?filter=x""#, #"$.front.faults[0].path: "/Users?filter=x" matches no request"#),
    ])
    func unreachableFaultIsRejected(member: String, message: String) throws {
        let original = member.hasPrefix(#""method""#) ? #""method": "POST""# : #""path": "/Users""#

        let result = try simulate(replacing: original, with: member, in: try RecordingsCopy())

        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func lowercaseMethodStillFires() throws {
        let copy = try RecordingsCopy()

        let result = try simulate(replacing: #""method": "POST""#, with: #""method": "post""#, in: copy)

        #expect(result.status == 0, "\(result.stderr)")
        #expect(try copy.read("out.json").contains(#""status": 429"#))
    }

    @Test func lintRejectsControlCharacterInMethod() throws {
        let copy = try RecordingsCopy()
        var text = try String(contentsOfFile: Self.transcript, encoding: .utf8)
        let precondition = try #require(text.range(of: #""method": "POST""#))
        text.replaceSubrange(precondition, with: #""method": "P OST\r\n""#)
        try copy.write("fault.json", text)

        let result = try BinaryRunner.run(["lint", copy.path("fault.json")])

        #expect(result.status == 2)
        #expect(
            result.stderr.contains(#"$.preconditions[0].method: "P OST\r\n" is not an HTTP method"#),
            "\(result.stderr)")
    }
}
