import Foundation
import HTTP
import SCIM

/// An append-only journal of exchanges, written while a recording runs, so that every exchange
/// written before a crash can be recovered.
///
/// The file is JSON Lines: a header line with the transcript's metadata, then one line per
/// exchange with the sequence number that orders it. Each line goes to the file in one `write`
/// call on a descriptor opened with `O_APPEND`, so once `append` returns the line survives the
/// process being killed, because it is in the kernel's page cache. With `survivesPowerLoss`,
/// `append` also returns only after `fsync`. Threads that append at the same time share one
/// `fsync` (group commit): a thread whose line an `fsync` already covered does not start another.
public final class TranscriptJournal: @unchecked Sendable {
    // @unchecked: `descriptor` is written only in `init` and `close`; `writeLock` serialises
    // writes and `syncLock` guards `syncedLength`, so threads may append concurrently.
    public static let formatName = "scimtape.journal"
    public static let currentVersion = 1

    public let path: String
    public let survivesPowerLoss: Bool
    private var descriptor: Int32
    private let writeLock = NSLock()
    private let syncLock = NSLock()
    private var writtenLength: Int
    private var syncedLength: Int

    /// Creates a journal at `path` that must not exist yet, and writes the header line: the
    /// transcript's name, description and source.
    public init(creating path: String, metadata: Transcript, survivesPowerLoss: Bool) throws(JournalError) {
        self.path = path
        self.survivesPowerLoss = survivesPowerLoss
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw JournalError(path: path, message: "cannot create the journal: \(String(cString: strerror(errno)))")
        }
        writtenLength = 0
        syncedLength = 0
        try writeLine(TranscriptJournal.headerLine(metadata))
        if survivesPowerLoss {
            try sync()
            try TranscriptJournal.syncFolder(of: path)
        }
    }

    /// Opens an existing journal to continue it. A torn last line, left by a crash in the middle
    /// of a write, is cut off first so that new lines start on a line of their own.
    public init(continuing path: String, validLength: Int, survivesPowerLoss: Bool) throws(JournalError) {
        self.path = path
        self.survivesPowerLoss = survivesPowerLoss
        descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw JournalError(path: path, message: "cannot open the journal: \(String(cString: strerror(errno)))")
        }
        guard ftruncate(descriptor, off_t(validLength)) == 0 else {
            let reason = String(cString: strerror(errno))
            Foundation.close(descriptor)
            throw JournalError(path: path, message: "cannot cut off the torn last line: \(reason)")
        }
        writtenLength = validLength
        syncedLength = 0
        if survivesPowerLoss {
            try sync()
        }
    }

    deinit {
        close()
    }

    /// Appends one exchange. Returns once the line is written, and with `survivesPowerLoss` once
    /// it is on the disk.
    public func append(_ exchange: Exchange, sequence: Int) throws(JournalError) {
        let end = try write(exchange, sequence: sequence)
        if survivesPowerLoss {
            try sync(covering: end)
        }
    }

    /// Writes one exchange's line without `fsync`, and returns the file offset just past it, for
    /// `sync(covering:)`. Once it returns, the line survives the process being killed.
    public func write(_ exchange: Exchange, sequence: Int) throws(JournalError) -> Int {
        var line: [UInt8] = []
        line.reserveCapacity(1024)
        TranscriptJournal.writeLine(exchange, sequence: sequence, into: &line)
        return try write(line)
    }

    /// Writes an exchange's journal line, `{"sequence":N,"exchange":{...}}` and a line feed, the
    /// same bytes as serialising `exchange.json` in such an object, without building the JSON tree
    /// first: the tree cost the recording proxy more than writing the line did.
    static func writeLine(_ exchange: Exchange, sequence: Int, into line: inout [UInt8]) {
        line.append(contentsOf: #"{"sequence":"#.utf8)
        line.append(contentsOf: String(sequence).utf8)
        line.append(contentsOf: #","exchange":"#.utf8)
        if !exchange.expectations.isEmpty {
            // Expectations do not occur in recordings; the tree writes them.
            exchange.json.writeCompact(into: &line)
            line.append(contentsOf: "}\n".utf8)
            return
        }
        line.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: String) {
            if !first {
                line.append(UInt8(ascii: ","))
            }
            first = false
            line.append(UInt8(ascii: "\""))
            line.append(contentsOf: name.utf8)
            line.append(contentsOf: "\":".utf8)
        }
        func headers(_ headers: HTTPHeaders) {
            guard !headers.isEmpty else {
                return
            }
            key("headers")
            line.append(UInt8(ascii: "["))
            for (index, field) in headers.fields.enumerated() {
                line.append(contentsOf: (index == 0 ? #"{"name":"# : #",{"name":"#).utf8)
                JSONValue.writeString(field.name, into: &line)
                line.append(contentsOf: #","value":"#.utf8)
                JSONValue.writeString(field.value, into: &line)
                line.append(UInt8(ascii: "}"))
            }
            line.append(UInt8(ascii: "]"))
        }
        func body(_ body: RecordedBody) {
            switch body {
            case .none:
                break
            case .json(let value):
                key("body")
                value.writeCompact(into: &line)
            case .text(let text):
                key("bodyText")
                JSONValue.writeString(text, into: &line)
            case .binary(let bytes):
                key("bodyBase64")
                JSONValue.writeString(RecordedBody.base64(bytes), into: &line)
            }
        }
        if let description = exchange.description {
            key("description")
            JSONValue.writeString(description, into: &line)
        }
        if let step = exchange.step {
            key("step")
            JSONValue.writeString(step, into: &line)
        }
        key("request")
        first = true
        line.append(UInt8(ascii: "{"))
        key("method")
        JSONValue.writeString(exchange.request.method, into: &line)
        key("path")
        JSONValue.writeString(exchange.request.path, into: &line)
        headers(exchange.request.headers)
        body(exchange.request.body)
        line.append(contentsOf: "},".utf8)
        first = true
        line.append(contentsOf: #""response":{"#.utf8)
        key("status")
        line.append(contentsOf: String(exchange.response.status).utf8)
        headers(exchange.response.headers)
        body(exchange.response.body)
        line.append(contentsOf: "}}}\n".utf8)
    }

    /// Closes the file; later appends fail.
    public func close() {
        writeLock.lock()
        defer { writeLock.unlock() }
        if descriptor >= 0 {
            Foundation.close(descriptor)
            descriptor = -1
        }
    }

    /// Returns the file offset just past the line.
    @discardableResult
    private func writeLine(_ value: JSONValue) throws(JournalError) -> Int {
        var bytes = value.serializedBytes()
        bytes.append(0x0A)
        return try write(bytes)
    }

    /// Writes `bytes`, a whole line, and returns the file offset just past it.
    private func write(_ bytes: [UInt8]) throws(JournalError) -> Int {
        writeLock.lock()
        defer { writeLock.unlock() }
        guard descriptor >= 0 else {
            throw JournalError(path: path, message: "the journal is closed")
        }
        if let code = writeFully(bytes, to: descriptor) {
            throw JournalError(path: path, message: "cannot write the journal: \(String(cString: strerror(code)))")
        }
        writtenLength += bytes.count
        return writtenLength
    }

    /// Flushes the file to the disk unless an `fsync` that started after `end` was written has
    /// already done so.
    public func sync(covering end: Int = Int.max) throws(JournalError) {
        syncLock.lock()
        defer { syncLock.unlock() }
        if syncedLength >= end {
            return
        }
        writeLock.lock()
        let target = writtenLength
        let descriptor = self.descriptor
        writeLock.unlock()
        guard fsync(descriptor) == 0 else {
            throw JournalError(path: path, message: "cannot flush the journal: \(String(cString: strerror(errno)))")
        }
        syncedLength = target
    }

    static func headerLine(_ metadata: Transcript) -> JSONValue {
        var transcript = metadata.json.objectValue ?? JSONObject()
        transcript.removeValue(forKey: "exchanges")
        transcript.removeValue(forKey: "format")
        transcript.removeValue(forKey: "version")
        var header = JSONObject()
        header["format"] = .string(formatName)
        header["version"] = .number(JSONNumber(currentVersion))
        header["transcript"] = .object(transcript)
        return .object(header)
    }

    /// Flushes the folder entry of a new file, so that the file itself survives power loss.
    private static func syncFolder(of path: String) throws(JournalError) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw JournalError(
                path: path, message: "cannot open its folder to flush it: \(String(cString: strerror(errno)))")
        }
        defer { Foundation.close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw JournalError(path: path, message: "cannot flush its folder: \(String(cString: strerror(errno)))")
        }
    }
}
