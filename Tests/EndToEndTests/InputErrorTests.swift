import Foundation
import Testing

/// Bad input on the command line and in files gets exit 2 and a message naming what is wrong.
@Suite(.serialized) struct InputErrors {
    @Test(arguments: ["inf", "nan", "0", "-1", "1e16", "abc"])
    func invalidTimeoutIsUsageError(value: String) throws {
        let result = try BinaryRunner.run(["verify", "--timeout", value, "Recordings/01-test-connection.json"])

        #expect(result.status == 2)
        #expect(result.stderr.contains("--timeout must be a number of seconds"))
    }

    @Test func targetWithCredentialsIsRefusedWithoutEchoingThem() throws {
        let result = try BinaryRunner.run(["verify", "--target", "http://admin:PASSW0RD-leak@127.0.0.1:9/scim/v2"])

        #expect(result.status == 2)
        #expect(result.stderr.contains("must not contain credentials"))
        #expect(!result.stderr.contains("PASSW0RD-leak"))
    }

    @Test func namedFileThatIsNotATranscriptIsInputError() throws {
        let copy = try RecordingsCopy()
        try copy.write("array.json", "[1, 2]")

        let named = try BinaryRunner.run(["verify", copy.path("array.json")])
        let scanned = try BinaryRunner.run(["verify", copy.folder.path])

        #expect(named.status == 2)
        #expect(named.stderr.contains("not a transcript"))
        #expect(scanned.status == 0)
        #expect(scanned.stdout.contains("1 other JSON file skipped"))
    }

    @Test func misspeltFormatIsInputError() throws {
        let copy = try RecordingsCopy()
        let original = try copy.read("01-test-connection.json")
        try copy.write(
            "01-test-connection.json",
            original.replacingOccurrences(of: "scimtape.transcript", with: "SCIMtape.transcript"))

        let result = try BinaryRunner.run(["verify", copy.folder.path])

        #expect(result.status == 2)
        #expect(result.stderr.contains("$.format"))
    }

    @Test func pipeIsNamedAsNotARegularFile() throws {
        let copy = try RecordingsCopy()
        let fifo = copy.path("pipe.json")
        #expect(mkfifo(fifo, 0o600) == 0)

        let fifoResult = try BinaryRunner.run(["verify", fifo])
        let tokenResult = try BinaryRunner.run([
            "verify", "--token-file", "/dev/null", "Recordings/01-test-connection.json",
        ])

        #expect(fifoResult.status == 2)
        #expect(fifoResult.stderr.contains("is not a regular file"))
        #expect(tokenResult.status == 2)
        #expect(tokenResult.stderr.contains("is not a regular file"))
    }

    @Test func noSubcommandIsUsageError() throws {
        let result = try BinaryRunner.run([])

        #expect(result.status == 2)
        #expect(result.stderr.contains("USAGE: scimtape <subcommand>"))
    }

    @Test func simulateRejectsATranscriptAsScenario() throws {
        let copy = try RecordingsCopy()

        let result = try BinaryRunner.run([
            "simulate", "Recordings/01-test-connection.json", "--out", copy.path("out.json"),
        ])

        #expect(result.status == 2)
        #expect(result.stderr.contains("this file is a transcript, not a scenario"))
    }

    @Test func userNameWithQuoteIsEscapedInFilters() throws {
        let copy = try RecordingsCopy()
        let scenario = try String(
            contentsOfFile: "\(BinaryRunner.packageRoot.path)/Recordings/scenarios/02-create-user.json", encoding: .utf8
        )
        .replacingOccurrences(of: "alice.example@contoso.example", with: #"al\"ice@contoso.example"#)
        try copy.write("quote.scenario.json", scenario)

        let simulate = try BinaryRunner.run([
            "simulate", copy.path("quote.scenario.json"), "--out", copy.path("quote.json"),
        ])
        let verify = try BinaryRunner.run(["verify", copy.path("quote.json")])

        #expect(simulate.status == 0, "\(simulate.stderr)")
        let transcript = try copy.read("quote.json")
        #expect(transcript.contains("al%5C%22ice%40contoso.example"))
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    /// A damaged status stops the import with the entry's path instead of dropping the entry as
    /// one without a response.
    @Test func harStatusNotACodeIsInputError() throws {
        let copy = try RecordingsCopy()
        try copy.write(
            "capture.har",
            #"""
            {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [
              {"startedDateTime": "2026-01-01T10:00:00.000Z",
               "request": {"method": "GET", "url": "http://127.0.0.1:9/scim/v2/Users/u1", "headers": []},
               "response": {"status": "OK", "headers": [], "content": {"size": 0, "mimeType": ""}}}
            ]}}
            """#)

        let result = try BinaryRunner.run(["import", copy.path("capture.har"), "--out", copy.path("out.json")])

        #expect(result.status == 2)
        #expect(
            result.stderr.contains(
                #"capture.har: error: $.log.entries[0].response.status: entry 1 has the status "OK""#),
            "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: copy.path("out.json")))
    }
}
