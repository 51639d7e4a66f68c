import Foundation
import HTTP
import Recorder
import SCIM
import Testing
import Transcript

@Suite struct ConcurrentRecording {
    static let clientCount = 32

    /// One event loop serves all 32 clients, two share them, and four share them with `--fsync`,
    /// where one `fsync` covers the exchanges a loop journals together.
    @Test(arguments: [(1, false), (2, false), (4, true)])
    func thirtyTwoClientsAllCaptured(loops: Int, fsync: Bool) throws {
        let harness = try ProxyHarness(survivesPowerLoss: fsync, eventLoops: loops)
        let failures = Failures()

        DispatchQueue.concurrentPerform(iterations: Self.clientCount) { index in
            let client = HTTPClient()
            let userName = "client\(index)@concurrent.example"
            do {
                let created = try harness.send(.post, "/Users", json: userBody(userName), client: client)
                let id = (try? JSONValue.parse(bytes: created.body))?["id"]?.stringValue ?? "missing"
                let read = try harness.send(.get, "/Users/\(id)", client: client)
                let filter = RequestTarget.encodeFormValue("userName eq \"\(userName)\"")
                let listed = try harness.send(.get, "/Users?filter=\(filter)", client: client)
                let patch: JSONValue = [
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [["op": "replace", "path": "active", "value": false]],
                ]
                let patched = try harness.send(.patch, "/Users/\(id)", json: patch, client: client)
                for (name, code, expected) in [
                    ("POST", created.status.code, 201), ("GET", read.status.code, 200),
                    ("filter", listed.status.code, 200),
                    ("PATCH", patched.status.code, 200),
                ] where code != expected {
                    failures.add("client \(index): \(name) returned \(code), expected \(expected)")
                }
            } catch {
                failures.add("client \(index): \(error)")
            }
        }
        let (transcript, contents) = try harness.proxy.finish()

        #expect(failures.all.isEmpty, "\(failures.all)")
        let exchanges = try #require(transcript).exchanges
        #expect(exchanges.count == Self.clientCount * 4)
        #expect(Set(contents.entries.map(\.sequence)).count == Self.clientCount * 4)
        #expect(contents.damagedLines.isEmpty)
        #expect(harness.proxy.counts.recorded == Self.clientCount * 4)
        for index in 0..<Self.clientCount {
            let userName = "client\(index)@concurrent.example"
            let own = exchanges.filter { exchange in
                exchange.request.body.bytes.containsText(userName)
                    || exchange.response.body.bytes.containsText(userName)
            }
            #expect(own.map(\.request.method) == ["POST", "GET", "GET", "PATCH"], "client \(index)")
        }
    }

    @Test func arrivalOrderIsSequenceOrder() throws {
        let harness = try ProxyHarness()

        for index in 0..<5 {
            try harness.send(.get, "/Users?count=\(index)")
        }
        let (transcript, contents) = try harness.proxy.finish()

        let paths = try #require(transcript).exchanges.map(\.request.path)
        #expect(paths == (0..<5).map { "/Users?count=\($0)" })
        #expect(contents.entries.map(\.sequence) == [1, 2, 3, 4, 5])
    }
}

/// Failure messages collected from several threads.
final class Failures: @unchecked Sendable {
    // @unchecked: `messages` is only touched while `lock` is held.
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }
}

extension [UInt8] {
    func containsText(_ text: String) -> Bool {
        String(decoding: self, as: UTF8.self).contains(text)
    }
}
