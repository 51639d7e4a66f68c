import Foundation
import HTTP
import SCIM
import Testing

/// `scimtape record` and `scimtape recover` as a user runs them.
@Suite(.serialized) struct RecordingCommandLine {
    static let token = "e2e-record-token-4c1d8e2f9a7b3c5d6e0f"

    private func startUpstream() throws -> ServeProcess {
        try ServeProcess([], environment: ["SCIMTAPE_TOKEN": Self.token])
    }

    /// Reads a transcript file and returns the userNames in its request bodies.
    private func userNames(in path: String) throws -> Set<String> {
        let document = try JSONValue.parse(String(contentsOfFile: path, encoding: .utf8))
        let exchanges = document["exchanges"]?.arrayValue ?? []
        return Set(exchanges.compactMap { $0["request"]?["body"]?["userName"]?.stringValue })
    }

    @Test func sigkillLosesNoAnsweredExchange() throws {
        let upstream = try startUpstream()
        let folder = try TemporaryFolder()
        let out = folder.path("session.json")
        let record = try RecordProcess(
            ["--upstream", upstream.baseURL, "--out", out], stderrPath: folder.path("first.log"))
        let creator = UserCreator()

        creator.start(url: record.url, token: Self.token, threads: 8)
        let deadline = Date().addingTimeInterval(20)
        while creator.answeredUserNames.count < 60 && Date() < deadline {
            usleep(5000)
        }
        _ = record.stop(with: SIGKILL)
        creator.stop()
        let answered = Set(creator.answeredUserNames)
        let recovered = try BinaryRunner.run(["recover", out + ".journal", "--out", folder.path("recovered.json")])

        #expect(answered.count >= 60)
        #expect(recovered.status == 0, "\(recovered.stderr)")
        let recoveredNames = try userNames(in: folder.path("recovered.json"))
        #expect(
            answered.isSubset(of: recoveredNames), "lost: \(answered.subtracting(recoveredNames).sorted().prefix(5))")

        let second = try RecordProcess(
            ["--upstream", upstream.baseURL, "--out", out], stderrPath: folder.path("second.log"))
        let earlyCopy = try userNames(in: out)
        let client = HTTPClient()
        let extra = try client.send(
            HTTPRequest(
                method: .post, target: "/scim/v2/Users",
                headers: [("Authorization", "Bearer \(Self.token)"), ("Content-Type", "application/scim+json")],
                body: Array(
                    #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"after@kill.example"}"#.utf8)
            ),
            url: second.url + "/Users")
        let finished = second.stop(with: SIGTERM)

        #expect(try String(contentsOfFile: folder.path("second.log"), encoding: .utf8).contains("continuing"))
        #expect(earlyCopy == recoveredNames)
        #expect(extra.status.code == 201)
        #expect(finished.status == 0)
        #expect(finished.stdout.contains("wrote \(out)"))
        #expect(try userNames(in: out) == recoveredNames.union(["after@kill.example"]))
        #expect(!FileManager.default.fileExists(atPath: out + ".journal"))
        #expect(folder.filesContaining(Self.token).isEmpty)
    }

    @Test func tokenAppearsNowhereOnDisk() throws {
        let upstream = try startUpstream()
        let folder = try TemporaryFolder()
        let out = folder.path("token.json")
        let record = try RecordProcess(
            ["--upstream", upstream.baseURL, "--out", out, "--log-level", "trace", "--fsync"],
            stderrPath: folder.path("record.log"))
        let creator = UserCreator()

        creator.start(url: record.url, token: Self.token, threads: 4)
        while creator.answeredUserNames.count < 20 {
            usleep(5000)
        }
        creator.stop()
        usleep(100_000)
        let journalHadToken = !folder.filesContaining(Self.token).isEmpty
        let finished = record.stop(with: SIGINT)

        #expect(finished.status == 0)
        #expect(!journalHadToken)
        #expect(folder.filesContaining(Self.token).isEmpty)
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("Bearer [redacted]"))
        #expect(try String(contentsOfFile: folder.path("record.log"), encoding: .utf8).contains("request handled"))
    }

    @Test func proxiedTranscriptVerifiesAgainstFreshEndpoint() throws {
        let upstream = try startUpstream()
        let folder = try TemporaryFolder()
        let out = folder.path("proxied.json")
        let record = try RecordProcess(
            ["--upstream", upstream.baseURL, "--out", out], stderrPath: folder.path("r.log"))

        let through = try BinaryRunner.run(
            ["verify", "Recordings/04-unassign-reassign.json", "--target", record.url, "--no-isolate"],
            environment: ["SCIMTAPE_TOKEN": Self.token])
        let finished = record.stop()
        let verified = try BinaryRunner.run(["verify", out])

        #expect(through.status == 0, "\(through.stdout)\(through.stderr)")
        #expect(finished.status == 0)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("PASS \(out)"))
    }

    @Test func recordPrintsURLFirstAndStopsCleanly() throws {
        let upstream = try startUpstream()
        let folder = try TemporaryFolder()
        let out = folder.path("empty.json")

        let record = try RecordProcess(
            ["--upstream", upstream.baseURL, "--out", out, "--listen", "127.0.0.1:0"], stderrPath: folder.path("e.log"))
        let finished = record.stop(with: SIGINT)

        #expect(record.url.hasPrefix("http://127.0.0.1:"))
        #expect(record.url.hasSuffix("/scim/v2"))
        #expect(finished.status == 0)
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: out + ".journal"))
        #expect(
            try String(contentsOfFile: folder.path("e.log"), encoding: .utf8).contains("no exchanges were recorded"))
    }

    /// Two clients keep their connections open; a third is closed without an answer until the
    /// idle timeout has closed the other two.
    @Test func connectionLimitAndIdleTimeoutOptions() throws {
        let upstream = try startUpstream()
        let folder = try TemporaryFolder()
        let out = folder.path("limits.json")
        let record = try RecordProcess(
            ["--upstream", upstream.baseURL, "--out", out, "--max-connections", "2", "--idle-timeout", "1"],
            stderrPath: folder.path("r.log"))
        let request = HTTPRequest(
            method: .get, target: "/scim/v2/Users", headers: [("Authorization", "Bearer \(Self.token)")])
        let keptOpen = [HTTPClient(), HTTPClient()]

        let first = try keptOpen.map { try $0.send(request, url: record.url + "/Users").status.code }
        let overLimit = Result { try HTTPClient().send(request, url: record.url + "/Users") }
        usleep(2_500_000)
        let afterIdle = try HTTPClient().send(request, url: record.url + "/Users")
        let finished = record.stop()

        #expect(first == [200, 200])
        #expect(throws: HTTPClientError.self) { try overLimit.get() }
        #expect(afterIdle.status.code == 200)
        #expect(finished.status == 0)
        #expect(finished.stdout.contains("wrote \(out) (3 exchanges)"))
    }

    @Test(arguments: [
        (["--out", "x.json"], "missing --upstream URL"),
        (["--upstream", "http://127.0.0.1:1/scim"], "missing --out FILE"),
        (["--upstream", "ftp://x/scim", "--out", "x.json"], "--upstream:"),
        (
            ["--upstream", "http://127.0.0.1:1/scim", "--out", "x.json", "--listen", "8443"],
            "--listen must be HOST:PORT"
        ),
        (
            ["--upstream", "http://127.0.0.1:1/scim", "--out", "x.json", "--tls-cert", "c.pem"],
            "--tls-cert needs --tls-key"
        ),
        (
            [
                "--upstream", "http://127.0.0.1:1/scim", "--out", "x.json", "--tls-cert", "missing.pem", "--tls-key",
                "k.pem",
            ],
            "--tls-cert missing.pem no such file"
        ),
        (
            ["--upstream", "http://127.0.0.1:1/scim", "--out", "x.json", "--max-connections", "0"],
            "--max-connections must be a number from 1 to 100000, not '0'"
        ),
        (
            ["--upstream", "http://127.0.0.1:1/scim", "--out", "x.json", "--idle-timeout", "soon"],
            "--idle-timeout must be a whole number of seconds from 1 to 3600, not 'soon'"
        ),
    ])
    func invalidRecordOptionsAreUsageErrors(arguments: [String], message: String) throws {
        let folder = try TemporaryFolder()

        let result = try BinaryRunner.run(["record"] + arguments, directory: folder.url)

        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func recoverNamesWhyLinesAreSkipped() throws {
        let folder = try TemporaryFolder()
        let journal = folder.path("damaged.journal")
        let lines = [
            #"{"format":"scimtape.journal","version":1,"transcript":{"name":"t","description":"d","source":{"kind":"proxied"}}}"#,
            #"{"sequence":1,"exchange":{"request":{"method":"GET","path":"/Users"},"response":{"status":200}}}"#,
            #"{"sequence":2,"exchange":{"request":{"method":"POST","path":"/Users"},"response":{"status":"201"}}}"#,
            #"{"sequence":3,"exchange":{"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: journal, atomically: true, encoding: .utf8)

        let result = try BinaryRunner.run(["recover", journal, "--out", folder.path("recovered.json")])

        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.contains(
                #"line 3 (sequence 2) is not a valid exchange line and is skipped: $.exchange.response.status: expected an integer, found "201""#
            ), "\(result.stderr)")
        #expect(
            result.stderr.contains("line 4 is not a valid exchange line and is skipped: invalid JSON at column 27"),
            "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path("recovered.json")))
    }

    @Test func recoverRejectsFileThatIsNoJournal() throws {
        let result = try BinaryRunner.run(["recover", "Recordings/02-create-user.json", "--out", "/dev/null"])

        #expect(result.status == 2)
        #expect(result.stderr.contains("is not a scimtape.journal header"))
    }
}
