import CSQLite
import Foundation
import SCIM

/// Keeps the reference endpoint's resources and deleted-teammate registry in a SQLite file.
///
/// The in-memory `ResourceStore` answers every read; each change is written here first, inside
/// the store's write lock, and only a committed change is applied in memory and acknowledged.
/// The database runs in WAL mode. With `synchronous=NORMAL` a commit survives the process being
/// killed (SIGKILL) but not a power loss; `synchronous=FULL` also survives power loss.
final class SQLiteStore {
    enum Synchronous: String, Sendable {
        case normal = "NORMAL"
        case full = "FULL"
    }

    struct Contents {
        var resources: [StoredResource] = []
        var deletedEmails: [String] = []
    }

    private var database: OpaquePointer?
    private let path: String
    private var statements: [String: OpaquePointer] = [:]

    init(path: String, synchronous: Synchronous) throws(StoreError) {
        self.path = path
        guard
            sqlite3_open_v2(path, &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
                == SQLITE_OK
        else {
            let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(database)
            database = nil
            throw StoreError(message: "cannot open the store \(path): \(message)")
        }
        sqlite3_busy_timeout(database, 5000)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=\(synchronous.rawValue)")
        try execute(
            """
            CREATE TABLE IF NOT EXISTS resources (
                id TEXT PRIMARY KEY, type TEXT NOT NULL, attributes TEXT NOT NULL, created REAL NOT NULL,
                last_modified REAL NOT NULL, version INTEGER NOT NULL, sequence INTEGER NOT NULL)
            """)
        try execute("CREATE TABLE IF NOT EXISTS deleted_teammates (email_key TEXT PRIMARY KEY, email TEXT NOT NULL)")
    }

    deinit {
        for statement in statements.values {
            sqlite3_finalize(statement)
        }
        sqlite3_close(database)
    }

    /// Reads everything stored, in creation order.
    func load() throws(StoreError) -> Contents {
        var contents = Contents()
        let select = try statement(
            "SELECT id, type, attributes, created, last_modified, version, sequence FROM resources ORDER BY sequence")
        defer { sqlite3_reset(select) }
        while true {
            let step = sqlite3_step(select)
            if step == SQLITE_DONE {
                break
            }
            guard step == SQLITE_ROW else {
                throw failure("reading resources")
            }
            let id = text(select, 0)
            guard case .object(let attributes)? = try? JSONValue.parse(text(select, 2)) else {
                throw StoreError(
                    message: "the store \(path) holds resource \(id) with attributes that are not a JSON object")
            }
            contents.resources.append(
                StoredResource(
                    id: id, resourceType: text(select, 1), attributes: attributes,
                    created: sqlite3_column_double(select, 3),
                    lastModified: sqlite3_column_double(select, 4), version: Int(sqlite3_column_int64(select, 5)),
                    sequence: Int(sqlite3_column_int64(select, 6))))
        }
        let emails = try statement("SELECT email FROM deleted_teammates ORDER BY email")
        defer { sqlite3_reset(emails) }
        while sqlite3_step(emails) == SQLITE_ROW {
            contents.deletedEmails.append(text(emails, 0))
        }
        return contents
    }

    func save(_ resource: StoredResource) throws(StoreError) {
        let upsert = try statement(
            """
            INSERT INTO resources (id, type, attributes, created, last_modified, version, sequence)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT(id) DO UPDATE SET attributes = ?3, last_modified = ?5, version = ?6
            """)
        defer { sqlite3_reset(upsert) }
        scimtape_sqlite3_bind_text(upsert, 1, resource.id)
        scimtape_sqlite3_bind_text(upsert, 2, resource.resourceType)
        scimtape_sqlite3_bind_text(upsert, 3, JSONValue.object(resource.attributes).serialized())
        sqlite3_bind_double(upsert, 4, resource.created)
        sqlite3_bind_double(upsert, 5, resource.lastModified)
        sqlite3_bind_int64(upsert, 6, Int64(resource.version))
        sqlite3_bind_int64(upsert, 7, Int64(resource.sequence))
        try run(upsert, "saving \(resource.resourceType) \(resource.id)")
    }

    func delete(id: String) throws(StoreError) {
        let delete = try statement("DELETE FROM resources WHERE id = ?1")
        defer { sqlite3_reset(delete) }
        scimtape_sqlite3_bind_text(delete, 1, id)
        try run(delete, "deleting \(id)")
    }

    func addDeletedTeammate(email: String) throws(StoreError) {
        let insert = try statement("INSERT OR REPLACE INTO deleted_teammates (email_key, email) VALUES (?1, ?2)")
        defer { sqlite3_reset(insert) }
        scimtape_sqlite3_bind_text(insert, 1, email.lowercased())
        scimtape_sqlite3_bind_text(insert, 2, email)
        try run(insert, "registering the deleted teammate \(email)")
    }

    func removeEverything() throws(StoreError) {
        try execute("DELETE FROM resources; DELETE FROM deleted_teammates")
    }

    /// Runs `body` in one transaction, committed only when it returns.
    func transaction(_ body: () throws(StoreError) -> Void) throws(StoreError) {
        try execute("BEGIN IMMEDIATE")
        do {
            try body()
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        try execute("COMMIT")
    }

    // MARK: - SQLite helpers

    private func statement(_ sql: String) throws(StoreError) -> OpaquePointer {
        if let prepared = statements[sql] {
            return prepared
        }
        var prepared: OpaquePointer?
        guard sqlite3_prepare_v2(database, sql, -1, &prepared, nil) == SQLITE_OK, let prepared else {
            throw failure("preparing a statement")
        }
        statements[sql] = prepared
        return prepared
    }

    private func run(_ statement: OpaquePointer, _ what: String) throws(StoreError) {
        guard sqlite3_step(statement) == SQLITE_DONE else {
            throw failure(what)
        }
    }

    private func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(database, sql, nil, nil, &message) == SQLITE_OK else {
            let detail = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw StoreError(message: "the store \(path) failed: \(detail)")
        }
    }

    private func text(_ statement: OpaquePointer, _ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, column) else {
            return ""
        }
        return String(cString: pointer)
    }

    private func failure(_ what: String) -> StoreError {
        StoreError(message: "the store \(path) failed while \(what): \(String(cString: sqlite3_errmsg(database)))")
    }
}

/// A durable store that cannot be opened, read or written.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public var description: String {
        message
    }
}
