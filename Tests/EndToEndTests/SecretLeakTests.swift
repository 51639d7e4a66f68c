import Foundation
import HTTP
import Testing

/// One bearer token, recognisable byte for byte, goes through every command that handles it:
/// serve, record, verify (passing and failing, with every report), simulate, export and show.
/// It must appear in no file they write, no log line and no message they print.
@Suite(.serialized) struct SecretLeaks {
    static let token = "leakcheck-7f3a9c1e5b2d4f6a8c0e-token"

    /// A command's result, kept so that its output can be searched.
    struct Output {
        let command: String
        let text: String
    }

    @Test func tokenReachesNoFileLogOrMessage() throws {
        let folder = try TemporaryFolder()
        let environment = ["SCIMTAPE_TOKEN": Self.token]
        var outputs: [Output] = []
        func run(_ arguments: [String], environment extra: [String: String] = environment) throws -> Int32 {
            let result = try BinaryRunner.run(arguments, environment: extra)
            outputs.append(Output(command: arguments.joined(separator: " "), text: result.stdout + result.stderr))
            return result.status
        }

        let upstream = try ServeProcess(
            ["--log-level", "trace"], environment: environment, stderrPath: folder.path("serve.log"))
        let record = try RecordProcess(
            ["--upstream", upstream.baseURL, "--out", folder.path("recorded.json"), "--log-level", "trace"],
            stderrPath: folder.path("record.log"))

        // A passing replay through the proxy, with every report.
        let passing = try run([
            "verify", "Recordings/04-unassign-reassign.json", "Recordings/32-contract-probes.json", "--target",
            record.url, "--json", folder.path("pass.json"), "--junit", folder.path("pass.xml"), "--markdown",
            folder.path("pass.md"), "--log-level", "trace",
        ])
        // A failing replay: the target hard-deletes, so findings and curl reproducers are printed.
        let hardDeleting = try ServeProcess(
            ["--deviation", "hard-delete", "--log-level", "trace"], environment: environment,
            stderrPath: folder.path("hard-delete.log"))
        let failing = try run(
            [
                "verify", "Recordings", "--target", hardDeleting.baseURL, "--json",
                folder.path("fail.json"), "--junit", folder.path("fail.xml"), "--markdown", folder.path("fail.md"),
            ],
            environment: ["SCIMTAPE_TOKEN": Self.token, "GITHUB_STEP_SUMMARY": folder.path("summary.md")])
        // A wrong token stops the run before the first transcript, and the reports give the reason.
        let rejected = try run(
            [
                "verify", "Recordings/02-create-user.json", "--target", upstream.baseURL, "--no-isolate", "--junit",
                folder.path("rejected.xml"),
            ],
            environment: ["SCIMTAPE_TOKEN": Self.token + "-wrong"])
        // Credentials inside the target URL are rejected without being echoed.
        let inURL = try run([
            "verify", "Recordings/02-create-user.json", "--target",
            upstream.baseURL.replacingOccurrences(of: "http://", with: "http://user:\(Self.token)@"),
        ])
        let simulated = try run([
            "simulate", "Recordings/scenarios/04-unassign-reassign.json", "--target", record.url, "--out",
            folder.path("simulated.json"), "--log", folder.path("simulated.log.json"),
        ])
        let stopped = record.stop(with: SIGTERM)
        outputs.append(Output(command: "record", text: stopped.stdout))
        let exported = try run(["export", folder.path("recorded.json"), "--har", folder.path("recorded.har")])
        let showStatus = try run(["show", folder.path("recorded.json"), "--format", "markdown"])
        upstream.stop()

        #expect(passing == 0)
        #expect(failing == 1)
        #expect(rejected == 2)
        #expect(inURL == 2)
        #expect(simulated == 0)
        #expect(stopped.status == 0)
        #expect(exported == 0)
        #expect(showStatus == 0)
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        for name in [
            "serve.log", "hard-delete.log", "record.log", "recorded.json", "pass.json", "pass.xml", "pass.md",
            "fail.json", "fail.xml",
            "fail.md", "rejected.xml", "summary.md", "simulated.json", "simulated.log.json", "recorded.har",
        ] {
            #expect(written.contains(name), "\(name) was not written")
        }
        #expect(try String(contentsOfFile: folder.path("recorded.json"), encoding: .utf8).contains("Bearer [redacted]"))
        #expect(try String(contentsOfFile: folder.path("serve.log"), encoding: .utf8).contains("401"))
        #expect(folder.filesContaining(Self.token).isEmpty, "files holding the token")
        for output in outputs {
            #expect(!output.text.contains(Self.token), "scimtape \(output.command) printed the token")
        }
    }
    /// A client that puts its token in the request target, in the path and in the query, must
    /// not get it into the debug log of `serve` or of `record`.
    @Test func tokenInTargetNotInDebugLogs() throws {
        let folder = try TemporaryFolder()
        let upstream = try ServeProcess(
            ["--log-level", "debug"], environment: ["SCIMTAPE_TOKEN": Self.token],
            stderrPath: folder.path("serve.log"))
        let record = try RecordProcess(
            ["--upstream", upstream.baseURL, "--out", folder.path("recorded.json"), "--log-level", "debug"],
            stderrPath: folder.path("record.log"))
        let client = HTTPClient()
        let headers: HTTPHeaders = [("Authorization", "Bearer \(Self.token)")]
        func get(_ url: String) throws -> Int {
            try client.send(HTTPRequest(method: .get, target: "/", headers: headers), url: url).status.code
        }
        let encodedFilter = "userName%20eq%20%22\(Self.token)%22"

        let throughProxy = [
            try get(record.url + "/Users/\(Self.token)"),
            try get(record.url + "/Users?filter=\(encodedFilter)"),
            try get(record.url + "/Users?attributes=\(Self.token)"),
            try get(record.url + "/\(Self.token)/Users"),
        ]
        // `l` percent-encoded as %6C, which serve decodes before it routes.
        let encoded = "%6C" + Self.token.dropFirst()
        let direct = [
            try get(upstream.baseURL + "/Users/\(encoded)"),
            try get(upstream.baseURL.replacingOccurrences(of: "/scim/v2", with: "") + "/other/\(Self.token)"),
        ]
        let stopped = record.stop(with: SIGTERM)
        upstream.stop()

        #expect(throughProxy == [404, 200, 200, 404])
        #expect(direct == [404, 404])
        #expect(stopped.status == 0)
        let serveLog = try folder.read("serve.log")
        let recordLog = try folder.read("record.log")
        #expect(serveLog.contains("request handled"))
        #expect(recordLog.contains("request handled"))
        #expect(recordLog.contains("/Users/%5Bredacted%5D"))
        #expect(serveLog.contains("/Users/[redacted]"))
        #expect(!serveLog.contains(Self.token), "serve logged the token")
        #expect(!serveLog.contains(String(encoded)), "serve logged the percent-encoded token")
        #expect(!recordLog.contains(Self.token), "record logged the token")
        #expect(!stopped.stdout.contains(Self.token), "record printed the token")
    }
}
