import Foundation
import HTTP
import SCIM

/// The injected faults of the admin route, with how many matching requests each has seen.
final class FaultSchedule: @unchecked Sendable {
    // @unchecked: `entries` is only read and written while `lock` is held.
    private let lock = NSLock()
    private var entries: [(fault: InjectedFault, seen: Int)] = []

    func add(_ fault: InjectedFault) {
        lock.lock()
        defer { lock.unlock() }
        entries.append((fault, 0))
    }

    func reset() {
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll()
    }

    /// Counts the request against every fault that covers it and returns the first fault whose
    /// window (`after` passed requests, then `count` failures) contains it.
    func failure(method: String, path: String) -> InjectedFault? {
        lock.lock()
        defer { lock.unlock() }
        var result: InjectedFault?
        for index in entries.indices where entries[index].fault.matches(method: method, path: path) {
            let position = entries[index].seen
            entries[index].seen += 1
            let fault = entries[index].fault
            if result == nil, position >= fault.after, position - fault.after < fault.count {
                result = fault
            }
        }
        return result
    }
}

extension ReferenceEndpoint {
    /// Builds the response for a request an injected fault covers: an RFC 7644 section 3.12 Error
    /// with the fault's status, and `Retry-After` when the fault sets it (RFC 9110 section 10.2.3).
    /// The log line shows the path with each of `secrets` replaced by `[redacted]`.
    func faultResponse(_ fault: InjectedFault, method: String, path: String, redacting secrets: [String])
        -> HTTPResponse
    {
        let detail =
            fault.detail
            ?? "\(method) \(path) failed with \(fault.status) because a fault precondition asks this endpoint to fail it"
        var response = errorResponse(SCIMError(status: fault.status, detail: detail), logged: false)
        if let seconds = fault.retryAfter {
            response.headers.add(name: "Retry-After", value: String(seconds))
        }
        if fault.status == 401 {
            response.headers.add(name: "WWW-Authenticate", value: #"Bearer realm="scimtape""#)
        }
        logger.info(
            "injected fault returned",
            metadata: [
                "http.method": method, "http.path": Self.redacting(secrets, in: path),
                "http.status": String(fault.status),
            ])
        return response
    }
}
