import Foundation

/// Runs `cleanup` on SIGINT or SIGTERM and exits with the code it returns. A second signal
/// while `cleanup` runs is ignored, so an impatient Ctrl-C cannot cut a transcript short.
final class TerminationHandler {
    private var sources: [DispatchSourceSignal] = []

    init(_ cleanup: @escaping @Sendable () -> ExitCode) {
        let started = ManagedFlag()
        for signalNumber in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                guard started.setOnce() else {
                    return
                }
                exit(cleanup().rawValue)
            }
            source.resume()
            // The default action is turned off only once the dispatch source is listening.
            signal(signalNumber, SIG_IGN)
            sources.append(source)
        }
    }

    /// Serves the main queue until a signal arrives; never returns.
    func wait() -> Never {
        withExtendedLifetime(sources) {
            dispatchMain()
        }
    }
}

/// A flag that can be set once, from the main queue.
private final class ManagedFlag: @unchecked Sendable {
    // @unchecked: only the main queue's signal handlers touch `isSet`.
    private var isSet = false

    func setOnce() -> Bool {
        guard !isSet else {
            return false
        }
        isSet = true
        return true
    }
}
