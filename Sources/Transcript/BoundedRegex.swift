import Foundation
import Synchronization

/// Runs a matcher's regular expression with a time limit.
///
/// Swift's `Regex` backtracks and cannot be interrupted: `^(a+)+$` on 30 `a` characters and a
/// `!` runs for hours, and with `--target` the endpoint chooses the text. So each match runs on a
/// thread of its own, and the caller waits at most `timeLimit`. A match that takes longer is
/// abandoned: its thread runs on until it finishes or the process exits, and every later match
/// with the same pattern fails at once, so that one pattern keeps at most one thread busy.
enum BoundedRegex {
    enum Result: Equatable {
        case match
        case noMatch
        case invalid
        case timedOut
    }

    static let timeLimit: Double = 2

    private static let slowPatterns = Mutex<Set<String>>([])

    /// Reports whether `pattern` matches somewhere in `text`.
    static func firstMatch(_ pattern: String, in text: String) -> Result {
        if slowPatterns.withLock({ $0.contains(pattern) }) {
            return .timedOut
        }
        guard (try? Regex(pattern)) != nil else {
            return .invalid
        }
        let outcome = Outcome()
        let thread = Thread {
            // Compiled again here, because a Regex is not Sendable.
            let found = (try? Regex(pattern).firstMatch(in: text)) != nil
            outcome.finish(found ? .match : .noMatch)
        }
        thread.stackSize = 8 << 20
        thread.start()
        guard let result = outcome.wait(seconds: timeLimit) else {
            _ = slowPatterns.withLock { $0.insert(pattern) }
            return .timedOut
        }
        return result
    }

    /// The result of one match, handed from its thread to the caller.
    private final class Outcome: Sendable {
        private let result = Mutex<Result?>(nil)
        private let done = DispatchSemaphore(value: 0)

        func finish(_ value: Result) {
            result.withLock { $0 = value }
            done.signal()
        }

        func wait(seconds: Double) -> Result? {
            guard done.wait(timeout: .now() + seconds) == .success else {
                return nil
            }
            return result.withLock { $0 }
        }
    }
}
