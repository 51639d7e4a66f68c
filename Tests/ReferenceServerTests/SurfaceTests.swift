import Foundation
import HTTP
import ReferenceServer
import SCIM
import Testing

/// Groups as Entra and Front use them, ETags, custom fields, search across types and returned
/// attributes.
@Suite struct Groups {
    private func createGroup(_ harness: Harness, name: String = "Support") throws -> String {
        // Entra creates groups with empty members and its own extension URN in schemas.
        let reply = try harness.send(
            .post, "/Groups",
            json: [
                "schemas": [
                    .string(SCIMURN.group), "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
                ],
                "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": .string(name),
                "meta": ["resourceType": "Group"],
            ])
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply.object["id"]?.stringValue)
    }

    private func members(_ harness: Harness, _ id: String) throws -> Set<String> {
        let reply = try harness.send(.get, "/Groups/\(id)")
        return Set((reply.object["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue })
    }

    @Test func queryExcludingMembersLeavesThemOut() throws {
        let harness = try Harness()
        let user = try harness.createUser()
        let group = try createGroup(harness)
        try harness.patch(
            group, [patchOperation("Add", path: "members", value: [["value": .string(user)]])], resource: "/Groups")

        let reply = try harness.filter(
            #"displayName eq "support""#, resource: "/Groups", extra: "excludedAttributes=members&")
        let byId = try harness.send(.get, "/Groups/\(group)?excludedAttributes=members")

        #expect(reply.object["totalResults"] == 1)
        #expect(reply.object["Resources"]?.arrayValue?.first?["members"] == nil)
        #expect(reply.object["Resources"]?.arrayValue?.first?["displayName"] == "Support")
        #expect(byId.object["members"] == nil)
        #expect(try members(harness, group) == [user])
    }

    @Test(arguments: ["Add", "add"])
    func memberAddReturns204(op: String) throws {
        let harness = try Harness()
        let first = try harness.createUser("a@example.com", externalId: "a")
        let second = try harness.createUser("b@example.com", externalId: "b")
        let group = try createGroup(harness)

        let reply = try harness.patch(
            group,
            [
                patchOperation(
                    op, path: "members", value: [["$ref": .null, "value": .string(first)], ["value": .string(second)]])
            ],
            resource: "/Groups")

        #expect(reply.status == 204)
        #expect(try members(harness, group) == [first, second])
    }

    @Test func legacyRemovalRemovesOnlyListedMembers() throws {
        let harness = try Harness()
        let first = try harness.createUser("a@example.com", externalId: "a")
        let second = try harness.createUser("b@example.com", externalId: "b")
        let group = try createGroup(harness)
        try harness.patch(
            group,
            [patchOperation("Add", path: "members", value: [["value": .string(first)], ["value": .string(second)]])],
            resource: "/Groups")

        let reply = try harness.patch(
            group, [patchOperation("Remove", path: "members", value: [["$ref": .null, "value": .string(first)]])],
            resource: "/Groups")

        #expect(reply.status == 204)
        #expect(try members(harness, group) == [second])
    }

    @Test func filteredRemovalRemovesOneMember() throws {
        let harness = try Harness()
        let first = try harness.createUser("a@example.com", externalId: "a")
        let second = try harness.createUser("b@example.com", externalId: "b")
        let group = try createGroup(harness)
        try harness.patch(
            group,
            [patchOperation("add", path: "members", value: [["value": .string(first)], ["value": .string(second)]])],
            resource: "/Groups")

        let reply = try harness.patch(
            group, [patchOperation("remove", path: #"members[value eq "\#(second)"]"#)], resource: "/Groups")
        let again = try harness.patch(
            group, [patchOperation("remove", path: #"members[value eq "\#(second)"]"#)], resource: "/Groups")

        #expect(reply.status == 204)
        #expect(again.status == 204, "removing a member that is not there changes nothing")
        #expect(try members(harness, group) == [first])
    }

    @Test func deletingUserRemovesItsMembershipsInRFCProfile() throws {
        let harness = try Harness(profile: .rfc)
        let user = try harness.createUser()
        let group = try createGroup(harness)
        try harness.patch(
            group, [patchOperation("add", path: "members", value: [["value": .string(user)]])], resource: "/Groups")

        try harness.send(.delete, "/Users/\(user)")

        #expect(try members(harness, group).isEmpty)
    }

    @Test func duplicateGroupNameConflicts() throws {
        let harness = try Harness()
        _ = try createGroup(harness, name: "Sales")

        let reply = try harness.send(
            .post, "/Groups", json: ["schemas": [.string(SCIMURN.group)], "displayName": "SALES"])

        expectSCIMError(reply, status: 409, scimType: "uniqueness")
    }
}

@Suite struct EntityTags {
    @Test func staleIfMatchIs412AndChangesNothing() throws {
        let harness = try Harness()
        let id = try harness.createUser()
        let created = try harness.send(.get, "/Users/\(id)")
        let tag = try #require(created.headers["ETag"])
        try harness.patch(id, [patchOperation("replace", path: "displayName", value: "First")])

        let stale = try harness.send(
            .patch, "/Users/\(id)",
            json: [
                "schemas": [.string(SCIMURN.patchOp)],
                "Operations": [patchOperation("replace", path: "displayName", value: "Second")],
            ],
            headers: [("If-Match", tag)])
        let staleDelete = try harness.send(.delete, "/Users/\(id)", headers: [("If-Match", tag)])
        let after = try harness.send(.get, "/Users/\(id)")

        expectSCIMError(stale, status: 412)
        expectSCIMError(staleDelete, status: 412)
        #expect(after.object["displayName"] == "First")
        #expect(after.object["active"] == true)
    }

    @Test func currentIfMatchSucceeds() throws {
        let harness = try Harness()
        let id = try harness.createUser()
        let tag = try #require(try harness.send(.get, "/Users/\(id)").headers["ETag"])

        let reply = try harness.send(
            .patch, "/Users/\(id)",
            json: [
                "schemas": [.string(SCIMURN.patchOp)],
                "Operations": [patchOperation("replace", path: "displayName", value: "New")],
            ],
            headers: [("If-Match", tag)])
        let wildcard = try harness.send(
            .put, "/Users/\(id)", json: ["schemas": [.string(SCIMURN.user)], "userName": "alice@example.com"],
            headers: [("If-Match", "*")])

        #expect(reply.status == 200)
        #expect(reply.headers["ETag"] != tag)
        #expect(reply.object["meta"]?["version"]?.stringValue == reply.headers["ETag"])
        #expect(wildcard.status == 200)
    }

    @Test func ifNoneMatchGivesNotModified() throws {
        let harness = try Harness()
        let id = try harness.createUser()
        let tag = try #require(try harness.send(.get, "/Users/\(id)").headers["ETag"])

        let unchanged = try harness.send(.get, "/Users/\(id)", headers: [("If-None-Match", tag)])
        try harness.patch(id, [patchOperation("replace", path: "displayName", value: "New")])
        let changed = try harness.send(.get, "/Users/\(id)", headers: [("If-None-Match", tag)])
        let updateIfAbsent = try harness.send(
            .put, "/Users/\(id)", json: ["schemas": [.string(SCIMURN.user)], "userName": "alice@example.com"],
            headers: [("If-None-Match", "*")])

        #expect(unchanged.status == 304)
        #expect(unchanged.text.isEmpty)
        #expect(changed.status == 200)
        expectSCIMError(updateIfAbsent, status: 412)
    }

    @Test func serviceProviderConfigAnnouncesETags() throws {
        let harness = try Harness()

        let config = try harness.send(.get, "/ServiceProviderConfig")

        #expect(config.object["etag"]?["supported"] == true)
        #expect(config.object["sort"]?["supported"] == true)
        #expect(config.object["bulk"]?["supported"] == false)
    }
}

@Suite struct ExtensionsAndSearch {
    @Test func customFieldsAcceptAnyFieldId() throws {
        let harness = try Harness()
        let id = try harness.createUser(extra: [(SCIMURN.frontCustomFields, ["inb_42": "Support inbox", "score": 7])])

        let patched = try harness.patch(
            id, [patchOperation("Replace", path: "\(SCIMURN.frontCustomFields):line_manager", value: "u-2002")])
        let filtered = try harness.filter(#"\#(SCIMURN.frontCustomFields):inb_42 eq "Support inbox""#)
        let rejected = try harness.patch(
            id, [patchOperation("add", path: "\(SCIMURN.frontCustomFields):nested", value: ["a": 1])])

        let fields = patched.object[SCIMURN.frontCustomFields]?.objectValue
        #expect(fields?["inb_42"] == "Support inbox")
        #expect(fields?["score"] == 7)
        #expect(fields?["line_manager"] == "u-2002")
        #expect(patched.object["schemas"]?.arrayValue?.contains(.string(SCIMURN.frontCustomFields)) == true)
        #expect(filtered.object["totalResults"] == 1)
        expectSCIMError(rejected, status: 400, scimType: "invalidValue")
    }

    @Test func schemasDescribeCustomFields() throws {
        let harness = try Harness()

        let schema = try harness.send(.get, "/Schemas/\(SCIMURN.frontCustomFields)")
        let types = try harness.send(.get, "/ResourceTypes/User")

        #expect(schema.status == 200)
        #expect(schema.object["description"]?.stringValue?.contains("custom field") == true)
        let extensions = types.object["schemaExtensions"]?.arrayValue?.compactMap { $0["schema"]?.stringValue } ?? []
        #expect(extensions.contains(SCIMURN.frontCustomFields))
        #expect(extensions.contains(SCIMURN.frontTeammate))
    }

    @Test func searchAcrossTypesAndPerType() throws {
        let harness = try Harness()
        _ = try harness.createUser()
        _ = try harness.send(.post, "/Groups", json: ["schemas": [.string(SCIMURN.group)], "displayName": "Support"])
        let search: JSONValue = ["schemas": [.string(SCIMURN.searchRequest)], "attributes": ["id"]]

        let all = try harness.send(.post, "/.search", json: search)
        let users = try harness.send(
            .post, "/Users/.search",
            json: ["schemas": [.string(SCIMURN.searchRequest)], "filter": #"userName sw "alice""#, "count": 5])
        let bothTypes = try harness.send(
            .post, "/.search", json: ["schemas": [.string(SCIMURN.searchRequest)], "filter": "displayName pr"])
        let usersOnly = try harness.send(
            .post, "/.search",
            json: ["schemas": [.string(SCIMURN.searchRequest)], "filter": #"userName eq "alice@example.com""#])
        let badFilter = try harness.send(
            .post, "/.search", json: ["schemas": [.string(SCIMURN.searchRequest)], "filter": #"nosuch eq 1"#])

        #expect(all.object["totalResults"] == 2)
        #expect(all.object["Resources"]?.arrayValue?.allSatisfy { $0["userName"] == nil } == true)
        #expect(users.object["totalResults"] == 1)
        #expect(bothTypes.object["totalResults"] == 2, "displayName exists on both types")
        #expect(usersOnly.object["totalResults"] == 1, "Groups have no userName, so they contribute nothing")
        expectSCIMError(badFilter, status: 400, scimType: "invalidFilter")
    }

    @Test func passwordIsStoredButNeverReturned() throws {
        let harness = try Harness()
        let id = try harness.createUser(extra: [("password", "t0p-secret")])

        let read = try harness.send(.get, "/Users/\(id)")
        let asked = try harness.send(.get, "/Users/\(id)?attributes=password")

        #expect(read.object["password"] == nil)
        #expect(asked.object["password"] == nil)
        #expect(!read.text.contains("t0p-secret"))
    }

    @Test func sortAndProjection() throws {
        let harness = try Harness()
        for name in ["carol", "alice", "bob"] {
            _ = try harness.createUser("\(name)@example.com", externalId: name)
        }

        let ascending = try harness.send(.get, "/Users?sortBy=userName&attributes=userName,name.givenName")
        let descending = try harness.send(
            .get, "/Users?sortBy=userName&sortOrder=descending&excludedAttributes=emails,name")

        let names = ascending.object["Resources"]?.arrayValue?.compactMap { $0["userName"]?.stringValue }
        #expect(names == ["alice@example.com", "bob@example.com", "carol@example.com"])
        #expect(ascending.object["Resources"]?.arrayValue?.first?["name"] == ["givenName": "Alice"])
        #expect(ascending.object["Resources"]?.arrayValue?.first?["emails"] == nil)
        #expect(ascending.object["Resources"]?.arrayValue?.first?["id"] != nil)
        let reversed = descending.object["Resources"]?.arrayValue?.compactMap { $0["userName"]?.stringValue }
        #expect(reversed == ["carol@example.com", "bob@example.com", "alice@example.com"])
        #expect(descending.object["Resources"]?.arrayValue?.first?["name"] == nil)
    }
}

@Suite struct Concurrency {
    @Test func parallelCreatesKeepUserNamesUnique() throws {
        let harness = try Harness()
        let statuses = Captured<[Int]>()
        let base = harness.server.baseURL

        DispatchQueue.concurrentPerform(iterations: 64) { index in
            let client = HTTPClient()
            // Every user is created twice, so exactly one of each pair must conflict.
            let body: JSONValue = [
                "schemas": [.string(SCIMURN.user)], "userName": .string("user\(index / 2)@example.com"),
            ]
            let request = HTTPRequest(
                method: .post, target: "/Users", headers: [("Content-Type", "application/scim+json")],
                body: body.serializedBytes())
            let status = (try? client.send(request, url: base + "/Users"))?.status.code ?? 0
            statuses.append(status)
        }

        let all = statuses.value ?? []
        #expect(all.count == 64)
        #expect(all.filter { $0 == 201 }.count == 32)
        #expect(all.filter { $0 == 409 }.count == 32)
        let list = try harness.send(.get, "/Users?count=0")
        #expect(list.object["totalResults"] == 32)
    }
}

/// A value shared across threads in a test.
final class Captured<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `stored` is only touched while `lock` is held.
    private let lock = NSLock()
    private var stored: Value?

    var value: Value? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func append<Element>(_ element: Element) where Value == [Element] {
        lock.lock()
        stored = (stored ?? []) + [element]
        lock.unlock()
    }
}
