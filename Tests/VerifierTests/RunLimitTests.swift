import Foundation
import ReferenceServer
import Testing
import Transcript

@testable import Verifier

/// `--run-limit` and the time limit of `--state-hook`. A target or a hook that hangs keeps the
/// run going no longer than the limit, and what was cut short is a finding.
@Suite struct RunLimit {
    private func transcript(_ file: String) throws -> Transcript {
        try #require(try shippedTranscripts().first { $0.file == file }).transcript
    }

    @Test func runLimitCutsRequestInFlight() throws {
        let peer = try HostilePeer { socket in
            HostilePeer.readRequestHead(socket)
            sleep(20)
        }
        defer { peer.stop() }
        var options = VerifyOptions(target: peer.baseURL)
        options.client.timeout = 10
        options.runTimeLimit = 1
        let started = Date()

        let outcome = try Verifier(options: options).verify(try transcript("02-create-user.json"), file: "02.json")

        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 4, "took \(elapsed) s with a 1 s run limit")
        let finding = try #require(outcome.errors.first, "\(describe([outcome]))")
        #expect(finding.rule == "run-limit")
        #expect(finding.exchange == 1)
        #expect(outcome.exchangeCount == 1, "only the first exchange was sent")
    }

    @Test func exchangeCountLeavesOutUnsentExchanges() throws {
        let peer = try HostilePeer(
            HostileEndpoints.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        defer { peer.stop() }
        var options = VerifyOptions(target: peer.baseURL)
        options.client.timeout = 3
        // Every response is an empty 200, so the created user's id never arrives and the
        // exchanges whose paths use it are not sent.
        let create = try transcript("02-create-user.json")

        let outcome = try Verifier(options: options).verify(create, file: "02.json")

        let sent = outcome.exchanges.filter { $0.request != nil }.count
        #expect(sent < create.exchanges.count, "\(describe([outcome]))")
        #expect(outcome.exchangeCount == sent)
    }

    @Test func hangingStateHookIsKilledAtRunLimit() throws {
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(token: "hook-token"))
        try server.start()
        defer { server.stop() }
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        var options = VerifyOptions(target: server.baseURL, token: "hook-token")
        // The hook's child is what must not outlive the run: killing /bin/sh alone would leave it.
        options.stateHook = "sleep 30 & echo $! > '\(pidFile.path)'; wait"
        options.runTimeLimit = 1
        let started = Date()

        let outcome = try Verifier(options: options).verify(try transcript("08-deleted-teammate.json"), file: "08.json")

        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 5, "took \(elapsed) s with a 1 s run limit")
        #expect(outcome.status == .failed)
        let finding = try #require(outcome.errors.first, "\(describe([outcome]))")
        #expect(finding.rule == "run-limit")
        #expect(finding.message.contains("process group was killed"), "\(finding.message)")
        #expect(outcome.exchangeCount == 0)
        let pid = try #require(
            Int32(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try waitUntilGone(pid), "the hook's child \(pid) still runs")
    }

    @Test func stateHookBackgroundChildDoesNotHoldTheRun() throws {
        let server = try ReferenceServer(configuration: ReferenceServerConfiguration(token: "hook-token"))
        try server.start()
        defer { server.stop() }
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        var options = VerifyOptions(target: server.baseURL, token: "hook-token")
        // The background child keeps the hook's standard output and error open after it exits.
        options.stateHook = "sleep 30 & echo $! > '\(pidFile.path)'; echo 'no deleted teammates here' >&2; exit 3"
        let started = Date()

        let outcome = try Verifier(options: options).verify(try transcript("08-deleted-teammate.json"), file: "08.json")

        let elapsed = Date().timeIntervalSince(started)
        if let pid = Int32(
            (try? String(contentsOf: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        {
            kill(pid, SIGKILL)
        }
        #expect(elapsed < 5, "took \(elapsed) s")
        guard case .skipped(let reason) = outcome.status else {
            Issue.record("not skipped: \(describe([outcome]))")
            return
        }
        #expect(reason.contains("no deleted teammates here"), "\(reason)")
    }

    /// Waits up to two seconds for `pid` to end; a zombie that no parent has reaped counts as ended.
    private func waitUntilGone(_ pid: Int32) throws -> Bool {
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
                return true
            }
            // The state follows the command name in parentheses: `PID (sleep) Z ...`.
            if let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].hasPrefix(" Z") {
                return true
            }
            usleep(20_000)
        }
        return false
    }
}
