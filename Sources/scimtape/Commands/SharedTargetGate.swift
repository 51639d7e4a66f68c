import Foundation
import SCIM
import Transcript
import Verifier

/// Keeps a transcript that makes a shared target fail on purpose from running beside others.
///
/// A `fault` precondition applies to the whole target (the reference endpoint's fault schedule
/// fails the next matching requests, from any client), so with `--jobs` and one `--target`
/// it would fail the transcripts running at the same time. Such a transcript takes the gate
/// alone; every other transcript shares it. Against the embedded endpoint each transcript has an
/// endpoint of its own, and the gate is not needed.
final class SharedTargetGate: @unchecked Sendable {
    // @unchecked: the pthread read-write lock is the synchronisation; it is created in `init` and
    // destroyed in `deinit`.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        // A waiting writer goes first, so that a fault transcript is not held back until every
        // other transcript has finished.
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Tells whether `transcript` changes how the target responds to other clients.
    static func needsTargetAlone(_ transcript: Transcript) -> Bool {
        transcript.preconditions.contains {
            if case .fault = $0 {
                return true
            }
            return false
        }
    }

    /// Runs `body` alone when `exclusive`, otherwise beside other shared runs.
    func run<T>(exclusive: Bool, _ body: () throws(VerifyFailure) -> T) throws(VerifyFailure) -> T {
        if exclusive {
            pthread_rwlock_wrlock(lock)
        } else {
            pthread_rwlock_rdlock(lock)
        }
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
