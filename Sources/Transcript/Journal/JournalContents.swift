import Foundation
import SCIM

/// The contents of a journal: the transcript's metadata, where each valid exchange line is, and
/// the lines that could not be read.
///
/// Reading checks every line but keeps only the position of each exchange line, so memory does
/// not grow with the exchanges' size. `forEachExchange` reads and parses the lines again, one at
/// a time, in sequence order.
public struct JournalContents: Sendable {
    /// The journal file.
    public let path: String
    /// The metadata from the header line, without exchanges.
    public var metadata: Transcript
    /// The valid exchange lines, in the order they were written.
    public var entries: [JournalEntry]
    /// Lines in the middle of the file that are not valid exchange lines, in file order.
    public var damagedLines: [DamagedLine]
    /// Whether the last line was cut off by a crash during a write (it is ignored).
    public var hasTornTail: Bool
    /// The length in bytes of the file up to the end of its last complete line.
    public var validLength: Int
    /// Entra's PATCH dialects that the exchanges' operations show: `aadOptscim062020` for an `op`
    /// in lowercase, `legacy` for a capitalised one.
    private var patchDialects: Set<String> = []

    /// Entra's PATCH dialect when every PATCH operation shows the same one, or `nil`.
    public var dialect: String? {
        patchDialects.count == 1 ? patchDialects.first : nil
    }

    /// The metadata with `dialect` set, for the transcript made from the journal.
    public var transcriptMetadata: Transcript {
        var result = metadata
        result.source.dialect = dialect ?? result.source.dialect
        return result
    }

    /// Reads the transcript: the metadata with every exchange, ordered by sequence number, which is
    /// the order in which the recorder received the requests. It keeps every exchange in memory, so a
    /// long journal is better written with `forEachExchange` and a `TranscriptEncoder`.
    public func transcript() throws(JournalError) -> Transcript {
        var transcript = transcriptMetadata
        var exchanges: [Exchange] = []
        exchanges.reserveCapacity(entries.count)
        do {
            try forEachExchange { exchanges.append($0) }
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(path: path, message: "\(error)")
        }
        transcript.exchanges = exchanges
        return transcript
    }

    /// Reads the exchange lines again, in sequence order, and passes each exchange to `body`.
    /// Throws a `JournalError` when the file cannot be read or a line no longer parses as an
    /// exchange line, and what `body` throws.
    ///
    /// NOTE: A line that was edited in place since `read` and still parses is written as edited.
    /// The recorder only appends to a journal, so only a hand edit during `recover` does that.
    public func forEachExchange(_ body: (Exchange) throws -> Void) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw JournalError(path: path, message: "failed to read the journal: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let reader = FieldReader()
        // Lines with the same sequence number keep their file order.
        for entry in entries.sorted(by: { ($0.sequence, $0.offset) < ($1.sequence, $1.offset) }) {
            var line = [UInt8](repeating: 0, count: entry.length)
            var done = 0
            while done < entry.length {
                let read = line.withUnsafeMutableBytes { buffer in
                    pread(descriptor, buffer.baseAddress! + done, entry.length - done, off_t(entry.offset + done))
                }
                if read < 0 && errno == EINTR {
                    continue
                }
                guard read > 0 else {
                    let reason =
                        read < 0 ? String(cString: strerror(errno)) : "the file is shorter than when it was read"
                    throw JournalError(
                        path: path,
                        message: "failed to read the exchange with sequence \(entry.sequence) again: \(reason)")
                }
                done += read
            }
            guard let exchange = Self.exchange(in: line[...], reader: reader) else {
                throw JournalError(
                    path: path,
                    message:
                        "the exchange with sequence \(entry.sequence) changed after the journal was read; run the command again"
                )
            }
            try body(exchange)
        }
    }

    /// Parses a valid exchange line's exchange, or returns `nil` when the line is not one.
    private static func exchange(in line: ArraySlice<UInt8>, reader: FieldReader) -> Exchange? {
        guard let object = try? JSONValue.parse(bytes: line).objectValue, let value = object["exchange"],
            let exchange = try? Exchange(json: value, at: JSONPath.root.appending(key: "exchange"), reader: reader)
        else {
            return nil
        }
        return exchange.parsingTextBodies()
    }

    /// The largest sequence number a journal line may hold. The proxy counts up from the
    /// largest one it finds, so a line with a larger number (only a hand-edited journal has one)
    /// is treated as damaged instead of leaving no number to count on with.
    public static let maximumSequence = 1 << 52

    /// Sequence numbers that more than one valid line has, in increasing order. The recorder gives
    /// each exchange its own number, so a repeated one comes from a journal that was edited or
    /// joined by hand. Both exchanges are kept, in file order.
    public var repeatedSequences: [Int] {
        var seen = Set<Int>()
        var repeated = Set<Int>()
        for entry in entries where !seen.insert(entry.sequence).inserted {
            repeated.insert(entry.sequence)
        }
        return repeated.sorted()
    }

    /// The next free sequence number.
    public var nextSequence: Int {
        (entries.map(\.sequence).max() ?? 0) + 1
    }

    /// Reads a journal. Throws when the file cannot be read or its header line is not a journal
    /// header; damaged exchange lines are reported in `damagedLines` and skipped.
    public static func read(path: String) throws(JournalError) -> JournalContents {
        if let problem = FileCheck.problem(readingRegularFile: path) {
            throw JournalError(path: path, message: problem)
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw JournalError(path: path, message: "failed to read the journal: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }

        // The file is read in parts and each complete line is parsed as it arrives, so memory
        // contains the parsed exchanges and one part of the file, not the whole file.
        var contents: JournalContents?
        var lineNumber = 0
        var pending: [UInt8] = []
        var searchStart = 0
        var consumed = 0
        let reader = FieldReader()
        var part = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = part.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR {
                    continue
                }
                throw JournalError(
                    path: path, message: "failed to read the journal: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                break
            }
            pending.append(contentsOf: part[0..<count])
            var lineStart = 0
            while let newline = pending[searchStart...].firstIndex(of: 0x0A) {
                let line = pending[lineStart..<newline]
                lineNumber += 1
                if contents == nil {
                    contents = JournalContents(
                        path: path, metadata: try parseHeader(line, path: path), entries: [], damagedLines: [],
                        hasTornTail: false, validLength: 0)
                } else {
                    contents?.add(line: line, number: lineNumber, offset: consumed, reader: reader)
                }
                consumed += newline + 1 - lineStart
                lineStart = newline + 1
                searchStart = lineStart
            }
            pending.removeFirst(lineStart)
            searchStart = pending.count
        }

        guard var contents else {
            throw JournalError(path: path, message: "the journal has no complete header line, so nothing was recorded")
        }
        contents.hasTornTail = !pending.isEmpty
        contents.validLength = consumed
        return contents
    }

    /// Parses an exchange line that starts at `offset` in the file, and keeps its position, or
    /// records it as damaged with the reason.
    private mutating func add(line: ArraySlice<UInt8>, number: Int, offset: Int, reader: FieldReader) {
        let object: JSONObject
        do {
            let value = try JSONValue.parse(bytes: line)
            guard let lineObject = value.objectValue else {
                damagedLines.append(
                    DamagedLine(
                        number: number, sequence: nil, reason: "the line is a JSON \(value.typeName), not an object"))
                return
            }
            object = lineObject
        } catch {
            let place = error.path.components.isEmpty ? "" : " in \(error.path.abbreviated)"
            damagedLines.append(
                DamagedLine(
                    number: number, sequence: nil,
                    reason: "invalid JSON at column \(error.column)\(place): \(error.reason)"))
            return
        }

        let sequence: Int
        switch object["sequence"] {
        case nil:
            damagedLines.append(DamagedLine(number: number, sequence: nil, reason: "the member 'sequence' is missing"))
            return
        case let value?:
            guard let integer = value.intValue, (0...JournalContents.maximumSequence).contains(integer) else {
                let reason =
                    "sequence \(Self.excerpt(of: value)) is not an integer from 0 to \(JournalContents.maximumSequence)"
                damagedLines.append(DamagedLine(number: number, sequence: nil, reason: reason))
                return
            }
            sequence = integer
        }

        let exchangePath = JSONPath.root.appending(key: "exchange")
        guard let exchangeValue = object["exchange"] else {
            damagedLines.append(
                DamagedLine(number: number, sequence: sequence, reason: "the member 'exchange' is missing"))
            return
        }
        do {
            let exchange = try Exchange(json: exchangeValue, at: exchangePath, reader: reader)
            entries.append(JournalEntry(sequence: sequence, offset: offset, length: line.count))
            if exchange.request.method == "PATCH" {
                // The journal keeps most bodies as text, so the body is parsed as JSON first.
                patchDialects.formUnion(Self.dialects(in: exchange.parsingTextBodies()))
            }
        } catch {
            damagedLines.append(
                DamagedLine(number: number, sequence: sequence, reason: "\(error.path.abbreviated): \(error.message)"))
        }
    }

    /// Returns the dialects that a PATCH request's operations show: lowercase `op` values are sent
    /// with the `aadOptscim062020` flag, capitalised ones without it.
    private static func dialects(in exchange: Exchange) -> Set<String> {
        var seen = Set<String>()
        for operation in exchange.request.body.json?["Operations"]?.arrayValue ?? [] {
            guard let op = operation.objectValue?.value(matching: "op")?.stringValue, let first = op.first else {
                continue
            }
            seen.insert(first.isUppercase ? "legacy" : "aadOptscim062020")
        }
        return seen
    }

    /// Returns the value's JSON text, cut to 40 characters so that a long value keeps a warning short.
    private static func excerpt(of value: JSONValue) -> String {
        let text = value.serialized()
        return text.count > 40 ? text.prefix(40) + "…" : text
    }

    private static func parseHeader(_ line: ArraySlice<UInt8>, path: String) throws(JournalError) -> Transcript {
        guard let value = try? JSONValue.parse(bytes: line), let object = value.objectValue,
            object["format"]?.stringValue == TranscriptJournal.formatName
        else {
            throw JournalError(
                path: path,
                message: "the first line is not a \(TranscriptJournal.formatName) header; is this a journal?")
        }
        guard object["version"]?.intValue == TranscriptJournal.currentVersion else {
            throw JournalError(
                path: path,
                message: "journal version \(object["version"]?.serialized() ?? "none") is not supported; "
                    + "this scimtape reads version \(TranscriptJournal.currentVersion)")
        }
        guard var transcript = object["transcript"]?.objectValue else {
            throw JournalError(path: path, message: "the header line has no 'transcript' object")
        }
        // The transcript decoder needs the format, the version and at least one exchange; the
        // placeholder exchange is dropped right after.
        transcript["format"] = .string(Transcript.formatName)
        transcript["version"] = .number(JSONNumber(Transcript.currentVersion))
        transcript["exchanges"] = [["request": ["method": "GET", "path": "/"], "response": ["status": 200]]]
        do {
            var metadata = try Transcript(json: .object(transcript))
            metadata.exchanges = []
            return metadata
        } catch {
            throw JournalError(path: path, message: "the header line is invalid: \(error.description)")
        }
    }
}

/// The position of a valid exchange line in the journal file.
public struct JournalEntry: Sendable, Equatable {
    /// The exchange's sequence number, in the order the recorder received the requests.
    public let sequence: Int
    /// The byte offset of the line's start.
    public let offset: Int
    /// The line's length in bytes, without its newline.
    public let length: Int
}

/// A journal line that is not a valid exchange line, with the reason.
public struct DamagedLine: Sendable, Equatable {
    /// The 1-based line number in the journal file.
    public let number: Int
    /// The line's sequence number, or `nil` when it could not be read.
    public let sequence: Int?
    /// Why the line cannot be read, such as `$.exchange.response.status: expected an integer, found "201"`.
    public let reason: String
}

extension Exchange {
    /// Returns the exchange with text bodies that are JSON turned into JSON bodies, as
    /// `RecordedBody(bytes:)` would have recorded them. The recorder journals most bodies as text.
    func parsingTextBodies() -> Exchange {
        var result = self
        if case .text(let text) = request.body {
            result.request.body = RecordedBody(bytes: Array(text.utf8))
        }
        if case .text(let text) = response.body {
            result.response.body = RecordedBody(bytes: Array(text.utf8))
        }
        return result
    }
}
