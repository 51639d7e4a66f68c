import Foundation
import HTTP
import SCIM
import Transcript

extension TranscriptReplay {
    enum PreconditionResult {
        case applied
        case skip(String)
        case fail(Finding)
    }

    /// Sets the preconditions up through the state hook when one is given, otherwise through the
    /// reference endpoint's admin route.
    func applyPreconditions(_ preconditions: [Precondition]) throws(VerifyFailure) -> PreconditionResult {
        if let hook = settings.stateHook {
            return runStateHook(hook, preconditions: preconditions)
        }
        let summary = preconditions.map(\.summary).joined(separator: "; ")
        guard target.hasAdminRoute else {
            return .skip(
                "the target has no scimtape admin route and no --state-hook was given, so this precondition cannot be set: \(summary)"
            )
        }
        var headers: HTTPHeaders = [("Content-Type", SCIMMediaType.json)]
        if let token = target.token {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        let body: JSONValue = ["preconditions": .array(preconditions.map(\.json))]
        let request = HTTPRequest(
            method: .post, target: "/_scimtape/state", headers: headers, body: body.serializedBytes())
        do {
            let response = secretMask.apply(
                try client.send(
                    request, url: target.origin + "/_scimtape/state",
                    timeout: settings.remainingTime.map { max(0, $0) }))
            guard response.status.code == 200 else {
                return .skip(
                    "the admin route rejected the preconditions with \(response.status.code): \(response.bodyText.prefix(200))"
                )
            }
            let applied = (try? JSONValue.parse(bytes: response.body))?["applied"]?.arrayValue ?? []
            preconditionIds = applied.compactMap { $0["id"]?.stringValue }
            return .applied
        } catch {
            if target.external && error.kind == .connectionFailed {
                throw VerifyFailure.targetUnreachable(
                    "\(file): the target \(target.origin) is unreachable: \(error.message)")
            }
            return .skip("setting the preconditions failed: \(error.message)")
        }
    }

    /// Runs `--state-hook` once per precondition with the precondition as JSON on standard input.
    /// Exit 0 means it is set up; exit 3 means it cannot be, and the transcript is skipped with the
    /// hook's message; anything else fails the transcript. A hook may run for `StateHook.timeout`
    /// seconds, or until the run's time limit if that is sooner.
    private func runStateHook(_ hook: String, preconditions: [Precondition]) -> PreconditionResult {
        for precondition in preconditions {
            let timeLimit = min(StateHook.timeout, settings.remainingTime ?? StateHook.timeout)
            if timeLimit <= 0 {
                return .fail(runLimitFinding("before the state hook could set up \(precondition.summary)"))
            }
            let result = StateHook.run(
                hook, input: precondition.json.serialized(), target: target.baseURL, token: target.token,
                timeLimit: timeLimit)
            // The hook has the token in its environment and may print it, as `curl -v` prints the
            // Authorization header it sends. The output is shortened after masking, so that no
            // part of a secret is left where the cut falls.
            let masked = SecretScan.redactCredentials(inText: secretMask.apply(result.output))
            let hookOutput = String(masked.prefix(StateHook.maximumOutputLength))
            let output = hookOutput.isEmpty ? "" : ": \(hookOutput)"
            switch result.ending {
            case .exited(0):
                continue
            case .exited(3):
                let message = hookOutput.isEmpty ? "no message" : hookOutput
                return .skip("the state hook cannot set up the precondition (\(precondition.summary)): \(message)")
            case .timedOut where settings.isPastDeadline:
                return .fail(
                    runLimitFinding(
                        "while the state hook was setting up \(precondition.summary), so its process group was "
                            + "killed\(output)"))
            case .timedOut:
                return .fail(
                    preconditionFinding(
                        "the state hook timed out after \(Int(StateHook.timeout)) s setting up \(precondition.summary), "
                            + "so its process group was killed\(output)"))
            case .exited(let status):
                return .fail(
                    preconditionFinding(
                        "the state hook failed (exit \(status)) setting up \(precondition.summary)\(output)"))
            case .signalled(let signal):
                return .fail(
                    preconditionFinding(
                        "the state hook was killed by signal \(signal) setting up \(precondition.summary)\(output)"))
            case .notStarted(let reason):
                return .fail(
                    preconditionFinding("the state hook could not start (\(reason)) to set up \(precondition.summary)"))
            }
        }
        return .applied
    }

    private func preconditionFinding(_ message: String) -> Finding {
        Finding(rule: "precondition", exchange: nil, message: message)
    }

    private func runLimitFinding(_ when: String) -> Finding {
        Finding(
            rule: "run-limit", exchange: nil,
            message: "the run's time limit was reached \(when); the transcript is not replayed")
    }
}
