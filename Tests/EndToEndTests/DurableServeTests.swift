import Foundation
import HTTP
import SCIM
import Testing

/// `scimtape serve --store FILE` killed with SIGKILL keeps every acknowledged write.
@Suite(.serialized) struct DurableServe {
    @Test func sigkillLosesNoAcknowledgedWrite() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scimtape-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store.sqlite").path
        let first = try ServeProcess(["--store", store])
        let client = HTTPClient()
        var acknowledged: [String] = []
        for index in 0..<300 {
            let body: JSONValue = ["schemas": [.string(SCIMURN.user)], "userName": .string("user\(index)@example.com")]
            let response = try client.send(
                HTTPRequest(
                    method: .post, target: "/Users", headers: [("Content-Type", "application/scim+json")],
                    body: body.serializedBytes()),
                url: first.baseURL + "/Users")
            if response.status.code == 201, let id = try JSONValue.parse(bytes: response.body)["id"]?.stringValue {
                acknowledged.append(id)
            }
        }
        let group = try client.send(
            HTTPRequest(
                method: .post, target: "/Groups", headers: [("Content-Type", "application/scim+json")],
                body: (["schemas": [.string(SCIMURN.group)], "displayName": "Killed"] as JSONValue).serializedBytes()),
            url: first.baseURL + "/Groups")

        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let second = try ServeProcess(["--store", store])
        let users = try client.send(
            HTTPRequest(method: .get, target: "/Users?count=1000"), url: second.baseURL + "/Users?count=1000")
        let groups = try client.send(
            HTTPRequest(method: .get, target: "/Groups?filter=displayName+eq+%22Killed%22"),
            url: second.baseURL + "/Groups?filter=displayName+eq+%22Killed%22")

        #expect(acknowledged.count == 300)
        #expect(group.status.code == 201)
        let listed =
            try JSONValue.parse(bytes: users.body)["Resources"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(listed == acknowledged)
        #expect(try JSONValue.parse(bytes: groups.body)["totalResults"] == 1)
    }

    @Test func unreadableStoreIsAnError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scimtape-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("store.sqlite")
        try Data("not a database at all, just text".utf8).write(to: store)

        let result = try BinaryRunner.run(["serve", "--store", store.path], timeout: 20)

        #expect(result.status == 2)
        #expect(result.stderr.contains(store.path))
    }
}
