import Foundation
import SCIM

/// Reading and writing transcript files.
public enum TranscriptFile {
    /// What a JSON file turned out to be.
    public enum Content: Sendable {
        case transcript(Transcript)
        /// Valid JSON without the transcript `format` member, such as a scenario file.
        case otherJSON
    }

    /// scimtape formats that are not transcripts.
    public static let otherFormats: Set<String> = ["scimtape.scenario"]

    /// Largest transcript file read, in bytes.
    public static let maximumFileSize = 64 * 1024 * 1024

    /// Reads and decodes a file. Errors name the file as given in `displayPath`.
    public static func read(path: String, displayPath: String? = nil) throws(TranscriptError) -> Content {
        let shown = displayPath ?? path
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > maximumFileSize {
                throw TranscriptError(
                    file: shown, path: .root,
                    message: "the file is \(size) bytes; the limit is \(maximumFileSize) bytes")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as TranscriptError {
            throw error
        } catch {
            throw TranscriptError(
                file: shown, path: .root, message: "cannot read the file: \(error.localizedDescription)")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes: [UInt8](data))
        } catch {
            throw TranscriptError(file: shown, path: error.path, message: error.description)
        }
        // A document is a transcript when it names the transcript format. Other scimtape formats
        // (scenarios) and JSON without a scimtape format are skipped; a misspelt scimtape format
        // is an error, so a broken transcript is never skipped silently.
        guard let format = json.objectValue?["format"]?.stringValue, format.hasPrefix("scimtape.") else {
            return .otherJSON
        }
        if otherFormats.contains(format) {
            return .otherJSON
        }
        do {
            return .transcript(try Transcript(json: json))
        } catch var error {
            error.file = shown
            throw error
        }
    }

    /// Writes a transcript atomically: a temporary file in the same folder, then a rename, so a
    /// crash never leaves a half-written transcript in place.
    public static func write(_ transcript: Transcript, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(transcript.encoded()).write(to: url, options: .atomic)
    }
}
