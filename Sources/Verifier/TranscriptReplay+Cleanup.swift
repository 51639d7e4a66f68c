import HTTP

extension TranscriptReplay {
    /// Deletes what the replay created on an external target, groups before users. In the front
    /// profile a DELETE only blocks a user, which is as far as Front allows.
    func cleanUp() {
        let ordered = created.filter { $0.collection == "Groups" } + created.filter { $0.collection != "Groups" }
        var failures = 0
        for resource in ordered.reversed() {
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
        var message = "sent DELETE for the \(ordered.count) resources this replay created\(blocked)"
        if failures > 0 {
            message += "; \(failures) of them failed"
        }
        findings.append(Finding(rule: "cleanup", severity: .note, exchange: nil, message: message))
    }
}
