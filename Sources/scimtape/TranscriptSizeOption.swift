import Transcript

/// `--max-transcript-size`, the largest transcript file that the verbs which read transcripts
/// accept. The default keeps a stranger's file from taking gigabytes of memory, and a long
/// recording needs a larger limit.
enum TranscriptSizeOption {
    static let spec = CommandSpec.Option(
        name: "max-transcript-size", valueName: "bytes",
        help:
            "Largest transcript file to read. Reading takes several times the file's size in memory. (default: \(TranscriptFile.maximumFileSize), 64 MiB)"
    )

    /// Returns the limit the arguments give, or the default. An invalid value is printed as a
    /// usage error of `spec`, and the result is then `nil`.
    static func limit(_ arguments: ParsedArguments, spec: CommandSpec) -> Int? {
        do {
            return try limit(arguments)
        } catch {
            _ = usageFailure(error.message, spec: spec)
            return nil
        }
    }

    /// Returns the limit the arguments give, or the default.
    static func limit(_ arguments: ParsedArguments) throws(UsageError) -> Int {
        guard let text = arguments.value("max-transcript-size") else {
            return TranscriptFile.maximumFileSize
        }
        guard let size = Int(text), size > 0 else {
            throw UsageError(message: "--max-transcript-size must be a positive number of bytes, not '\(text)'")
        }
        return size
    }
}
