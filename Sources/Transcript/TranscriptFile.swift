import Foundation
import SCIM

/// Reading and writing transcript files.
public enum TranscriptFile {
    /// The kind of document a JSON file contains.
    public enum Content: Sendable {
        case transcript(Transcript)
        /// Valid JSON that is not a transcript: a scenario file, or JSON without a scimtape format.
        case otherJSON(reason: String)
    }

    /// scimtape formats that are not transcripts: scenarios and the provisioning logs `simulate`
    /// writes next to its transcripts.
    public static let otherFormats: Set<String> = ["scimtape.scenario", "scimtape.provisioning-log"]

    /// Largest transcript file read by default, in bytes. Reading takes several times the file's
    /// size in memory, so a larger file is read only when the caller passes a larger limit.
    public static let maximumFileSize = 64 * 1024 * 1024

    /// Returns the format a file names in its first 4 KiB when it is one of `otherFormats`, as the
    /// provisioning logs and scenarios that scimtape writes do. A provisioning log larger than the
    /// transcript limit is then skipped like a small one instead of being reported as too large.
    static func leadingOtherFormat(path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return nil
        }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 4096) else {
            return nil
        }
        let text = String(decoding: head, as: UTF8.self)
        for format in otherFormats
        where text.contains("\"format\": \"\(format)\"") || text.contains("\"format\":\"\(format)\"") {
            return format
        }
        return nil
    }

    /// Reads and decodes a file no larger than `maximumSize` bytes. Errors name the file as given
    /// in `displayPath`.
    public static func read(
        path: String, displayPath: String? = nil, maximumSize: Int = maximumFileSize
    ) throws(TranscriptError) -> Content {
        let fileName = displayPath ?? path
        if let problem = FileCheck.problem(readingRegularFile: path) {
            throw TranscriptError(file: fileName, path: .root, message: problem)
        }

        let data: Data
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if size > maximumSize {
                if let format = leadingOtherFormat(path: path) {
                    return .otherJSON(reason: "its format is \(format)")
                }
                throw TranscriptError(
                    file: fileName, path: .root,
                    message:
                        "the file is \(size) bytes, more than the limit of \(maximumSize) bytes; pass --max-transcript-size \(size) to read it"
                )
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as TranscriptError {
            throw error
        } catch {
            throw TranscriptError(
                file: fileName, path: .root, message: "cannot read the file: \(error.localizedDescription)")
        }

        let json: JSONValue
        do {
            // A UTF-8 byte order mark is skipped, as `import` skips it in HAR files, because
            // RFC 8259 section 8.1 lets a parser ignore one.
            let bytes = [UInt8](data)
            let hasMark = bytes.starts(with: HARImport.byteOrderMark)
            json = try JSONValue.parse(bytes: hasMark ? Array(bytes.dropFirst(HARImport.byteOrderMark.count)) : bytes)
        } catch {
            throw TranscriptError(
                file: fileName, path: error.path,
                message: "invalid JSON at line \(error.line), column \(error.column): \(error.reason)")
        }
        // A document is a transcript when it names the transcript format. Scenarios and JSON
        // without a scimtape format are other files. A misspelt scimtape format is an error, so a
        // broken transcript is never skipped silently.
        guard let object = json.objectValue else {
            return .otherJSON(
                reason: "the document is \(json.typeName == "array" ? "an" : "a") \(json.typeName), not an object")
        }
        guard let format = object["format"]?.stringValue else {
            return .otherJSON(reason: "it has no \"format\" member")
        }
        if otherFormats.contains(format) {
            return .otherJSON(reason: "its format is \(format)")
        }
        guard format.lowercased().hasPrefix("scimtape.") else {
            return .otherJSON(reason: "its format \(JSONValue.string(format).serialized()) is not a scimtape format")
        }
        do {
            return .transcript(try Transcript(json: json))
        } catch var error {
            error.file = fileName
            throw error
        }
    }

    /// Writes a transcript atomically: a temporary file in the same folder, then a rename, so a
    /// crash never leaves a half-written transcript in place. Missing parent folders are created.
    /// The text is written in parts, so memory does not keep a second copy of a long transcript.
    public static func write(_ transcript: Transcript, to path: String) throws {
        try write(to: path) { sink in
            try transcript.writeEncoded(to: sink)
        }
    }

    /// Writes a transcript atomically, as `write(_:to:)` does, from the parts that `produce`
    /// passes to its sink, such as those of a `TranscriptEncoder`. When `produce` throws, nothing
    /// is written to `path` and the error is thrown again.
    public static func write(to path: String, producing produce: (_ sink: ([UInt8]) throws -> Void) throws -> Void)
        throws
    {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(
            ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        ).path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw WriteError(path: temporary, code: errno)
        }
        do {
            try produce { bytes in
                try writeAll(bytes, to: descriptor, path: temporary)
            }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(temporary)
            throw WriteError(path: temporary, code: code)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw WriteError(path: path, code: code)
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(WriteError) {
        if let code = writeFully(bytes, to: descriptor) {
            throw WriteError(path: path, code: code)
        }
    }

    /// A failed system call while writing a transcript, with the file it was writing.
    struct WriteError: LocalizedError {
        var path: String
        var code: Int32

        var errorDescription: String? {
            "\(path): \(String(cString: strerror(code)))"
        }
    }
}

/// Writes all of `bytes` to a file descriptor, repeating after a partial write or EINTR, and
/// returns the `errno` of a failed write, or `nil`.
func writeFully(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { buffer in
            Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        }
        if written < 0 {
            if errno == EINTR {
                continue
            }
            return errno
        }
        offset += written
    }
    return nil
}

/// Checks on a path before it is read, with messages that say what the path is.
public enum FileCheck {
    /// Returns why `path` cannot be read as a regular file, or `nil` when it can.
    public static func problem(readingRegularFile path: String) -> String? {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            var linkInfo = stat()
            if lstat(path, &linkInfo) == 0 && (linkInfo.st_mode & S_IFMT) == S_IFLNK {
                return code == ELOOP ? "is a symbolic link loop" : "is a symbolic link to a missing file"
            }
            switch code {
            case ENOENT: return "no such file"
            case EACCES: return "permission denied"
            default: return "cannot be read: \(String(cString: strerror(code)))"
            }
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return access(path, R_OK) == 0 ? nil : "permission denied"
        case S_IFDIR:
            return "is a folder, not a file"
        default:
            return "is not a regular file (a pipe, socket or device)"
        }
    }
}
