import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the user's `--state-hook` command under `/bin/sh` in a process group of its own, so that
/// a hook that runs too long is stopped together with every process it started.
public enum StateHook {
    struct Result {
        enum Ending: Equatable {
            case exited(Int32)
            case signalled(Int32)
            /// The time limit passed; the hook's process group was killed.
            case timedOut
            case notStarted(String)
        }

        let ending: Ending
        /// Standard error, or standard output when that is empty, with whitespace trimmed. The
        /// caller masks credentials in it before cutting it to `maximumOutputLength`.
        let output: String
    }

    /// Seconds a hook may run before its process group is killed, unless the run's time limit
    /// ends sooner.
    public static let timeout: Double = 60

    /// Bytes kept of each output stream; the rest is read and dropped.
    static let maximumKeptOutput = 64 * 1024

    /// Characters of a hook's output that a finding or skip reason shows.
    static let maximumOutputLength = 500

    /// Process groups of the hooks running now, for `killRunning()`.
    nonisolated(unsafe) private static var runningGroups: Set<pid_t> = []
    private static let runningLock = NSLock()

    /// Kills the process group of every hook that is running, as a run that is interrupted does
    /// before it exits.
    public static func killRunning() {
        runningLock.lock()
        defer { runningLock.unlock() }
        for group in runningGroups {
            kill(-group, SIGKILL)
        }
    }

    private static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Runs `command` with `input` on standard input and `SCIMTAPE_TARGET` and `SCIMTAPE_TOKEN` in
    /// its environment, for at most `timeLimit` seconds.
    static func run(_ command: String, input: String, target: String, token: String?, timeLimit: Double) -> Result {
        // A hook that exits without reading its input closes the pipe; writing then must fail with
        // EPIPE instead of killing this process with SIGPIPE.
        _ = ignoreBrokenPipes
        var environment = ProcessInfo.processInfo.environment
        environment["SCIMTAPE_TARGET"] = target
        if let token {
            // The hook may need to call the target; the token goes through the environment, never argv.
            environment["SCIMTAPE_TOKEN"] = token
        }
        let process: SpawnedHook
        do {
            process = try SpawnedHook(command: command, environment: environment)
        } catch {
            return Result(ending: .notStarted(error.message), output: "")
        }
        runningLock.lock()
        runningGroups.insert(process.pid)
        runningLock.unlock()
        defer {
            runningLock.lock()
            runningGroups.remove(process.pid)
            runningLock.unlock()
        }
        let ending = process.communicate(input: Array(input.utf8), timeLimit: timeLimit)
        let errorText = String(decoding: process.error, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let outputText = String(decoding: process.output, as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let message = errorText.isEmpty ? outputText : errorText
        return Result(ending: ending, output: message)
    }
}

/// A `/bin/sh -c COMMAND` child in a new process group, with pipes on its standard streams.
private final class SpawnedHook {
    struct SpawnError: Error {
        let message: String
    }

    let pid: pid_t
    private var inputFD: Int32
    private var outputFD: Int32
    private var errorFD: Int32
    private(set) var output: [UInt8] = []
    private(set) var error: [UInt8] = []

    /// Held from creating the pipes until they are marked close-on-exec and the child is spawned,
    /// so that a hook started at the same time on another thread never inherits them.
    private static let spawnLock = NSLock()

    init(command: String, environment: [String: String]) throws(SpawnError) {
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else {
                let message = String(cString: strerror(errno))
                pipes.flatMap { $0 }.forEach { close($0) }
                throw SpawnError(message: "cannot create a pipe: \(message)")
            }
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            pipes.append(fds)
        }
        // The child reads pipes[0][0] and writes pipes[1][1] and pipes[2][1].
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0)
        posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Process group 0 makes the child the leader of a new group whose id is its pid. The
        // signals this process ignores or blocks are reset, because a child inherits both.
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] =
            environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            arguments.forEach { free($0) }
            variables.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, arguments, variables)
        close(pipes[0][0])
        close(pipes[1][1])
        close(pipes[2][1])
        guard status == 0 else {
            close(pipes[0][1])
            close(pipes[1][0])
            close(pipes[2][0])
            throw SpawnError(message: "cannot start /bin/sh: \(String(cString: strerror(status)))")
        }
        pid = child
        inputFD = pipes[0][1]
        outputFD = pipes[1][0]
        errorFD = pipes[2][0]
        for fd in [inputFD, outputFD, errorFD] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    deinit {
        for fd in [inputFD, outputFD, errorFD] where fd >= 0 {
            close(fd)
        }
    }

    /// Writes `input`, reads both outputs and waits for the child to exit, for at most
    /// `timeLimit` seconds. Past that, the whole process group is killed.
    ///
    /// Reading stops when the child has exited, even if a process it left in the background
    /// keeps the output pipes open, so such a process cannot hold the run.
    func communicate(input: [UInt8], timeLimit: Double) -> StateHook.Result.Ending {
        let deadline = Date().addingTimeInterval(max(0, timeLimit))
        var written = 0
        if input.isEmpty {
            closeInput()
        }
        while true {
            if let ending = reap(options: WNOHANG) {
                drain(outputFD, into: &output)
                drain(errorFD, into: &error)
                return ending
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                kill(-pid, SIGKILL)
                _ = reap(options: 0)
                return .timedOut
            }
            var fds: [pollfd] = []
            if inputFD >= 0 {
                fds.append(pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0))
            }
            for fd in [outputFD, errorFD] where fd >= 0 {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            }
            // The child's exit is noticed on the next turn at the latest, 50 ms on.
            _ = poll(&fds, nfds_t(fds.count), Int32(min(50, max(1, remaining * 1000))))
            for entry in fds where entry.revents != 0 {
                if entry.fd == inputFD {
                    written = writeInput(input, from: written)
                } else if entry.fd == outputFD {
                    drain(outputFD, into: &output)
                } else {
                    drain(errorFD, into: &error)
                }
            }
        }
    }

    /// Returns how the child ended once it has, and `nil` while it runs.
    private func reap(options: Int32) -> StateHook.Result.Ending? {
        var status: Int32 = 0
        var result: pid_t
        repeat {
            result = waitpid(pid, &status, options)
        } while result == -1 && errno == EINTR
        guard result == pid else {
            return nil
        }
        // The macros of <sys/wait.h> are not imported into Swift.
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }

    private func writeInput(_ input: [UInt8], from offset: Int) -> Int {
        var offset = offset
        while offset < input.count {
            let count = input[offset...].withUnsafeBytes { write(inputFD, $0.baseAddress, $0.count) }
            if count > 0 {
                offset += count
            } else if count == -1 && errno == EINTR {
                continue
            } else if count == -1 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return offset
            } else {
                break
            }
        }
        closeInput()
        return offset
    }

    private func closeInput() {
        close(inputFD)
        inputFD = -1
    }

    /// Reads what `fd` has now into `buffer`, up to `StateHook.maximumKeptOutput` bytes kept,
    /// and closes it at end of file.
    private func drain(_ fd: Int32, into buffer: inout [UInt8]) {
        guard fd >= 0 else {
            return
        }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                let room = max(0, StateHook.maximumKeptOutput - buffer.count)
                buffer += chunk.prefix(min(room, count))
            } else if count == -1 && errno == EINTR {
                continue
            } else if count == -1 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else {
                close(fd)
                if fd == outputFD {
                    outputFD = -1
                } else {
                    errorFD = -1
                }
                return
            }
        }
    }
}
