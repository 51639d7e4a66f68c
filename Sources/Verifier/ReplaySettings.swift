import Foundation
import HTTP
import ReferenceServer

/// The endpoint one transcript is replayed against.
struct ReplayTarget {
    let base: BaseURL
    let token: String?
    /// Whether preconditions can be set through `/_scimtape/state` under `origin`.
    let hasAdminRoute: Bool
    let isolate: Bool
    /// Whether a refused connection means the whole run must stop with exit 3; also whether the
    /// resources the replay creates are cleaned up afterwards.
    let external: Bool

    var baseURL: String {
        base.description
    }

    var origin: String {
        base.origin
    }
}

/// How a replay behaves, from the run's options.
struct ReplaySettings {
    let profile: VerificationProfile
    let bootstrap: Bool
    let cleanup: Bool
    let derive: Bool
    let stateHook: String?
    /// Headers added to every request, from `--header`.
    let extraHeaders: HTTPHeaders
    let retries: RetryPolicy
    /// When the run must stop sending; `nil` for no limit.
    let deadline: DispatchTime?

    /// Seconds left before `deadline`, at most 0 once it has passed; `nil` without a limit.
    var remainingTime: Double? {
        deadline.map(RunDeadline.remainingSeconds)
    }

    var isPastDeadline: Bool {
        remainingTime.map { $0 <= 0 } ?? false
    }
}

/// The end of a run with `--run-limit`.
enum RunDeadline {
    /// Seconds from now until `deadline`, negative once it has passed.
    static func remainingSeconds(_ deadline: DispatchTime) -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        let end = deadline.uptimeNanoseconds
        return end >= now ? Double(end - now) / 1e9 : -Double(now - end) / 1e9
    }

    /// Returns the error of a request that the run's time limit cut short or did not let start.
    static func error(_ request: HTTPRequest) -> HTTPClientError {
        HTTPClientError(
            kind: .timedOut, message: "\(request.method.rawValue) \(request.target): the run's time limit was reached")
    }
}

/// How 429 Too Many Requests is retried.
public struct RetryPolicy: Sendable {
    /// Retries of one request before its 429 is judged like any other answer.
    public var maximumRetries: Int
    /// Longest wait honoured from `Retry-After`, in seconds; longer waits are cut to this.
    public var maximumDelay: Double
    /// Wait when a 429 has no usable `Retry-After`, in seconds.
    public var defaultDelay: Double

    public init(maximumRetries: Int = 3, maximumDelay: Double = 30, defaultDelay: Double = 1) {
        self.maximumRetries = maximumRetries
        self.maximumDelay = maximumDelay
        self.defaultDelay = defaultDelay
    }

    /// The wait for a `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
    func delay(retryAfter value: String?) -> Double {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return defaultDelay
        }
        if let seconds = Double(value), seconds.isFinite, seconds >= 0 {
            return min(seconds, maximumDelay)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: value) {
            return min(max(0, date.timeIntervalSinceNow), maximumDelay)
        }
        return defaultDelay
    }
}
