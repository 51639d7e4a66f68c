import Foundation
import HTTP
import ReferenceServer
import SCIM
import Testing

/// `--store FILE`: what was acknowledged is there after a restart.
@Suite struct DurableStore {
    private func temporaryStore() throws -> (folder: URL, path: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scimtape-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (folder, folder.appendingPathComponent("store.sqlite").path)
    }

    @Test func restartKeepsUsersGroupsAndRegistry() throws {
        let (folder, path) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        var ids: [String] = []
        var group = ""
        var before = JSONValue.null
        do {
            let harness = try Harness(storePath: path)
            ids.append(
                try harness.createUser(
                    "alice@example.com", externalId: "a", extra: [(SCIMURN.frontTeammate, ["template": "t-1"])]))
            ids.append(try harness.createUser("bob@example.com", externalId: "b"))
            try harness.patch(ids[1], [patchOperation("Replace", path: "active", value: "False")])
            let created = try harness.send(
                .post, "/Groups", json: ["schemas": [.string(SCIMURN.group)], "displayName": "Support"])
            group = try #require(created.object["id"]?.stringValue)
            try harness.patch(
                group, [patchOperation("add", path: "members", value: [["value": .string(ids[0])]])],
                resource: "/Groups")
            try harness.send(
                .post, "/_scimtape/state",
                json: ["preconditions": [["kind": "deletedTeammate", "email": "carol@example.com"]]])
            before = try harness.send(.get, "/Users/\(ids[0])").json ?? .null
        }

        let restarted = try Harness(storePath: path)
        let alice = try restarted.send(.get, "/Users/\(ids[0])")
        let bob = try restarted.send(.get, "/Users/\(ids[1])")
        let members = try restarted.send(.get, "/Groups/\(group)")
        let carol = try restarted.send(
            .post, "/Users", json: ["schemas": [.string(SCIMURN.user)], "userName": "carol@example.com"])
        let next = try restarted.createUser("dave@example.com", externalId: "d")
        let list = try restarted.send(.get, "/Users")

        #expect(alice.json?["meta"]?["version"] == before["meta"]?["version"])
        #expect(alice.object[SCIMURN.frontTeammate]?["template"] == "t-1")
        #expect(bob.object["active"] == false)
        #expect(members.object["members"]?.arrayValue?.first?["value"] == .string(ids[0]))
        expectSCIMError(carol, status: 409, scimType: "uniqueness")
        #expect(
            list.object["Resources"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ids + [next],
            "creation order survives")
    }

    @Test func unreadableStoreFailsToStart() throws {
        let (folder, path) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("this is not a database".utf8).write(to: URL(fileURLWithPath: path))

        #expect(throws: StoreError.self) {
            try ReferenceServer(configuration: ReferenceServerConfiguration(storePath: path))
        }
    }
}
