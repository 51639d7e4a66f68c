import Foundation
import SCIM
import TestSupport
import Testing

/// Text from a transcript or from the endpoint under test reaches the terminal, CI logs and
/// Markdown reports. Through the built binary: it stays on its line, sends no terminal escape
/// sequence, and cannot open a block, a code fence or HTML in Markdown.
@Suite struct UntrustedText {
    /// A line break, a code fence, a closing `</details>`, a heading, a GitHub Actions workflow
    /// command and terminal escape sequences, percent-encoded for a request path.
    static let encodedInjection =
        "%0A%60%60%60%0A%3C%2Fdetails%3E%0A%0A%23%20PWNED%0A%0D%3A%3Aerror%3A%3Ainjected%1B%5D0%3Btitle%07%1B%5B31m"
    /// The same, escaped for a JSON string.
    static let jsonInjection =
        #"line one\n```\n</details>\n\n# PWNED\n\r::error::injected\u001b]0;title\u0007\u001b[31m"#

    /// Writes a copy of 01-test-connection.json whose first path, exchange description and
    /// transcript description carry the injection, and returns its path.
    private func hostileTranscript(in folder: URL) throws -> String {
        let original = try String(
            contentsOf: BinaryRunner.packageRoot.appendingPathComponent("Recordings/01-test-connection.json"),
            encoding: .utf8)
        let path = "/Users?filter=userName+eq+%228ae8f1cb-4c0c-4d56-a6dc-64ac86b78960%22"
        let description = "Test Connection: Entra looks up a random userName and expects an empty ListResponse"
        #expect(original.contains(path))
        #expect(original.contains(description))
        let edited = original.replacingOccurrences(of: path, with: path + Self.encodedInjection)
            .replacingOccurrences(of: description, with: Self.jsonInjection)
            .replacingOccurrences(of: #""description": ""#, with: #""description": "\#(Self.jsonInjection) "#)
        let file = folder.appendingPathComponent("hostile.json")
        try edited.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Invisible and direction-changing characters: embeddings and overrides, isolates, zero-width
    /// characters and marks, the line and paragraph separators, and the byte order mark.
    static let invisibleCharacters: [Unicode.Scalar] = [
        "\u{202A}", "\u{202E}", "\u{2066}", "\u{2069}", "\u{200B}", "\u{200F}", "\u{2028}", "\u{2029}", "\u{FEFF}",
    ]
    /// A Markdown image and link.
    static let markdownLinks = "![i](http://example.invalid/i.png) [click](http://example.invalid/)"

    /// Writes a copy of 01-test-connection.json whose first path, exchange description,
    /// transcript description and `source.tool` carry `invisibleCharacters` and
    /// `markdownLinks`, and returns its path.
    private func invisibleTranscript(in folder: URL) throws -> String {
        let original = try String(
            contentsOf: BinaryRunner.packageRoot.appendingPathComponent("Recordings/01-test-connection.json"),
            encoding: .utf8)
        let injection = String(String.UnicodeScalarView(Self.invisibleCharacters)) + Self.markdownLinks
        let escaped = String(JSONValue.string(injection).serialized().dropFirst().dropLast())
        let encoded = try #require(injection.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let path = "/Users?filter=userName+eq+%228ae8f1cb-4c0c-4d56-a6dc-64ac86b78960%22"
        let description = "Test Connection: Entra looks up a random userName and expects an empty ListResponse"
        #expect(original.contains(path))
        #expect(original.contains(description))
        #expect(original.contains(#""tool": ""#))
        let edited = original.replacingOccurrences(of: path, with: path + encoded)
            .replacingOccurrences(of: description, with: escaped)
            .replacingOccurrences(of: #""description": ""#, with: #""description": "\#(escaped) "#)
            .replacingOccurrences(of: #""tool": ""#, with: #""tool": "\#(escaped) "#)
        let file = folder.appendingPathComponent("invisible.json")
        try edited.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Checks that none of `invisibleCharacters` is in `text` and that `\u{202E}` is shown instead.
    private func expectNoInvisibleCharacters(_ text: String, _ context: String) {
        for scalar in Self.invisibleCharacters {
            #expect(!text.unicodeScalars.contains(scalar), "U+\(String(scalar.value, radix: 16)) in \(context)")
        }
        #expect(text.contains(#"\u{202E}"#) || text.contains(#"\u202e"#), "\(context):\n\(text)")
    }

    /// Checks that no Markdown image or link from `markdownLinks` is live outside a code block or
    /// code span, and that one is shown escaped.
    private func expectInertLinks(_ markdown: String, _ context: String) {
        var lines: [Substring] = []
        var inFence = false
        for line in markdown.split(separator: "\n") {
            if line.hasPrefix("```") {
                inFence.toggle()
            } else if !inFence {
                // The parts between backticks are code spans.
                let parts = line.split(separator: "`", omittingEmptySubsequences: false)
                lines += parts.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            }
        }
        #expect(!lines.contains { $0.contains("[i](") }, "image in \(context):\n\(markdown)")
        #expect(!lines.contains { $0.contains("[click](") }, "link in \(context):\n\(markdown)")
        #expect(markdown.contains(#"![i\](http://example.invalid/i.png)"#), "\(context):\n\(markdown)")
    }

    private func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("untrusted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Checks printed text: no escape, bell or carriage return, and no line that a line break from
    /// the input started.
    private func expectTerminalSafe(_ text: String, _ context: String) {
        #expect(!text.contains("\u{1B}"), "ESC in \(context)")
        #expect(!text.contains("\u{7}"), "BEL in \(context)")
        #expect(!text.unicodeScalars.contains("\r"), "CR in \(context)")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("::error::") || $0.hasPrefix("::warning::") }, "\(context):\n\(text)")
        #expect(!lines.contains { $0.hasPrefix("# PWNED") }, "\(context):\n\(text)")
    }

    /// Checks Markdown: the injection opened no heading, closed no `<details>` and opened no
    /// code fence of its own.
    private func expectInertMarkdown(_ text: String, fences: Int, details: Int, _ context: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("# PWNED") }, "heading in \(context):\n\(text)")
        #expect(!text.unicodeScalars.contains("\r"), "CR in \(context)")
        #expect(lines.filter { $0.hasPrefix("```") }.count == fences, "fence lines in \(context):\n\(text)")
        #expect(lines.filter { $0.hasPrefix("</details>") }.count == details, "</details> in \(context):\n\(text)")
    }

    @Test func showTextKeepsTranscriptValuesOnTheirLines() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let result = try BinaryRunner.run(["show", try hostileTranscript(in: folder)])

        #expect(result.status == 0, "\(result.stderr)")
        expectTerminalSafe(result.stdout, "show")
        #expect(result.stdout.contains(#"\u{A}\u{D}::error::injected\u{1B}]0;title\u{7}"#), "\(result.stdout)")
    }

    @Test func verifyTextKeepsTranscriptValuesOnTheirLines() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let result = try BinaryRunner.run(["verify", try hostileTranscript(in: folder)])

        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        expectTerminalSafe(result.stdout, "verify")
        expectTerminalSafe(result.stderr, "verify's standard error")
    }

    @Test func verifyTextEscapesEndpointErrorDetail() throws {
        let (listener, port) = try #require(RawListener.open(backlog: 16))
        let detail = #"\u001b]0;title\u0007\u001b[31mred\n::error::from-server\r::warning::too"#
        let body = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"\#(detail)"}"#
        let response =
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/scim+json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + body
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    return
                }
                var head: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
                    let count = recv(connection, &buffer, buffer.count, 0)
                    if count <= 0 {
                        break
                    }
                    head += buffer[0..<count]
                }
                _ = RawClient.send(connection, response)
                close(connection)
            }
        }
        defer {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }

        let result = try BinaryRunner.run([
            "verify", "Recordings/01-test-connection.json", "--target", "http://127.0.0.1:\(port)/scim/v2",
            "--timeout", "5",
        ])

        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        expectTerminalSafe(result.stdout, "verify")
        #expect(result.stdout.contains(#"\u{A}::error::from-server"#), "\(result.stdout)")
    }

    @Test func showMarkdownKeepsTranscriptValuesInert() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let result = try BinaryRunner.run(["show", try hostileTranscript(in: folder), "--format", "markdown"])
        let original = try BinaryRunner.run(["show", "Recordings/01-test-connection.json", "--format", "markdown"])

        #expect(result.status == 0, "\(result.stderr)")
        // The edited copy has as many fences and `</details>` lines as the original.
        let originalLines = original.stdout.split(separator: "\n")
        expectInertMarkdown(
            result.stdout, fences: originalLines.filter { $0.hasPrefix("```") }.count,
            details: originalLines.filter { $0.hasPrefix("</details>") }.count, "show --format markdown")
    }

    @Test func verifyMarkdownKeepsFindingsInert() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("report.md").path

        let result = try BinaryRunner.run(["verify", try hostileTranscript(in: folder), "--markdown", report])

        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let text = try String(contentsOfFile: report, encoding: .utf8)
        // Only the mermaid block of the failing transcript is fenced.
        expectInertMarkdown(text, fences: 2, details: 0, "verify --markdown")
        #expect(text.contains("PWNED"), "the finding keeps the path: \(text)")
    }

    @Test func showEscapesInvisibleCharactersAndLinks() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try invisibleTranscript(in: folder)

        let text = try BinaryRunner.run(["show", file])
        let markdown = try BinaryRunner.run(["show", file, "--format", "markdown"])

        #expect(text.status == 0, "\(text.stderr)")
        #expect(markdown.status == 0, "\(markdown.stderr)")
        expectNoInvisibleCharacters(text.stdout, "show")
        expectNoInvisibleCharacters(markdown.stdout, "show --format markdown")
        expectInertLinks(markdown.stdout, "show --format markdown")
        #expect(markdown.stdout.contains(#"[click\](http://example.invalid/)"#), "\(markdown.stdout)")
    }

    @Test func verifyEscapesInvisibleCharactersAndLinks() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reports = ["json", "junit", "markdown"].map {
            (option: "--\($0)", path: folder.appendingPathComponent($0).path)
        }

        let result = try BinaryRunner.run(
            ["verify", try invisibleTranscript(in: folder)] + reports.flatMap { [$0.option, $0.path] })

        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        expectNoInvisibleCharacters(result.stdout, "verify")
        for report in reports {
            let text = try String(contentsOfFile: report.path, encoding: .utf8)
            expectNoInvisibleCharacters(text, "verify \(report.option)")
        }
        let json = try JSONValue.parse(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: reports[0].path))))
        #expect(json["format"] == "scimtape.report")
        expectInertLinks(try String(contentsOfFile: reports[2].path, encoding: .utf8), "verify --markdown")
    }

    /// Two transcripts share a name that sets the terminal title, and a file whose name contains
    /// ESC cannot be read. Lint names both in its messages.
    @Test func lintEscapesNamesAndPaths() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try String(
            contentsOf: BinaryRunner.packageRoot.appendingPathComponent("Recordings/01-test-connection.json"),
            encoding: .utf8)
        let name = #""name": "test-connection""#
        #expect(original.contains(name))
        let renamed = original.replacingOccurrences(
            of: name, with: #""name": "nasty\u202e\u001b]0;title\u0007""#)
        for file in ["a.json", "b.json"] {
            try renamed.write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        try "{".write(
            to: folder.appendingPathComponent("cut\u{1B}]0;title\u{7}\u{202E}.json"), atomically: true, encoding: .utf8)

        let result = try BinaryRunner.run(["lint", folder.path])

        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        expectTerminalSafe(result.stderr, "lint's standard error")
        #expect(!result.stderr.unicodeScalars.contains("\u{202E}"), "U+202E in lint's standard error")
        #expect(result.stderr.contains(#"nasty\u{202E}\u{1B}]0;title\u{7}"#), "\(result.stderr)")
        #expect(result.stderr.contains(#"cut\u{1B}]0;title\u{7}\u{202E}.json"#), "\(result.stderr)")
    }
}
