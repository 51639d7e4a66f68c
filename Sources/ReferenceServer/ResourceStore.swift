import Foundation
import SCIM

/// In-memory resources with indexes on id, userName (case-insensitive), group displayName
/// (case-insensitive) and externalId, plus Front's registry of deleted teammates' emails.
///
/// Every mutation runs under a write lock and re-checks uniqueness there, so concurrent
/// requests cannot both create the same userName, and a PATCH applies to the version it read.
/// With a durable store, each change is committed to SQLite before it is applied in memory, so
/// an acknowledged write is never lost; when the commit fails, nothing changes and the request
/// gets 500.
final class ResourceStore: @unchecked Sendable {
    // @unchecked: all stored properties are read and written only inside `lock`, and the SQLite
    // connection is used only there.
    private let lock = ReadWriteLock()
    private let durable: SQLiteStore?
    private var resources = ShardedDictionary<StoredResource>()
    /// Ids by lowercased userName.
    private var userNames = ShardedDictionary<String>()
    /// Ids by lowercased group displayName.
    private var groupNames = ShardedDictionary<String>()
    /// Ids by resource type and externalId; nearly always one id, so an array rather than a set.
    private var externalIds: [String: ShardedDictionary<[String]>] = [:]
    /// Deleted teammates' emails as registered, by lowercased email.
    private var deletedEmails = ShardedDictionary<String>()
    private var nextSequence = 0
    private var identifiers: IdentifierSource
    /// Whether `identifiers` gives random ids; set once, so it is read without the lock.
    private let randomIds: Bool

    /// Creates an empty store, or one loaded from `durable`. `idSeed` makes the ids of new
    /// resources a fixed sequence instead of random.
    init(durable: SQLiteStore? = nil, idSeed: UInt64? = nil) throws(StoreError) {
        self.durable = durable
        identifiers = IdentifierSource(seed: idSeed)
        randomIds = idSeed == nil
        guard let durable else {
            return
        }
        let contents = try durable.load()
        for resource in contents.resources {
            insert(resource)
            nextSequence = max(nextSequence, resource.sequence + 1)
        }
        for email in contents.deletedEmails {
            deletedEmails[email.lowercased()] = email
        }
    }

    /// Commits a change to the durable store, if there is one.
    private func persist(_ change: (SQLiteStore) throws(StoreError) -> Void) throws(SCIMError) {
        guard let durable else {
            return
        }
        do {
            try change(durable)
        } catch {
            throw SCIMError(status: 500, detail: "\(error.message); the change was not applied")
        }
    }

    // MARK: - Reads

    func resource(id: String, type: String) -> StoredResource? {
        lock.withReadLock {
            guard let found = resources[id], found.resourceType == type else {
                return nil
            }
            return found
        }
    }

    func userId(forUserName userName: String) -> String? {
        lock.withReadLock { userNames[userName.lowercased()] }
    }

    /// Resources of a type in creation order; `ids` narrows the set to candidates from an index.
    func resources(type: String, ids: [String]? = nil) -> [StoredResource] {
        lock.withReadLock {
            let selected: [StoredResource]
            if let ids {
                selected = ids.compactMap { resources[$0] }.filter { $0.resourceType == type }
            } else {
                selected = resources.values.filter { $0.resourceType == type }
            }
            return selected.sorted { $0.sequence < $1.sequence }
        }
    }

    /// Ids from an index for `attribute eq value`, or `nil` when no index covers the attribute.
    func indexedIds(type: String, attribute: String, value: String) -> [String]? {
        lock.withReadLock {
            switch (type, attribute.lowercased()) {
            case (_, "id"):
                return resources[value].map { [$0.id] } ?? []
            case ("User", "username"):
                return userNames[value.lowercased()].map { [$0] } ?? []
            case ("Group", "displayname"):
                return groupNames[value.lowercased()].map { [$0] } ?? []
            case (_, "externalid"):
                return externalIds[type]?[value] ?? []
            default:
                return nil
            }
        }
    }

    func count(type: String) -> Int {
        lock.withReadLock { resources.values.count { $0.resourceType == type } }
    }

    // MARK: - Writes

    /// Stores a new resource with the next id, or throws 409 `uniqueness`.
    func create(type: String, attributes: JSONObject, now: Double) throws(SCIMError) -> StoredResource {
        // A random id is drawn before the lock is taken, because it reads random bytes from the
        // kernel. A seeded id is drawn under the lock, so that ids follow the request order.
        let randomId = randomIds ? IdentifierSource.randomId() : nil
        return try lock.withWriteLock { () throws(SCIMError) -> StoredResource in
            var resource = StoredResource(
                id: randomId ?? identifiers.next(), resourceType: type, attributes: attributes, created: now,
                lastModified: now, version: 1, sequence: nextSequence)
            while resources[resource.id] != nil {
                resource = StoredResource(
                    id: identifiers.next(), resourceType: type, attributes: attributes, created: now,
                    lastModified: now, version: 1, sequence: nextSequence)
            }
            try checkUnique(resource, replacing: nil)
            try persist { store throws(StoreError) in try store.save(resource) }
            nextSequence += 1
            insert(resource)
            return resource
        }
    }

    /// Reads, transforms and writes one resource atomically. `change` receives the current
    /// resource and returns the new attributes; throwing leaves the resource untouched.
    func update(
        id: String, type: String, now: Double, _ change: (StoredResource) throws(SCIMError) -> JSONObject
    ) throws(SCIMError) -> StoredResource {
        try lock.withWriteLock { () throws(SCIMError) -> StoredResource in
            guard let current = resources[id], current.resourceType == type else {
                throw SCIMError.notFound("\(type) \(id) not found")
            }
            var updated = current
            updated.attributes = try change(current)
            if updated.attributes != current.attributes {
                updated.lastModified = max(now, current.lastModified)
                updated.version += 1
            }
            try checkUnique(updated, replacing: current)
            if updated.version != current.version {
                try persist { store throws(StoreError) in try store.save(updated) }
            }
            remove(current)
            insert(updated)
            return updated
        }
    }

    /// Removes a resource after `check` accepts it; returns `nil` when there is no such resource.
    @discardableResult
    func delete(id: String, type: String, check: (StoredResource) throws(SCIMError) -> Void = { _ in })
        throws(SCIMError)
        -> StoredResource?
    {
        try lock.withWriteLock { () throws(SCIMError) -> StoredResource? in
            guard let current = resources[id], current.resourceType == type else {
                return nil
            }
            try check(current)
            try persist { store throws(StoreError) in try store.delete(id: id) }
            remove(current)
            return current
        }
    }

    /// Removes every reference to `memberId` from groups' `members`, as RFC 7644 section 3.6 asks
    /// when a resource is deleted.
    func removeMemberships(of memberId: String, now: Double) throws(SCIMError) {
        try lock.withWriteLock { () throws(SCIMError) in
            var changed: [StoredResource] = []
            for group in resources.values where group.resourceType == "Group" {
                guard let members = group.attributes["members"]?.arrayValue else {
                    continue
                }
                let remaining = members.filter { $0.objectValue?["value"]?.stringValue != memberId }
                guard remaining.count != members.count else {
                    continue
                }
                var updated = group
                updated.attributes["members"] = remaining.isEmpty ? nil : .array(remaining)
                updated.version += 1
                updated.lastModified = now
                changed.append(updated)
            }
            guard !changed.isEmpty else {
                return
            }
            try persist { store throws(StoreError) in
                try store.transaction { () throws(StoreError) in
                    for group in changed {
                        try store.save(group)
                    }
                }
            }
            for group in changed {
                resources[group.id] = group
            }
        }
    }

    // MARK: - Deleted teammates

    func addDeletedTeammate(email: String) throws(SCIMError) {
        try lock.withWriteLock { () throws(SCIMError) in
            try persist { store throws(StoreError) in try store.addDeletedTeammate(email: email) }
            deletedEmails[email.lowercased()] = email
        }
    }

    /// The registered address among `emails` (compared ignoring case), if any.
    func deletedTeammateEmail(among emails: [String]) -> String? {
        lock.withReadLock {
            for email in emails {
                if let registered = deletedEmails[email.lowercased()] {
                    return registered
                }
            }
            return nil
        }
    }

    var deletedTeammateEmails: [String] {
        lock.withReadLock { deletedEmails.values.sorted() }
    }

    func reset() throws(SCIMError) {
        try lock.withWriteLock { () throws(SCIMError) in
            try persist { store throws(StoreError) in try store.removeEverything() }
            resources = ShardedDictionary()
            userNames = ShardedDictionary()
            groupNames = ShardedDictionary()
            externalIds = [:]
            deletedEmails = ShardedDictionary()
        }
    }

    // MARK: - Indexes (call with the write lock held)

    private func checkUnique(_ resource: StoredResource, replacing current: StoredResource?) throws(SCIMError) {
        if resource.resourceType == "User", let userName = resource.userName,
            let owner = userNames[userName.lowercased()], owner != current?.id
        {
            throw SCIMError.uniqueness("userName '\(userName)' is already used by User \(owner)")
        }
        if resource.resourceType == "Group", let name = resource.displayName, let owner = groupNames[name.lowercased()],
            owner != current?.id
        {
            throw SCIMError.uniqueness("displayName '\(name)' is already used by Group \(owner)")
        }
    }

    private func insert(_ resource: StoredResource) {
        resources[resource.id] = resource
        if resource.resourceType == "User", let userName = resource.userName {
            userNames[userName.lowercased()] = resource.id
        }
        if resource.resourceType == "Group", let name = resource.displayName {
            groupNames[name.lowercased()] = resource.id
        }
        if let externalId = resource.externalId {
            externalIds[resource.resourceType, default: ShardedDictionary()][externalId, default: []].append(
                resource.id)
        }
    }

    private func remove(_ resource: StoredResource) {
        resources[resource.id] = nil
        if resource.resourceType == "User", let userName = resource.userName {
            userNames[userName.lowercased()] = nil
        }
        if resource.resourceType == "Group", let name = resource.displayName {
            groupNames[name.lowercased()] = nil
        }
        if let externalId = resource.externalId {
            let remaining = (externalIds[resource.resourceType]?[externalId] ?? []).filter { $0 != resource.id }
            externalIds[resource.resourceType]?[externalId] = remaining.isEmpty ? nil : remaining
        }
    }
}
