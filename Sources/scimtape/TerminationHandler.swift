import Foundation

/// The write end of the pipe that the signal handler writes to; set once, before the handler is
/// installed, and only read afterwards.
private nonisolated(unsafe) var terminationPipeWrite: Int32 = -1

/// Runs `cleanup` on SIGINT or SIGTERM and exits with the code it returns.
///
/// The handler is installed with `sigaction` before `init` returns, so a signal that arrives as
/// soon as the caller prints its URL is never lost or left at its default action. The handler
/// only writes a byte to a pipe (`write` is async-signal-safe); `wait` reads the pipe on the main
/// thread and runs `cleanup` there. A second signal while `cleanup` runs is ignored, so an
/// impatient Ctrl-C cannot cut a transcript short.
final class TerminationHandler: Sendable {
    /// Returns the exit status, given the signal's number.
    private let cleanup: @Sendable (Int32) -> Int32
    private let readDescriptor: Int32

    convenience init(_ cleanup: @escaping @Sendable () -> ExitCode) {
        self.init(signalled: { _ in cleanup().rawValue })
    }

    /// Installs the handler with a `cleanup` that gets the signal's number and returns the exit
    /// status.
    init(signalled cleanup: @escaping @Sendable (Int32) -> Int32) {
        self.cleanup = cleanup
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            fatalError("pipe failed: \(String(cString: strerror(errno))); the process has no file descriptors left")
        }
        readDescriptor = descriptors[0]
        terminationPipeWrite = descriptors[1]

        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signalNumber in
            var byte = UInt8(truncatingIfNeeded: signalNumber)
            _ = write(terminationPipeWrite, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        // A process inherits the signal mask of the thread that started it. Some launchers, test
        // runners among them, block signals there, and a blocked SIGINT or SIGTERM never arrives.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signalNumber in [SIGINT, SIGTERM] {
            sigaction(signalNumber, &action, nil)
            sigaddset(&signals, signalNumber)
        }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    /// Blocks the main thread until a signal arrives, then runs `cleanup` and exits; never returns.
    func wait() -> Never {
        var byte: UInt8 = 0
        while read(readDescriptor, &byte, 1) != 1 {
            guard errno == EINTR else {
                fatalError("reading the signal pipe failed: \(String(cString: strerror(errno)))")
            }
        }
        exit(cleanup(Int32(byte)))
    }

    /// Waits for a signal on a thread of its own, so that the caller's thread goes on working,
    /// then runs `cleanup` there and exits.
    func waitInBackground() {
        Thread.detachNewThread {
            self.wait()
        }
    }
}
