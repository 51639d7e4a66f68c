import Foundation
import Synchronization

/// Writes to standard output or standard error with `write(2)`, so that a reader that went away
/// (`scimtape rules | head`) does not stop the process.
///
/// `FileHandle.write(_:)` traps when the write fails, which turns a closed pipe into a crash.
/// Here a failed write (EPIPE with SIGPIPE ignored, or any other error) is dropped, and every
/// later write to the same stream is skipped: the run goes on, so its exit code and its report
/// files stay right.
public enum StandardStream: Sendable {
    case output
    case error

    private static let closed = Mutex<Set<Int32>>([])

    private var descriptor: Int32 {
        switch self {
        case .output: STDOUT_FILENO
        case .error: STDERR_FILENO
        }
    }

    /// Writes `text` as UTF-8; returns whether every byte was written.
    @discardableResult
    public func write(_ text: String) -> Bool {
        let descriptor = descriptor
        if Self.closed.withLock({ $0.contains(descriptor) }) {
            return false
        }
        var text = text
        let written = text.withUTF8 { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let result = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if result < 0 {
                    if errno == EINTR {
                        continue
                    }
                    return false
                }
                offset += result
            }
            return true
        }
        if !written {
            _ = Self.closed.withLock { $0.insert(descriptor) }
        }
        return written
    }
}
