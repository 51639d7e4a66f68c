import Foundation
import Logging

/// Writing to standard output and standard error, with colour only on a terminal and never
/// when `NO_COLOR` is set.
enum Terminal {
    static let version = "0.1.0"

    static func out(_ text: String) {
        StandardStream.output.write(text + "\n")
    }

    static func error(_ text: String) {
        StandardStream.error.write(text + "\n")
    }

    static var colourEnabled: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    enum Colour: String {
        case red = "31"
        case green = "32"
        case yellow = "33"
    }

    static func paint(_ text: String, _ colour: Colour) -> String {
        colourEnabled ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }
}

/// Exit codes shared by every verb.
enum ExitCode: Int32 {
    case success = 0
    case checkFailed = 1
    case usageOrInput = 2
    case targetUnreachable = 3
}
