import Foundation
import Synchronization

/// A small structured logger shaped like swift-log: a label, a level, metadata and a handler.
///
/// Libraries log flow at `trace` and `debug`; the command line picks the level a user sees.
/// Messages are short fixed strings and the data goes into dotted metadata keys
/// (`http.method`, `transcript.path`). Metadata whose key names a credential is masked before
/// it reaches a handler, so a secret passed by mistake is never written.
public struct Logger: Sendable {
    /// Severity, ordered from most to least verbose.
    public enum Level: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
        case trace
        case debug
        case info
        case notice
        case warning
        case error

        public static func < (lhs: Level, rhs: Level) -> Bool {
            lhs.rawValue < rhs.rawValue
        }

        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            }
        }

        /// Parses a level name as accepted by `--log-level`.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.description == name.lowercased() }) else {
                return nil
            }
            self = level
        }
    }

    public let label: String
    public var level: Level
    public var metadata: [String: String]
    private let handler: any LogHandler

    public init(label: String, level: Level = .info, handler: any LogHandler = StandardErrorLogHandler.shared) {
        self.label = label
        self.level = level
        self.metadata = [:]
        self.handler = handler
    }

    /// A logger that discards everything, for components created without one.
    public static let disabled = Logger(label: "disabled", level: .error, handler: DiscardingLogHandler())

    /// Returns a logger with the same handler and level under another label, with extra metadata.
    public func child(label: String, metadata extra: [String: String] = [:]) -> Logger {
        var logger = Logger(label: label, level: level, handler: handler)
        logger.metadata = metadata.merging(extra) { _, new in new }
        return logger
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, metadata extra: [String: String] = [:]) {
        guard level >= self.level else {
            return
        }
        var merged = metadata
        for (key, value) in extra {
            merged[key] = value
        }
        for key in merged.keys where Logger.isCredentialKey(key) {
            merged[key] = "[redacted]"
        }
        handler.write(LogRecord(date: Date(), level: level, label: label, message: message(), metadata: merged))
    }

    public func trace(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.trace, message(), metadata: metadata)
    }

    public func debug(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.debug, message(), metadata: metadata)
    }

    public func info(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.info, message(), metadata: metadata)
    }

    public func notice(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.notice, message(), metadata: metadata)
    }

    public func warning(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.warning, message(), metadata: metadata)
    }

    public func error(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.error, message(), metadata: metadata)
    }

    static func isCredentialKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return lowered.contains("authorization") || lowered.contains("token") || lowered.contains("cookie")
            || lowered.contains("secret") || lowered.contains("password")
    }
}

/// One log event as handed to a handler.
public struct LogRecord: Sendable {
    public let date: Date
    public let level: Logger.Level
    public let label: String
    public let message: String
    public let metadata: [String: String]

    /// Renders the record as one line: time, level, label, message, then sorted `key=value` pairs.
    public func formatted() -> String {
        var line = "\(LogRecord.timestamp(date)) \(level) \(label): \(message)"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(LogRecord.quoted(metadata[key] ?? ""))"
        }
        return line
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static func quoted(_ value: String) -> String {
        let plain = value.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value < 0x7F && scalar != "\"" && scalar != "\\" && scalar != "="
        }
        if plain && !value.isEmpty {
            return value
        }
        var escaped = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 {
                    escaped += String(format: "\\u%04x", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped + "\""
    }
}

/// Receives log records; implementations must be safe to call from any thread.
public protocol LogHandler: Sendable {
    func write(_ record: LogRecord)
}

/// Writes one line per record to standard error, serialised so that lines never interleave.
public final class StandardErrorLogHandler: LogHandler {
    public static let shared = StandardErrorLogHandler()
    private let lock = Mutex(())

    public func write(_ record: LogRecord) {
        let line = record.formatted() + "\n"
        lock.withLock { _ in
            _ = StandardStream.error.write(line)
        }
    }
}

/// Drops every record.
public struct DiscardingLogHandler: LogHandler {
    public init() {}
    public func write(_ record: LogRecord) {}
}

/// Keeps records in memory, for tests that assert on what was logged.
public final class CapturingLogHandler: LogHandler {
    private let records = Mutex<[LogRecord]>([])

    public init() {}

    public func write(_ record: LogRecord) {
        records.withLock { $0.append(record) }
    }

    public var captured: [LogRecord] {
        records.withLock { $0 }
    }
}
