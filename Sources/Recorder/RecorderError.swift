/// Why the recording proxy could not start, or could not finish its transcript.
public struct RecorderError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String {
        message
    }
}
