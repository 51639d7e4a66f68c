import Foundation
import HTTP
import SCIM
import Testing
import Transcript

/// Bodies that are not valid UTF-8 in HAR files, secret redaction, personal data redaction and
/// the renderings of `show`.
@Suite struct BinaryBodyHandling {
    /// Latin-1 text around a bearer token and a JWT, with a byte that never occurs in UTF-8 between
    /// them, so that each token sits in its own run of valid UTF-8.
    static let tokenBytes =
        Array("caf".utf8) + [0xE9] + Array(" Authorization: Bearer abcdefgh12345678 ".utf8) + [0xFF]
        + Array(" token=\(SecretScanRules.jwt);".utf8) + [0xC3]

    private func exchange(requestBody: RecordedBody, responseBody: RecordedBody = .none) -> Exchange {
        Exchange(
            request: Exchange.Request(
                method: "POST", path: "/Users", headers: [("Content-Type", "application/octet-stream")],
                body: requestBody),
            response: Exchange.Response(status: 400, body: responseBody))
    }

    @Test func harRoundTripKeepsBytes() throws {
        let responseBytes: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFE]
        let original = Transcript(
            name: "binary-har", description: "Exported and imported again.",
            source: Transcript.Source(kind: .handwritten, recordedAt: "2026-01-01T10:00:00.000Z"),
            exchanges: [
                exchange(requestBody: .binary(SampleTranscripts.latin1Body), responseBody: .binary(responseBytes))
            ])

        let har = HARExport.document(
            original, base: try BaseURL("https://scim.example.invalid/scim/v2"), tool: "scimtape 0.1.0")
        let entry = har["log"]?["entries"]?.arrayValue?.first
        let imported = try HARImport.convert(har, options: HARSamples.options()).transcript

        #expect(entry?["request"]?["postData"]?["encoding"] == "base64")
        #expect(entry?["request"]?["postData"]?["text"] == "eyJ1c2VyTmFtZSI6ImNhZukifQ==")
        #expect(entry?["request"]?["bodySize"]?.intValue == SampleTranscripts.latin1Body.count)
        #expect(entry?["response"]?["content"]?["encoding"] == "base64")
        #expect(entry?["response"]?["content"]?["text"] == "H4sIAP/+")
        #expect(entry?["response"]?["content"]?["size"]?.intValue == 6)
        #expect(imported.exchanges == original.exchanges)
    }

    @Test func harBase64TextImportsAsText() throws {
        let encoded = Data("plain text".utf8).base64EncodedString()
        let document = HARSamples.document([
            HARSamples.entry(
                "GET", "http://127.0.0.1:8080/scim/v2/Users",
                content: ["size": 10, "mimeType": "text/plain", "text": .string(encoded), "encoding": "base64"])
        ])

        let result = try HARImport.convert(document, options: HARSamples.options())

        #expect(result.transcript.exchanges.first?.response.body == .text("plain text"))
    }

    @Test func secretScanFindsTokensInBytes() {
        let findings = SecretScan.scan(exchange(requestBody: .binary(Self.tokenBytes)), number: 3)

        #expect(findings.map(\.kind) == [.bearerToken, .jsonWebToken])
        #expect(findings.allSatisfy { $0.location == "request body" })
        #expect(findings.allSatisfy { $0.exchange == 3 })
    }

    @Test func secretScanReplacesTokensByteForByte() {
        let (redacted, findings) = SecretScan.redactFindings(
            in: exchange(requestBody: .binary(Self.tokenBytes)), number: 1)
        let expected =
            Array("caf".utf8) + [0xE9] + Array(" Authorization: Bearer [redacted] ".utf8) + [0xFF]
            + Array(" token=[redacted];".utf8) + [0xC3]

        #expect(findings.count == 2)
        #expect(redacted.request.body == .binary(expected))
        #expect(SecretScan.scan(redacted, number: 1).isEmpty)
    }

    @Test func sentCredentialReplacedInBytes() {
        let credential = "cred-9f8e7d6c5b4a39281706"
        let echoed = [0xFF] + Array("echo \(credential) end".utf8) + [0xFE]
        var original = exchange(requestBody: .binary(echoed), responseBody: .binary(echoed))
        original.request.headers.add(name: "Authorization", value: "Bearer \(credential)")

        let redacted = SecretPolicy().apply(to: original)
        let expected = [0xFF] + Array("echo [redacted] end".utf8) + [0xFE]

        #expect(redacted.request.body == .binary(expected))
        #expect(redacted.response.body == .binary(expected))
        #expect(redacted.request.headers["Authorization"] == "Bearer [redacted]")
    }

    @Test func listedFieldReplacedInBytes() {
        let form = Array("name=caf".utf8) + [0xE9] + Array("&password=hunter2&x=1".utf8)

        let redacted = SecretPolicy().apply(to: RecordedBody.binary(form))

        #expect(redacted == .binary(Array("name=caf".utf8) + [0xE9] + Array("&password=[redacted]&x=1".utf8)))
    }

    @Test func redactedInvalidByteLeavesJSON() {
        let body = Array(#"{"userName":"a","password":"x"#.utf8) + [0xFF] + Array(#""}"#.utf8)

        let redacted = SecretPolicy().apply(to: RecordedBody.binary(body))

        #expect(redacted == .json(["userName": "a", "password": "[redacted]"]))
    }

    @Test func personalValuesReplacedInBytes() throws {
        let user: JSONValue = ["schemas": [.string(SCIMURN.user)], "userName": "carol.jones@contoso.example"]
        let binary = Array("note for carol.jones@contoso.example ".utf8) + [0xE9]
        let transcript = Transcript(
            name: "binary-redact", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: [
                Exchange(
                    request: Exchange.Request(method: "POST", path: "/Users", body: .json(user)),
                    response: Exchange.Response(status: 201, body: .json(user))),
                exchange(requestBody: .binary(binary)),
            ])

        let (redacted, _) = PersonalDataRedaction.redact(transcript)
        let body = redacted.exchanges[1].request.body

        guard case .binary(let bytes) = body else {
            Issue.record("the body is no longer binary: \(body)")
            return
        }
        #expect(bytes.last == 0xE9)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("carol.jones"))
    }

    @Test func showPrintsSizeAndHexDump() {
        let bytes = Array(#"{"userName":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)
        let transcript = Transcript(
            name: "binary-show", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: [exchange(requestBody: .binary(bytes))])

        let text = TranscriptTextRendering.render(transcript)
        let markdown = TranscriptMarkdownRendering.render(transcript)

        #expect(text.contains("    > 19 bytes that are not valid UTF-8, in hex:"))
        #expect(text.contains(#"    > 00000000  7b 22 75 73 65 72 4e 61  6d 65 22 3a 22 63 61 66  |{"userName":"caf|"#))
        #expect(text.contains("    > 00000010  e9 22 7d" + String(repeating: " ", count: 42) + #"|."}|"#))
        #expect(markdown.contains("<details><summary>Request: binary body (19 bytes, not UTF-8)"))
        #expect(markdown.contains("19 bytes that are not valid UTF-8, in hex:"))
    }

    @Test func showShortensLongBinaryBody() {
        let bytes = [UInt8](repeating: 0xFF, count: 1000)
        let transcript = Transcript(
            name: "binary-show", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: [exchange(requestBody: .binary(bytes))])

        let lines = TranscriptTextRendering.render(transcript).split(separator: "\n")

        #expect(lines.contains("    > 1000 bytes that are not valid UTF-8, in hex (the first 256):"))
        #expect(lines.contains("    > ... 744 more bytes, which the transcript keeps in bodyBase64"))
        #expect(lines.filter { $0.hasPrefix("    > 000000") }.count == 16)
    }
}
