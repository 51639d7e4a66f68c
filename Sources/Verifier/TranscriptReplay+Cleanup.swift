import HTTP

extension TranscriptReplay {
    /// Deletes what the replay created on an external target, groups before users. In the front
    /// profile a DELETE only blocks a user, which is as far as Front allows.
    func cleanUp() {
        let ordered = created.filter { $0.collection == "Groups" } + created.filter { $0.collection != "Groups" }
        var failures = 0
        var unsent = 0
        for resource in ordered.reversed() {
            if settings.isPastDeadline {
                unsent += 1
                continue
            }
            let request = HTTPRequest(
                method: .delete, target: "/\(resource.collection)/" + RequestTarget.encodePathSegment(resource.id),
                headers: authorized([]))
            let status = (try? send(request, number: nil))?.status.code ?? 0
            if status != 204 && status != 200 && status != 404 {
                failures += 1
            }
        }
        guard !ordered.isEmpty else {
            return
        }
        let blocked = profile == .front ? " (users are blocked, not removed, as Front does)" : ""
        let resources = ordered.count == 1 ? "the resource" : "the \(ordered.count) resources"
        var message = "sent DELETE for \(resources) this replay created\(blocked)"
        if failures > 0 {
            message += "; \(failures) of them failed"
        }
        if unsent > 0 {
            message =
                "the run's time limit was reached, so \(unsent) of the \(ordered.count) resources this replay created "
                + "were not deleted"
            message += failures > 0 ? " and \(failures) DELETE requests failed" : ""
        }
        // A cleanup that the run's time limit cut short fails the run, through its `run-limit` rule.
        let rule = unsent > 0 ? "run-limit" : "cleanup"
        findings.append(Finding(rule: rule, severity: .note, exchange: nil, message: message))
    }
}
