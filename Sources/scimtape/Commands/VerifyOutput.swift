import Foundation
import Logging
import Transcript
import Verifier

/// What verify prints and writes.
struct VerifyOutput: Sendable {
    let plan: VerifyPlan

    private var showsProgress: Bool {
        !plan.quiet && isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    func progress(done: Int, total: Int) {
        guard showsProgress else {
            return
        }
        StandardStream.error.write("\r\u{1B}[2K[\(done)/\(total)] verifying")
    }

    func clearProgress() {
        guard showsProgress else {
            return
        }
        StandardStream.error.write("\r\u{1B}[2K")
    }

    /// Prints one result. Paths, messages and reasons carry text from transcripts and endpoints,
    /// so each is printed with its control characters escaped by `DisplayText.line`.
    func print(_ outcome: TranscriptOutcome, accepted: [Finding]) {
        if showsProgress {
            clearProgress()
        }
        let file = DisplayText.line(outcome.file)
        switch outcome.status {
        case .passed:
            if !plan.quiet {
                Terminal.out(
                    "\(Terminal.paint("PASS", .green)) \(file) (\(counted(outcome.exchangeCount, "exchange")))")
            }
        case .failed:
            Terminal.out(
                "\(Terminal.paint("FAIL", .red)) \(file) (\(counted(outcome.exchangeCount, "exchange")), "
                    + "\(counted(outcome.errors.count, "finding")))")
        case .skipped(let reason):
            Terminal.out("\(Terminal.paint("SKIP", .yellow)) \(file): \(DisplayText.line(reason))")
        case .notRun(let reason):
            Terminal.out("\(Terminal.paint("NOT RUN", .red)) \(file): \(DisplayText.line(reason))")
        }
        if !accepted.isEmpty {
            Terminal.out("\(file): \(counted(accepted.count, "finding")) accepted by the baseline")
        }
        var reproduced = Set<Int>()
        for finding in outcome.findings where finding.severity != .note || plan.verbose {
            for line in finding.lines(file: outcome.file) {
                Terminal.out(DisplayText.line(line))
            }
            guard finding.severity == .error, let number = finding.exchange, reproduced.insert(number).inserted,
                let exchange = outcome.exchanges.first(where: { $0.number == number }),
                let command = Reproducer.curl(exchange, baseURL: outcome.baseURL)
            else {
                continue
            }
            Terminal.out("  reproduce: \(DisplayText.line(command))")
        }
    }

    func summarize(_ report: RunReport, otherFiles: Int) {
        for entry in report.unusedBaselineEntries {
            Terminal.out("baseline: this entry no longer occurs and can be removed: \(DisplayText.line(entry.summary))")
        }
        var summary =
            "\(counted(report.outcomes.count, "transcript")): \(report.passed) passed, \(report.failed) failed, \(report.skipped) skipped"
        if report.notRun > 0 {
            summary += ", \(report.notRun) not run"
        }
        if report.notObservable > 0 {
            summary += ", \(counted(report.notObservable, "check")) not observable"
        }
        if !report.inputErrors.isEmpty {
            summary += ", \(report.inputErrors.count) unreadable"
        }
        summary += " (\(counted(report.exchangeCount, "exchange")), profile \(report.profile.rawValue), "
        summary += report.target.map { "target \(DisplayText.line($0))" } ?? "embedded endpoint"
        summary += ") in \(String(format: "%.2f", report.duration)) s"
        if otherFiles > 0 {
            summary += "; \(counted(otherFiles, "other JSON file")) skipped"
        }
        if let shard = plan.shard {
            summary += "; shard \(shard.index)/\(shard.count)"
        }
        Terminal.out(summary)
        if report.failed > 0 && report.target == nil {
            Terminal.out(
                "To reproduce a failure with curl, start `scimtape serve` with the same --profile and --deviation "
                    + "options and verify against it with --target; failing exchanges then get a `reproduce:` line.")
        }
    }

    /// Writes the requested reports; returns what failed, if anything.
    func writeReports(_ report: RunReport) -> String? {
        // Each report is built only when its file was requested.
        let writes: [(String?, () -> String)] = [
            (plan.jsonPath, { report.jsonText + "\n" }),
            (plan.junitPath, { JUnitReport.xml(report) }),
            (plan.markdownPath, { MarkdownReport.markdown(report) }),
        ]
        for case (let path?, let text) in writes {
            do {
                try Data(text().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                return "cannot write \(path): \(error.localizedDescription)"
            }
        }
        if let summaryPath = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summaryPath.isEmpty {
            // GitHub Actions creates the file; elsewhere it may not exist yet. A failure to create
            // it shows up as the error of opening it below.
            if !FileManager.default.fileExists(atPath: summaryPath) {
                _ = FileManager.default.createFile(atPath: summaryPath, contents: nil)
            }
            do {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: summaryPath))
                defer { try? handle.close() }
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(MarkdownReport.markdown(report).utf8))
            } catch {
                return "cannot append to GITHUB_STEP_SUMMARY (\(summaryPath)): \(error.localizedDescription)"
            }
        }
        return nil
    }

    /// Rewrites a transcript from its replay and prints what changed (`--update`). Returns
    /// whether the file was rewritten.
    func update(_ transcript: Transcript, path: String, outcome: TranscriptOutcome) -> Bool {
        let (updated, changes) = TranscriptUpdater.update(transcript, from: outcome, profile: plan.options.profile)
        guard !changes.isEmpty else {
            Terminal.out("\(DisplayText.line(path)): expectations unchanged")
            return false
        }
        do {
            try TranscriptFile.write(updated, to: path)
        } catch {
            Terminal.error("Error: cannot write \(DisplayText.line(path)): \(error.localizedDescription)")
            return false
        }
        Terminal.out("\(DisplayText.line(path)): updated \(counted(changes.count, "expectation"))")
        for change in changes {
            Terminal.out("  \(DisplayText.line("\(change)"))")
        }
        return true
    }

    /// Prints the result of the replay that `--update` runs after rewriting a transcript.
    func printReplayAfterRewrite(_ outcome: TranscriptOutcome) {
        if showsProgress {
            clearProgress()
        }
        let replayed = "replayed the rewritten transcript once more"
        let result =
            switch outcome.status {
            case .passed:
                "\(replayed), and it passed"
            case .failed:
                "\(replayed), and it failed with \(counted(outcome.errors.count, "finding")); the file keeps the "
                    + "rewritten expectations"
            case .skipped:
                "\(replayed), and it was skipped"
            case .notRun:
                "rewrote the transcript, but the run's time limit was reached before it could be replayed once more"
            }
        Terminal.out("\(DisplayText.line(outcome.file)): \(result)")
    }
}
