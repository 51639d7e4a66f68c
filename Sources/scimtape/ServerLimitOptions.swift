/// The limits that `serve` and `record` both put on their clients: `--max-body-size`,
/// `--max-connections` and `--idle-timeout`, read with the same ranges and messages.
struct ServerLimitOptions {
    var maximumBodySize: Int?
    var connectionLimit: Int?
    var connectionTimeout: Int?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        if let text = arguments.value("max-body-size") {
            guard let size = Int(text), size > 0 else {
                throw UsageError(message: "--max-body-size must be a positive number of bytes, not '\(text)'")
            }
            maximumBodySize = size
        }
        if let text = arguments.value("max-connections") {
            guard let count = Int(text), (1...100_000).contains(count) else {
                throw UsageError(message: "--max-connections must be a number from 1 to 100000, not '\(text)'")
            }
            connectionLimit = count
        }
        if let text = arguments.value("idle-timeout") {
            guard let seconds = Int(text), (1...3600).contains(seconds) else {
                throw UsageError(
                    message: "--idle-timeout must be a whole number of seconds from 1 to 3600, not '\(text)'")
            }
            connectionTimeout = seconds
        }
    }
}
