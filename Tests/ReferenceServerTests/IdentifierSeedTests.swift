import Foundation
import SCIM
import Testing

@Suite("Seeded ids")
struct IdentifierSeedTests {
    /// Creates three users and a group and returns their ids in order.
    static func createdIds(seed: UInt64?) throws -> [String] {
        let harness = try Harness(idSeed: seed)
        var ids: [String] = []
        for name in ["ada", "grace", "edsger"] {
            let reply = try harness.send(
                .post, "/Users",
                json: ["schemas": [.string(SCIMURN.user)], "userName": .string("\(name)@example.com")])
            #expect(reply.status == 201)
            ids.append(reply.object["id"]?.stringValue ?? "")
        }
        let group = try harness.send(
            .post, "/Groups", json: ["schemas": [.string(SCIMURN.group)], "displayName": "Support"])
        #expect(group.status == 201)
        ids.append(group.object["id"]?.stringValue ?? "")
        return ids
    }

    @Test func sameSeedGivesSameIds() throws {
        let first = try Self.createdIds(seed: 42)
        let second = try Self.createdIds(seed: 42)
        #expect(first == second)
        #expect(Set(first).count == 4)
    }

    @Test func otherSeedOrNoSeedGivesOtherIds() throws {
        let seeded = try Self.createdIds(seed: 42)
        #expect(Set(seeded).isDisjoint(with: try Self.createdIds(seed: 43)))
        #expect(Set(seeded).isDisjoint(with: try Self.createdIds(seed: nil)))
    }

    @Test(arguments: [UInt64(0), nil])
    func idsAreLowercaseVersionFourUUIDs(seed: UInt64?) throws {
        for id in try Self.createdIds(seed: seed) {
            let uuid = try #require(UUID(uuidString: id))
            #expect(id == uuid.uuidString.lowercased())
            let characters = Array(id)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
        }
    }
}
