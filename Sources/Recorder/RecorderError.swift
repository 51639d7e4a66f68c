/// An error that kept the recording proxy from starting or from finishing its transcript.
public struct RecorderError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String {
        message
    }
}
