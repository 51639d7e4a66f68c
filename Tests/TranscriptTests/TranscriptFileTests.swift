import Foundation
import SCIM
import Testing
import Transcript

/// A fresh folder under the system temporary directory. Each test removes it with `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "scimtape-transcript-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` inside the folder and returns the file's path.
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    func write(_ name: String, text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}

/// Reads a file and returns the transcript, or records an issue when it is not one.
func readTranscript(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Transcript? {
    guard case .transcript(let transcript) = try TranscriptFile.read(path: path) else {
        Issue.record("\(path) was not read as a transcript", sourceLocation: sourceLocation)
        return nil
    }
    return transcript
}

func isOtherJSON(_ content: TranscriptFile.Content) -> Bool {
    if case .otherJSON = content { true } else { false }
}

/// The repository root, found from this file's location.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

@Suite struct TranscriptFileReading {
    @Test func writtenTranscriptReadsBackEqual() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/nested/folder/full.json"

        try TranscriptFile.write(SampleTranscripts.full, to: path)
        let transcript = try readTranscript(path)

        #expect(transcript == SampleTranscripts.full)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(SampleTranscripts.full.encoded()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/nested/folder") == ["full.json"])
    }

    @Test func rewritingReplacesWholeFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/t.json"

        try TranscriptFile.write(SampleTranscripts.full, to: path)
        try TranscriptFile.write(SampleTranscripts.minimal, to: path)
        let transcript = try readTranscript(path)

        #expect(transcript == SampleTranscripts.minimal)
        #expect(try directory.contents() == ["t.json"])
    }

    @Test func partsMatchWholeDocument() throws {
        var long = SampleTranscripts.full
        while long.encoded().count < 3 << 20 {
            long.exchanges += long.exchanges
        }
        for transcript in [SampleTranscripts.full, SampleTranscripts.minimal, long] {
            var parts: [[UInt8]] = []
            transcript.writeEncoded { parts.append($0) }

            #expect(parts.joined().elementsEqual(transcript.json.serializedBytes(.pretty) + [0x0A]))
            #expect(parts.dropLast().allSatisfy { $0.count >= 1 << 20 })
        }
        var longParts = 0
        long.writeEncoded { _ in longParts += 1 }
        #expect(longParts >= 3)
    }

    @Test func writeOntoFolderFailsCleanly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/taken"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)

        #expect {
            try TranscriptFile.write(SampleTranscripts.full, to: path)
        } throws: { error in
            error.localizedDescription == "\(path): Is a directory"
        }
        #expect(try directory.contents() == ["taken"])
    }

    @Test(arguments: [0.25, 0.5, 0.9])
    func truncatedTranscriptNamesFileAndPosition(fraction: Double) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bytes = SampleTranscripts.full.encoded()
        let path = try directory.write("cut.json", bytes: Array(bytes.prefix(Int(Double(bytes.count) * fraction))))

        let error = transcriptError { () throws(TranscriptError) in
            try TranscriptFile.read(path: path, displayPath: "Recordings/cut.json")
        }

        #expect(error?.file == "Recordings/cut.json")
        #expect(error?.description.hasPrefix("Recordings/cut.json: ") == true)
        #expect(error?.message.contains("invalid JSON at line") == true, "message: \(error?.message ?? "none")")
        #expect(error?.message.contains("the input ends") == true, "message: \(error?.message ?? "none")")
    }

    @Test func scenarioFileIsOtherJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write(
            "scenario.json",
            text: #"{"format": "scimtape.scenario", "version": 1, "name": "s", "description": "", "timeline": []}"#)

        let content = try TranscriptFile.read(path: path)

        #expect(isOtherJSON(content))
    }

    @Test(arguments: [
        #"{"name": "x"}"#, "[1, 2]", #"{"format": "har"}"#, #"{"format": 1}"#, "null", "\"scimtape.transcript\"",
    ])
    func jsonWithoutScimtapeFormatIsOtherJSON(text: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("other.json", text: text)

        let content = try TranscriptFile.read(path: path)

        #expect(isOtherJSON(content))
    }

    @Test(arguments: ["scimtape.transcrpt", "scimtape.Transcript", "scimtape.transcript.v2", "scimtape."])
    func misspeltScimtapeFormatIsError(format: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let text = Documents.transcript(header: #""format": "\#(format)", "version": 1, "#)
        let path = try directory.write("typo.json", text: text)

        let error = transcriptError { () throws(TranscriptError) in try TranscriptFile.read(path: path) }

        #expect(error?.file == path)
        #expect(
            error?.description
                == #"\#(path): error: $.format: format is "\#(format)", expected "scimtape.transcript""#)
    }

    @Test func invalidExchangeNamesFileExchangeAndPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let exchanges = "[\(Documents.exchange()), \(Documents.exchange(response: #"{"status": 999}"#))]"
        let path = try directory.write("bad.json", text: Documents.transcript(exchanges: exchanges))

        let error = transcriptError { () throws(TranscriptError) in
            try TranscriptFile.read(path: path, displayPath: "Recordings/bad.json")
        }

        #expect(
            error?.description
                == "Recordings/bad.json: exchange 2: error: $.exchanges[1].response.status: "
                + "status 999 is not between 100 and 599")
    }

    @Test func invalidBase64NamesFileExchangeAndPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let broken = Documents.exchange(response: #"{"status": 200, "bodyBase64": "not base64"}"#)
        let path = try directory.write(
            "bad.json", text: Documents.transcript(exchanges: "[\(Documents.exchange()), \(broken)]"))

        let error = transcriptError { () throws(TranscriptError) in
            try TranscriptFile.read(path: path, displayPath: "Recordings/bad.json")
        }

        #expect(
            error?.description.hasPrefix(
                #"Recordings/bad.json: exchange 2: error: $.exchanges[1].response.bodyBase64: "not base64" is not standard base64"#
            ) == true, "description: \(error?.description ?? "none")")
    }

    @Test func malformedJSONInsideExchangeNamesPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let text = Documents.transcript(
            exchanges: #"[{"request": {"method": "GET", "path": "/Users"}, "response": {"status": 2OO}}]"#)
        let path = try directory.write("typo.json", text: text)

        let error = transcriptError { () throws(TranscriptError) in try TranscriptFile.read(path: path) }

        #expect(error?.path.description == "$.exchanges[0].response")
        #expect(error?.description.hasPrefix("\(path): exchange 1: error: ") == true)
    }

    @Test(arguments: ["", "   \n"])
    func emptyFileIsError(text: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("empty.json", text: text)

        let error = transcriptError { () throws(TranscriptError) in try TranscriptFile.read(path: path) }

        #expect(error?.file == path)
        #expect(error?.message.contains("the input is empty") == true)
    }

    /// A file over the limit is not read, and the message names its size and the option that reads
    /// it; a larger limit reads it.
    @Test func fileOverSizeLimitNamesOption() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/full.json"
        try TranscriptFile.write(SampleTranscripts.full, to: path)
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)

        let error = transcriptError { () throws(TranscriptError) in
            try TranscriptFile.read(path: path, maximumSize: size - 1)
        }
        let content = try TranscriptFile.read(path: path, maximumSize: size)

        #expect(error?.message.contains("the file is \(size) bytes, more than the limit of \(size - 1) bytes") == true)
        #expect(error?.message.contains("--max-transcript-size \(size)") == true)
        #expect(!isOtherJSON(content))
    }

    /// A provisioning log over the limit names its format in its first bytes, so a folder scan
    /// skips it as other JSON instead of reporting it as a transcript too large to read.
    @Test func provisioningLogOverSizeLimitIsOtherJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write(
            "big.provisioning-log.json",
            text: "{\n  \"format\": \"scimtape.provisioning-log\",\n  \"version\": 1,\n  \"entries\": []\n}\n")

        let content = try TranscriptFile.read(path: path, maximumSize: 10)

        #expect(isOtherJSON(content))
    }

    @Test func missingFileIsError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/absent.json"

        let error = transcriptError { () throws(TranscriptError) in
            try TranscriptFile.read(path: path, displayPath: "absent.json")
        }

        #expect(error?.file == "absent.json")
        #expect(error?.message == "no such file")
    }

    /// Simulated recordings are written by `TranscriptFile.write`, so re-encoding must reproduce
    /// them exactly. Hand-written ones only have to decode to the same transcript.
    @Test func shippedRecordingsSurviveReencoding() throws {
        let folder = repositoryRoot + "/Recordings"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".provisioning-log.json") }
            .sorted()

        try #require(names.count >= 12)
        for name in names {
            let path = folder + "/" + name
            let transcript = try #require(try readTranscript(path))
            let onDisk = try Data(contentsOf: URL(fileURLWithPath: path))
            let reencoded = Data(transcript.encoded())
            #expect(try Transcript(json: try JSONValue.parse(bytes: Array(reencoded))) == transcript, "\(name)")
            if transcript.source.kind == .simulated {
                #expect(reencoded == onDisk, "\(name) changes when it is re-encoded")
            }
        }
    }

    @Test func shippedScenariosAreOtherJSON() throws {
        let folder = repositoryRoot + "/Recordings/scenarios"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
            .sorted()

        try #require(!names.isEmpty)
        for name in names {
            let content = try TranscriptFile.read(path: folder + "/" + name)
            #expect(isOtherJSON(content), "\(name) was not skipped")
        }
    }

    @Test func shippedProvisioningLogsAreOtherJSON() throws {
        let folder = repositoryRoot + "/Recordings"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".provisioning-log.json") }

        try #require(!names.isEmpty)
        for name in names {
            let content = try TranscriptFile.read(path: folder + "/" + name)
            #expect(isOtherJSON(content), "\(name) was not skipped")
        }
    }
}
