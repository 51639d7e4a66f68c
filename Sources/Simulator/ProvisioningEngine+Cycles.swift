import Dispatch
import HTTP
import SCIM
import Transcript

extension ProvisioningEngine {
    /// Test Connection: a query for a random value of the first matching attribute, and with
    /// group provisioning a query for a random group displayName. Only 200 with an empty
    /// ListResponse counts as success.
    func testConnection() throws(HTTPClientError) {
        let attribute = scenario.tenant.matching[0]
        var exchanges = [
            try target.send(
                .get, EntraRequests.userFilter(attribute, random.uuid()), step: "testConnection",
                description: "Test Connection: Entra looks up a random \(attribute) and expects an empty ListResponse")
        ]
        if scenario.tenant.provisionGroups && scenario.tenant.shapes.testConnectionGroups {
            // NOTE: Microsoft documents that Test Connection fetches "a random user and group", but
            // not the group query, so its form is inferred from the Get Group by displayName example.
            exchanges.append(
                try target.send(
                    .get, EntraRequests.groupFilter(random.uuid()), step: "testConnection",
                    description:
                        "Test Connection: Entra looks up a random group displayName and expects an empty ListResponse"))
        }
        for exchange in exchanges where !Self.isEmptyList(exchange) {
            note(
                "Test Connection failed: \(exchange.request.method) \(exchange.request.path) returned "
                    + "\(exchange.response.status); Entra needs 200 with an empty ListResponse")
        }
    }

    static func isEmptyList(_ exchange: Exchange) -> Bool {
        exchange.response.status == 200 && exchange.response.body.json?["totalResults"]?.intValue == 0
    }

    /// Clears the watermark, the retry queue and quarantine. `breakLinks` also drops every cached
    /// target id, as Microsoft Graph's restart with `resetScope` Full does.
    func restart(breakLinks: Bool) {
        job.quarantine = nil
        job.disabled = false
        for key in users.keys {
            users[key]!.failure = nil
            users[key]!.referencePending = false
            if breakLinks {
                users[key]!.anchor = nil
                users[key]!.targetManager = nil
            }
        }
        for key in groups.keys {
            groups[key]!.failure = nil
            if breakLinks {
                groups[key]!.anchor = nil
                groups[key]!.syncedMembers = []
            }
        }
        note(
            breakLinks
                ? "provisioning restarted with resetScope Full: the next cycle matches every object again"
                : "provisioning restarted: the next cycle evaluates every object and keeps the cached target ids")
    }

    /// Runs one cycle: users first, then groups and their members, then manager references, so a
    /// reference is set only after the object it names exists.
    func runCycle(initial: Bool) throws(HTTPClientError) {
        let previous = log.cycles.last { $0.kind != .onDemand }
        if let previous {
            now = max(now, previous.nextCycleAt ?? previous.startedAt + Self.cycleInterval)
        }
        if job.disabled {
            var skipped = ProvisioningLog.Cycle(id: logRandom.uuid(), kind: .incremental, startedAt: now)
            skipped.skipped = true
            log.cycles.append(skipped)
            note("the job spent four weeks in quarantine and is disabled, so no cycle runs until provisioning restarts")
            return
        }
        job.initialPending = false
        try measure(
            ProvisioningLog.Cycle(id: logRandom.uuid(), kind: initial ? .initial : .incremental, startedAt: now)
        ) { () throws(HTTPClientError) in
            let flagged = scenario.tenant.aadOptscim062020
            var processed = Set<String>()
            for user in scenario.users {
                let state = users[user.key]!
                let due =
                    initial ? scopeExit(user.key) == nil || state.anchor != nil : state.dirty || state.failure != nil
                if due {
                    try processUser(user.key, flagged: flagged, onDemand: false)
                    processed.insert(user.key)
                } else {
                    users[user.key]!.dirty = false
                }
            }
            if scenario.tenant.provisionGroups {
                for group in scenario.groups {
                    let state = groups[group.key]!
                    let due =
                        initial ? groupInScope(group.key) || state.anchor != nil : state.dirty || state.failure != nil
                    if due {
                        try processGroup(group.key, flagged: flagged)
                    }
                }
            }
            for user in scenario.users where processed.contains(user.key) || users[user.key]!.referencePending {
                try resolveManager(user.key, flagged: flagged)
            }
        }
        evaluateQuarantine()
    }

    /// Evaluates one user now, as Provision on demand does. It uses the legacy dialect whatever the
    /// tenant URL sets, because "this feature flag currently doesn't work with on-demand
    /// provisioning" (Microsoft's SCIM compatibility page).
    func provisionOnDemand(_ key: String) throws(HTTPClientError) {
        if let previous = log.cycles.last {
            now = max(now, previous.startedAt + 60)
        }
        try measure(ProvisioningLog.Cycle(id: logRandom.uuid(), kind: .onDemand, startedAt: now)) {
            () throws(HTTPClientError) in
            try processUser(key, flagged: false, onDemand: true)
        }
    }

    private func measure(_ started: ProvisioningLog.Cycle, _ body: () throws(HTTPClientError) -> Void)
        throws(HTTPClientError)
    {
        cycle = started
        rejectedRequests = 0
        let clock = DispatchTime.now().uptimeNanoseconds
        defer {
            if var finished = cycle {
                finished.durationInMilliseconds = Int((DispatchTime.now().uptimeNanoseconds - clock) / 1_000_000)
                log.cycles.append(finished)
            }
        }
        try body()
    }

    /// Decides quarantine after a cycle with the rules of `QuarantinePolicy` and schedules the next
    /// cycle. It runs 40 minutes later normally. In quarantine it runs 6, 12 and 24 hours after the
    /// first failure and then every 24 hours, until four weeks disable the job.
    func evaluateQuarantine() {
        guard var finished = log.cycles.popLast() else {
            return
        }
        defer { log.cycles.append(finished) }
        let policy = scenario.tenant.quarantine
        let objectFailures = finished.failures - finished.referenceFailures
        let objectEvents = max(1, finished.events - finished.referenceFailures)
        var reason: String?
        if finished.requests > 0 && rejectedRequests == finished.requests {
            reason = "EncounteredQuarantineException"
        } else if objectFailures >= policy.minimumFailures
            && (Double(objectFailures) / Double(objectEvents) > policy.failureProportion
                || objectFailures > policy.maximumFailures)
        {
            reason = "EncounteredEscrowProportionThreshold"
        } else if finished.failures > policy.absoluteFailures {
            reason = "EncounteredEscrowProportionThreshold"
        }

        if let quarantine = job.quarantine, reason == nil, finished.failures == 0 {
            job.quarantine = nil
            note("the cycle succeeded, so the job leaves quarantine (\(quarantine.reason))")
            return
        }
        if job.quarantine != nil {
            job.quarantine!.retries += 1
        } else if let reason {
            job.quarantine = JobState.Quarantine(reason: reason, since: finished.startedAt)
            note(
                "the job is in quarantine (\(reason)): \(finished.failures) of \(finished.events) events failed in "
                    + "the cycle of \(SCIMDateTime.format(finished.startedAt)); cycles now run 6, 12 and 24 hours "
                    + "after the first failure and then daily")
        } else {
            return
        }
        scheduleRetry(&finished, job.quarantine!)
    }

    private func scheduleRetry(_ finished: inout ProvisioningLog.Cycle, _ quarantine: JobState.Quarantine) {
        let hour: Double = 3600
        let offsets = [6 * hour, 12 * hour, 24 * hour]
        let retries = quarantine.retries
        let offset = retries < offsets.count ? offsets[retries] : Double(retries - 1) * 24 * hour
        finished.quarantine = quarantine.reason
        finished.nextCycleAt = quarantine.since + offset
        if offset > 28 * 24 * hour {
            job.disabled = true
            note("the job stayed in quarantine for four weeks and is disabled")
        }
    }
}
