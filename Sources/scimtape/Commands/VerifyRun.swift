import Foundation
import HTTP
import Simulator
import Transcript
import Verifier

/// Runs a verify plan: finds the transcripts, replays them (in parallel with `--jobs`), applies
/// the baseline, prints the results and writes the reports.
final class VerifyRun: @unchecked Sendable {
    // @unchecked: `results`, `printed`, `nextCandidate`, `stop`, `isInterrupted` and `isFinishing`
    // are only touched while `lock` is held. The other stored properties do not change after
    // `init`, except `deadline`, which `execute` sets before any worker starts.
    let plan: VerifyPlan
    private let lock = NSLock()
    private var results: [Int: Result] = [:]
    private var printed = 0
    private var nextCandidate = 0
    private var stop: VerifyFailure?
    /// Set when SIGINT or SIGTERM arrives; workers then take no further transcript.
    private var isInterrupted = false
    /// Set when every transcript has finished and the main thread writes the reports; a signal
    /// that arrives later does not write them again.
    private var isFinishing = false
    private let output: VerifyOutput
    private let gate = SharedTargetGate()
    /// The end of the run with `--run-limit`, set once when `execute` starts.
    private var deadline: DispatchTime?

    enum Result {
        /// A replayed transcript. `rewritten` marks the outcome of the replay that `--update` runs
        /// after rewriting the file, which is the transcript's result in place of the first replay.
        case outcome(TranscriptOutcome, rewritten: Bool = false)
        case unreadable(String)
        case other
    }

    init(plan: VerifyPlan) {
        self.plan = plan
        self.output = VerifyOutput(plan: plan)
    }

    func execute() -> ExitCode {
        let started = Date()
        // One deadline for the whole run: the preflight query and every worker's replays.
        deadline = Verifier.deadline(plan.options)
        let discovery = TranscriptDiscovery.files(in: plan.paths)
        for problem in discovery.problems {
            Terminal.error(DisplayText.line(problem))
        }
        let candidates = shard(discovery.files)
        // SIGINT or SIGTERM, such as a cancelled CI job, still leaves reports of what finished.
        TerminationHandler(signalled: { signal in
            self.interrupted(by: signal, started: started, candidates: candidates, problems: discovery.problems)
        }).waitInBackground()
        if !candidates.isEmpty {
            do throws(VerifyFailure) {
                try Verifier(options: plan.options, deadline: deadline).preflight()
            } catch {
                stop = error
            }
        }
        if stop == nil {
            run(candidates)
        }
        lock.lock()
        let interrupted = isInterrupted
        // From here on a signal leaves the ending to this thread, so that one set of reports is
        // written and the exit code matches it.
        isFinishing = !interrupted
        lock.unlock()
        if interrupted {
            // The signal's handler writes the reports and ends the process.
            Self.waitForExit()
        }
        output.clearProgress()

        var outcomes: [TranscriptOutcome] = []
        var rewritten: [Bool] = []
        var inputErrors = discovery.problems
        var otherFiles = 0
        for index in candidates.indices {
            switch results[index] {
            case .outcome(let outcome, let replayedAfterRewrite)?:
                outcomes.append(outcome)
                rewritten.append(replayedAfterRewrite)
            case .unreadable(let message)?: inputErrors.append(message)
            case .other?, nil: otherFiles += 1
            }
        }
        if let stop {
            return stopped(by: stop, started: started, outcomes: outcomes, inputErrors: inputErrors)
        }
        let (judged, accepted, unused) = applyBaseline(outcomes)
        var report = RunReport(
            tool: "scimtape \(Terminal.version)", profile: plan.options.profile, target: plan.options.target,
            startedAt: started,
            duration: Date().timeIntervalSince(started), outcomes: judged, inputErrors: inputErrors,
            baselined: accepted,
            unusedBaselineEntries: unused)
        // Judged before the baseline, which cannot accept running out of time.
        report.stopReason = runLimitReason(outcomes)
        output.summarize(report, otherFiles: otherFiles)
        let noTranscripts = "no transcripts found in \(plan.paths.joined(separator: ", "))"
        if judged.isEmpty && inputErrors.isEmpty {
            // The run exits 2 below, so the reports list the reason as an input error and do not pass.
            report.inputErrors.append("error: \(noTranscripts)")
        }
        if let failure = output.writeReports(report) {
            Terminal.error("Error: \(failure)")
            return .usageOrInput
        }
        if let path = plan.writeBaselinePath {
            let baseline = Baseline.accepting(judged, reason: Baseline.placeholderReason)
            do {
                try Data(baseline.json.serializedBytes(.pretty) + [0x0A]).write(
                    to: URL(fileURLWithPath: path), options: .atomic)
                Terminal.out("wrote \(path) with \(baseline.entries.count) entries")
            } catch {
                Terminal.error("Error: cannot write \(path): \(error.localizedDescription)")
                return .usageOrInput
            }
        }

        if !inputErrors.isEmpty {
            return .usageOrInput
        }
        if judged.isEmpty {
            Terminal.error("Error: \(noTranscripts)")
            return .usageOrInput
        }
        if let reason = report.stopReason {
            Terminal.error("Error: \(reason)")
            Terminal.error(
                "  Raise --run-limit, or split the transcripts over several runs with --shard k/n.")
            return .checkFailed
        }
        if plan.update {
            let blocked = judged.contains { $0.errors.contains { !Self.updatableRules.contains($0.rule) } }
            // A rewritten transcript is judged by its replay after the rewrite, as a plain verify
            // run would judge it, so a status or body difference there fails the run too.
            let rewriteFailed = zip(judged, rewritten).contains { outcome, replayedAfterRewrite in
                guard replayedAfterRewrite else {
                    return false
                }
                switch outcome.status {
                case .passed: return false
                case .failed: return true
                case .skipped: return plan.failOnSkip
                case .notRun: return true
                }
            }
            return blocked || rewriteFailed ? .checkFailed : .success
        }
        if report.failed > 0 || (plan.failOnSkip && report.skipped > 0) {
            return .checkFailed
        }
        return .success
    }

    /// The findings that `--update` resolves by writing the target's responses as the new
    /// expectations. Any other finding (a contract rule, an exchange that could not be sent, a
    /// failed precondition) means the replay is not a record worth keeping.
    static let updatableRules: Set<String> = ["status", "body"]

    /// Returns why the run stopped early when the run limit kept any transcript from running in
    /// full, or `nil` when every transcript ran in full.
    private func runLimitReason(_ outcomes: [TranscriptOutcome]) -> String? {
        let cut = outcomes.filter(\.reachedRunLimit)
        guard !cut.isEmpty, let limit = plan.options.runTimeLimit else {
            return nil
        }
        let notStarted = cut.filter {
            if case .notRun = $0.status {
                return true
            }
            return false
        }.count
        let seconds = limit == limit.rounded() ? String(Int(limit)) : String(limit)
        var reason =
            "the run limit of \(seconds) s was reached after \(outcomes.count - cut.count) of "
            + "\(counted(outcomes.count, "transcript")) ran in full"
        var parts: [String] = []
        if notStarted > 0 {
            parts.append("\(notStarted) did not start")
        }
        if cut.count > notStarted {
            parts.append("\(cut.count - notStarted) \(cut.count - notStarted == 1 ? "was" : "were") cut short")
        }
        reason += "; " + parts.joined(separator: " and ")
        return reason
    }

    /// Ends a run that could not go on (a rejected token, an unreachable target). The reports are
    /// still written, with the reason as an error, so that a CI job that uploads them shows why.
    private func stopped(
        by failure: VerifyFailure, started: Date, outcomes: [TranscriptOutcome], inputErrors: [String]
    ) -> ExitCode {
        var report = RunReport(
            tool: "scimtape \(Terminal.version)", profile: plan.options.profile, target: plan.options.target,
            startedAt: started, duration: Date().timeIntervalSince(started), outcomes: outcomes,
            inputErrors: inputErrors)
        report.stopReason = failure.description
        if let problem = output.writeReports(report) {
            Terminal.error("Error: \(problem)")
        }
        Terminal.error("Error: \(DisplayText.line(failure.description))")
        switch failure {
        case .targetUnreachable:
            Terminal.error(
                "  Check that the endpoint is running and that --target is its SCIM base URL, such as http://127.0.0.1:8080/scim/v2."
            )
            return .targetUnreachable
        case .tlsFailed:
            Terminal.error("  \(TargetConnectionOptions.tlsAdvice(insecure: plan.options.client.insecure))")
            return .targetUnreachable
        case .usage:
            return .usageOrInput
        }
    }

    /// Ends a run that SIGINT or SIGTERM interrupts: stops the running state hooks, writes the
    /// reports of the transcripts that finished, with the signal as the reason the run stopped,
    /// and returns the exit status 128 plus the signal's number.
    private func interrupted(
        by signal: Int32, started: Date, candidates: [TranscriptDiscovery.Candidate], problems: [String]
    ) -> Int32 {
        lock.lock()
        guard !isFinishing else {
            lock.unlock()
            // The main thread is writing the reports of the finished run and then exits.
            Self.waitForExit()
        }
        let finished = results
        isInterrupted = true
        lock.unlock()
        StateHook.killRunning()
        var outcomes: [TranscriptOutcome] = []
        var inputErrors = problems
        for index in candidates.indices {
            switch finished[index] {
            case .outcome(let outcome, _)?: outcomes.append(outcome)
            case .unreadable(let message)?: inputErrors.append(message)
            case .other?, nil: break
            }
        }
        var name = "signal \(signal)"
        if signal == SIGINT {
            name = "SIGINT"
        } else if signal == SIGTERM {
            name = "SIGTERM"
        }
        // The baseline judges the finished transcripts as it does in a run that ends normally.
        let (judged, accepted, _) = applyBaseline(outcomes)
        var report = RunReport(
            tool: "scimtape \(Terminal.version)", profile: plan.options.profile, target: plan.options.target,
            startedAt: started, duration: Date().timeIntervalSince(started), outcomes: judged,
            inputErrors: inputErrors, baselined: accepted)
        report.stopReason =
            "interrupted by \(name) after \(counted(judged.count, "transcript")) finished; the rest did not run or "
            + "were cut off, and resources they created on the target may remain"
        output.clearProgress()
        if let problem = output.writeReports(report) {
            Terminal.error("Error: \(problem)")
        }
        Terminal.error("Error: \(report.stopReason ?? name)")
        return 128 + signal
    }

    /// Blocks the calling thread until another thread ends the process.
    private static func waitForExit() -> Never {
        while true {
            sleep(60)
        }
    }

    /// Keeps the candidates of this shard: sorted by path, every n-th starting at the k-th.
    private func shard(_ files: [TranscriptDiscovery.Candidate]) -> [TranscriptDiscovery.Candidate] {
        guard let shard = plan.shard else {
            return files
        }
        let sorted = files.sorted { $0.path < $1.path }
        return sorted.enumerated().filter { $0.offset % shard.count == shard.index - 1 }.map(\.element)
    }

    /// Replays the candidates with `plan.jobs` workers, printing results in file order.
    private func run(_ candidates: [TranscriptDiscovery.Candidate]) {
        let workers = max(1, min(plan.jobs, candidates.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let verifier = Verifier(options: plan.options, deadline: deadline)
            while true {
                lock.lock()
                guard stop == nil, !isInterrupted, nextCandidate < candidates.count else {
                    lock.unlock()
                    return
                }
                let index = nextCandidate
                nextCandidate += 1
                lock.unlock()
                let result = verify(candidates[index], verifier: verifier)
                finish(index, result, total: candidates.count)
            }
        }
    }

    private func verify(_ candidate: TranscriptDiscovery.Candidate, verifier: Verifier) -> Result {
        let content: TranscriptFile.Content
        do {
            content = try TranscriptFile.read(path: candidate.path, maximumSize: plan.maximumTranscriptSize)
        } catch {
            return .unreadable(error.description)
        }
        guard case .transcript(let transcript) = content else {
            if case .otherJSON(let reason) = content, candidate.named {
                // A file named on the command line was meant to be a transcript.
                if reason == "its format is \(Scenario.formatName)" {
                    return .unreadable(
                        "\(candidate.path): error: not a transcript but a scenario; run 'scimtape simulate "
                            + "\(candidate.path) --out FILE' to make a transcript from it, then verify that")
                }
                return .unreadable(
                    "\(candidate.path): error: not a transcript: \(reason); a transcript has \"format\": \"\(Transcript.formatName)\""
                )
            }
            return .other
        }
        if verifier.isPastDeadline {
            return .outcome(Verifier.notRunOutcome(transcript, file: candidate.path))
        }
        do throws(VerifyFailure) {
            let outcome = try replay(transcript, path: candidate.path, verifier: verifier)
            if plan.update {
                let blocking = outcome.errors.filter { !Self.updatableRules.contains($0.rule) }
                if blocking.isEmpty {
                    if output.update(transcript, path: candidate.path, outcome: outcome) {
                        return try replayRewritten(path: candidate.path, verifier: verifier)
                    }
                } else {
                    let rules = Set(blocking.map(\.rule)).sorted().joined(separator: ", ")
                    Terminal.out(
                        "\(DisplayText.line(candidate.path)): not updated: the replay has findings that new expectations cannot fix "
                            + "(\(rules)); fix the target or the transcript first")
                }
            }
            return .outcome(outcome)
        } catch {
            lock.lock()
            stop = stop ?? error
            lock.unlock()
            return .other
        }
    }

    /// Replays one transcript, alone when it changes how a shared target responds to other clients.
    private func replay(_ transcript: Transcript, path: String, verifier: Verifier) throws(VerifyFailure)
        -> TranscriptOutcome
    {
        let exclusive = plan.options.target != nil && SharedTargetGate.needsTargetAlone(transcript)
        return try gate.run(exclusive: exclusive) { () throws(VerifyFailure) in
            try verifier.verify(transcript, file: path)
        }
    }

    /// Reads back a transcript that `--update` has just rewritten and replays it once more, as the
    /// first replay ran: against the same target, or a fresh embedded endpoint, with the same
    /// profile and isolation. Its outcome is the transcript's result.
    private func replayRewritten(path: String, verifier: Verifier) throws(VerifyFailure) -> Result {
        let content: TranscriptFile.Content
        do {
            content = try TranscriptFile.read(path: path, maximumSize: plan.maximumTranscriptSize)
        } catch {
            return .unreadable(error.description)
        }
        guard case .transcript(let rewritten) = content else {
            return .unreadable("\(path): error: the rewritten file cannot be read back as a transcript")
        }
        return .outcome(try replay(rewritten, path: path, verifier: verifier), rewritten: true)
    }

    /// Stores a result and prints every result that is next in file order.
    private func finish(_ index: Int, _ result: Result, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        // A transcript that the signal cut off (its state hook killed, say) is not printed as a result.
        guard !isInterrupted else {
            return
        }
        results[index] = result
        while let ready = results[printed] {
            switch ready {
            case .outcome(let outcome, let rewritten):
                // Printed as the baseline judges it; the entries it uses are counted after the run.
                var scratch = Set<Int>()
                let (judged, accepted) = judge(outcome, used: &scratch)
                if rewritten {
                    output.printReplayAfterRewrite(judged)
                }
                output.print(judged, accepted: accepted)
            case .unreadable(let message): Terminal.error(DisplayText.line(message))
            case .other: break
            }
            printed += 1
        }
        output.progress(done: results.count, total: total)
    }

    private func applyBaseline(_ outcomes: [TranscriptOutcome]) -> (
        [TranscriptOutcome], [String: [Finding]], [BaselineEntry]
    ) {
        guard plan.baseline != nil else {
            return (outcomes, [:], [])
        }
        var used = Set<Int>()
        var accepted: [String: [Finding]] = [:]
        var judged: [TranscriptOutcome] = []
        for outcome in outcomes {
            let (outcome, baselined) = judge(outcome, used: &used)
            accepted[outcome.file] = baselined
            judged.append(outcome)
        }
        // An entry for a transcript that did not run (another shard's, or a path not given) is
        // not stale: this run could not have seen its finding.
        let ran = Set(
            outcomes.filter {
                switch $0.status {
                case .passed, .failed: true
                case .skipped, .notRun: false
                }
            }.map(\.name))
        let unused = (plan.baseline?.entries ?? []).enumerated().filter {
            !used.contains($0.offset) && ran.contains($0.element.transcript)
        }.map(\.element)
        return (judged, accepted, unused)
    }

    /// Removes the findings the baseline accepts from `outcome`, and passes it when no error is left.
    private func judge(_ outcome: TranscriptOutcome, used: inout Set<Int>) -> (TranscriptOutcome, [Finding]) {
        guard let baseline = plan.baseline else {
            return (outcome, [])
        }
        let (baselined, remaining) = baseline.partition(outcome.findings, transcript: outcome.name, used: &used)
        var status = outcome.status
        if status == .failed && !remaining.contains(where: { $0.severity == .error }) {
            status = .passed
        }
        let judged = TranscriptOutcome(
            file: outcome.file, name: outcome.name, status: status, findings: remaining,
            exchangeCount: outcome.exchangeCount,
            duration: outcome.duration, exchanges: outcome.exchanges, baseURL: outcome.baseURL,
            learned: outcome.learned)
        return (judged, baselined)
    }
}
