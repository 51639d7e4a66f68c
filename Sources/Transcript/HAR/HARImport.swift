import Foundation
import HTTP
import SCIM

/// Converts a HAR 1.2 file into a transcript: the entries under one SCIM base become exchanges,
/// everything else is dropped and counted, and secrets are replaced as `SecretPolicy` specifies.
public enum HARImport {
    /// Settings for one import.
    public struct Options: Sendable {
        /// The SCIM base: an absolute URL (`https://scim.example.com/scim/v2`) or a path that
        /// matches on any host (`/scim/v2`). `nil` detects it from the entries.
        public var base: String?
        public var policy: SecretPolicy
        public var name: String
        /// The file name written into the transcript's source notes.
        public var sourceFile: String
        public var tool: String?

        public init(
            base: String? = nil, policy: SecretPolicy = SecretPolicy(), name: String, sourceFile: String,
            tool: String? = nil
        ) {
            self.base = base
            self.policy = policy
            self.name = name
            self.sourceFile = sourceFile
            self.tool = tool
        }
    }

    /// An entry that did not become an exchange.
    public struct DroppedEntry: Sendable, Equatable {
        /// 1-based position in `log.entries`.
        public let entry: Int
        public let method: String
        /// The entry's URL, with bearer tokens and JWTs replaced as in transcripts.
        public let url: String
        public let reason: String
    }

    public struct Result: Sendable {
        public let transcript: Transcript
        /// The base used, such as `https://scim.example.com/scim/v2`, or a path when a path was given.
        public let base: String
        public let baseWasDetected: Bool
        public let dropped: [DroppedEntry]
        /// The program that wrote the HAR, from `log.creator`, such as `mitmproxy 11.0.2`.
        public let creator: String?
    }

    /// Largest HAR file read, in bytes.
    public static let maximumFileSize = 512 * 1024 * 1024

    /// The UTF-8 byte order mark.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Names of SCIM endpoints (RFC 7644 section 3.2) that mark where the base ends in a URL path.
    static let resourceSegments: Set<String> = [
        "users", "groups", "me", "bulk", "serviceproviderconfig", "serviceproviderconfigs", "schemas",
        "resourcetypes", ".search",
    ]

    /// Reads and converts a HAR file. Errors name the file as given.
    public static func read(path: String, options: Options) throws(HARError) -> Result {
        if let problem = FileCheck.problem(readingRegularFile: path) {
            throw HARError(file: path, message: problem)
        }
        let bytes: [UInt8]
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size <= maximumFileSize else {
                throw HARError(file: path, message: "the file is \(size) bytes; the limit is \(maximumFileSize) bytes")
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            // Dropping the mark here saves `parse` a copy of the whole file.
            bytes = [UInt8](data.starts(with: byteOrderMark) ? data.dropFirst(byteOrderMark.count) : data)
        } catch let error as HARError {
            throw error
        } catch {
            throw HARError(file: path, message: "cannot read the file: \(error.localizedDescription)")
        }
        do {
            return try parse(bytes: bytes, options: options)
        } catch var error {
            error.file = path
            throw error
        }
    }

    /// Parses and converts the contents of a HAR file. Duplicate keys are accepted, because some
    /// tools write them, and the last one wins. A leading UTF-8 byte order mark, which .NET writers
    /// such as Fiddler put first, is skipped as RFC 8259 section 8.1 allows.
    public static func parse(bytes: [UInt8], options: Options) throws(HARError) -> Result {
        let text = bytes.starts(with: byteOrderMark) ? Array(bytes.dropFirst(byteOrderMark.count)) : bytes
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes: text, options: JSONParseOptions(rejectsDuplicateKeys: false))
        } catch {
            throw HARError(
                path: error.path, message: "invalid JSON at line \(error.line), column \(error.column): \(error.reason)"
            )
        }
        return try convert(json, options: options)
    }

    /// Converts a parsed HAR document.
    public static func convert(_ json: JSONValue, options: Options) throws(HARError) -> Result {
        guard let log = json["log"]?.objectValue else {
            throw HARError(message: "the document has no 'log' object, so it is not a HAR file")
        }
        let entriesPath = JSONPath.root.appending(key: "log").appending(key: "entries")
        guard let entryValues = log["entries"]?.arrayValue else {
            throw HARError(path: entriesPath, message: "the log has no 'entries' array")
        }
        var entries: [HAREntry] = []
        for (index, value) in entryValues.enumerated() {
            entries.append(try HAREntry(json: value, index: index, path: entriesPath.appending(index: index)))
        }
        // Tools write entries in the order requests completed or were shown; the start time is the
        // order in which the client sent them. A stable sort keeps file order for equal times.
        if entries.allSatisfy({ $0.startedDateTime != nil }) {
            entries = entries.enumerated().sorted { lhs, rhs in
                (lhs.element.startedDateTime!, lhs.offset) < (rhs.element.startedDateTime!, rhs.offset)
            }.map(\.element)
        }

        let base: HARBase
        let detected: Bool
        if let given = options.base {
            base = try HARBase(given)
            detected = false
        } else {
            guard let found = detectBase(entries) else {
                throw HARError(
                    path: entriesPath,
                    message: "no entry has a SCIM path such as /Users or /Groups; give the SCIM base with --base")
            }
            base = found
            detected = true
        }

        var exchanges: [Exchange] = []
        var dropped: [DroppedEntry] = []
        for entry in entries {
            let describe = { (reason: String) in
                DroppedEntry(
                    entry: entry.index + 1, method: entry.method,
                    url: SecretScan.redactCredentials(
                        inPath: entry.url.origin + entry.url.path + (entry.url.query.map { "?" + $0 } ?? "")),
                    reason: reason)
            }
            guard let relative = base.relativeTarget(of: entry.url) else {
                dropped.append(describe("outside the SCIM base"))
                continue
            }
            guard entry.status != 0 else {
                dropped.append(describe("no response: the request failed or was aborted"))
                continue
            }
            if entry.method == "OPTIONS" && entry.requestHeaders.contains("Access-Control-Request-Method") {
                dropped.append(describe("a CORS preflight request, which is not a SCIM request"))
                continue
            }
            if let problem = Exchange.problem(inPath: relative) {
                dropped.append(describe("its path \(problem)"))
                continue
            }
            if let problem = unstorableField(in: entry) {
                dropped.append(describe(problem))
                continue
            }
            let exchange = Exchange(
                request: Exchange.Request(
                    method: entry.method, path: relative, headers: entry.requestHeaders,
                    body: RecordedBody(bytes: entry.requestBody)),
                response: Exchange.Response(
                    status: entry.status, headers: entry.responseHeaders, body: RecordedBody(bytes: entry.responseBody))
            )
            exchanges.append(options.policy.apply(to: exchange))
        }
        guard !exchanges.isEmpty else {
            throw HARError(
                path: entriesPath,
                message: "none of the \(entries.count) entries is a SCIM exchange under \(base.description)")
        }

        let creator = log["creator"]?.objectValue.map { creator in
            [creator["name"]?.stringValue, creator["version"]?.stringValue].compactMap { $0 }.joined(separator: " ")
        }
        let notes =
            "Imported from \(options.sourceFile)" + (creator.map { " (written by \($0))" } ?? "")
            + ": \(exchanges.count) of \(entries.count) entries under \(base.description)."
        let firstStart = entries.compactMap(\.startedDateTime).min()
        let transcript = Transcript(
            name: options.name,
            description: "SCIM exchanges imported from a HAR file.",
            source: Transcript.Source(
                kind: .imported, tool: options.tool, recordedAt: firstStart.map(SCIMDateTime.format), notes: notes),
            exchanges: exchanges)
        return Result(
            transcript: transcript, base: base.description, baseWasDetected: detected, dropped: dropped,
            creator: creator)
    }

    /// Returns why a transcript cannot store the entry's method, status or a header field, or
    /// `nil`. Such an entry is dropped, because a transcript written with it fails to read back.
    static func unstorableField(in entry: HAREntry) -> String? {
        if let problem = Exchange.problem(inMethod: entry.method) {
            return "its \(problem)"
        }
        guard Exchange.statusCodes.contains(entry.status) else {
            return "its status \(entry.status) is not between 100 and 599"
        }
        for (kind, headers) in [("request", entry.requestHeaders), ("response", entry.responseHeaders)] {
            for field in headers {
                if let problem = Exchange.problem(inHeaderName: field.name) {
                    return "its \(kind) header field \(problem)"
                }
                if let problem = Exchange.problem(inHeaderValue: field.value) {
                    return "its \(kind) header field \(field.name): \(problem)"
                }
            }
        }
        return nil
    }

    /// Returns the base that most entries with a SCIM endpoint segment share.
    static func detectBase(_ entries: [HAREntry]) -> HARBase? {
        var counts: [String: (base: HARBase, count: Int, first: Int)] = [:]
        for entry in entries {
            let segments = entry.url.path.split(separator: "/", omittingEmptySubsequences: false)
            guard
                let position = segments.firstIndex(where: {
                    resourceSegments.contains(RequestTarget.percentDecode(String($0)).lowercased())
                })
            else {
                continue
            }
            let path = segments[..<position].joined(separator: "/")
            let base = HARBase(origin: entry.url.origin, path: path)
            let key = base.description
            counts[key] = (base, (counts[key]?.count ?? 0) + 1, counts[key]?.first ?? entry.index)
        }
        return counts.values.max { lhs, rhs in
            (lhs.count, -lhs.first) < (rhs.count, -rhs.first)
        }?.base
    }
}

/// The SCIM base of an import: an origin and a path, or a path alone that matches any origin.
struct HARBase: CustomStringConvertible {
    /// Lowercased `scheme://host[:port]`, or `nil` to match any origin.
    let origin: String?
    /// The path without a trailing slash; empty for the root.
    let path: String

    init(origin: String?, path: String) {
        self.origin = origin
        var trimmed = path
        while trimmed.hasSuffix("/") {
            trimmed.removeLast()
        }
        self.path = trimmed
    }

    init(_ text: String) throws(HARError) {
        if text.hasPrefix("/") {
            self.init(origin: nil, path: RequestTarget.split(text).path)
            return
        }
        guard let url = HARURL(text) else {
            throw HARError(message: "--base '\(text)' is neither an http(s) URL nor a path starting with '/'")
        }
        self.init(origin: url.origin, path: url.path)
    }

    var description: String {
        (origin ?? "") + (path.isEmpty && origin == nil ? "/" : path)
    }

    /// Returns the path and query relative to the base, or `nil` when the URL is outside it.
    func relativeTarget(of url: HARURL) -> String? {
        if let origin, origin != url.origin {
            return nil
        }
        let lowered = url.path.lowercased()
        let basePath = path.lowercased()
        guard lowered == basePath || lowered.hasPrefix(basePath + "/") else {
            return nil
        }
        var relative = String(url.path.dropFirst(path.count))
        if relative.isEmpty {
            relative = "/"
        }
        if let query = url.query {
            relative += "?" + query
        }
        return relative
    }
}
