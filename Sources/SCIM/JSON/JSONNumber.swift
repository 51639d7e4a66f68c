/// A JSON number with the exact text it was written as.
///
/// Two numbers are equal when their values are equal, whatever their spelling: `1`, `1.0` and
/// `1e0` are the same number.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal as it appeared in the document, or the canonical spelling for computed values.
    public let text: String
    public let doubleValue: Double

    public init(_ value: Int) {
        self.text = String(value)
        self.doubleValue = Double(value)
    }

    public init(_ value: Double) {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            self.text = String(Int64(value))
        } else {
            self.text = "\(value)"
        }
        self.doubleValue = value
    }

    /// Creates a number from literal text that the parser has already validated.
    init(validatedText text: String) {
        self.text = text
        self.doubleValue = Double(text) ?? .nan
    }

    /// The value as an `Int` when it is a whole number in range, `nil` otherwise.
    public var intValue: Int? {
        if let exact = Int(text) {
            return exact
        }
        guard doubleValue.isFinite, doubleValue == doubleValue.rounded(),
            doubleValue >= -9.007_199_254_740_992e15, doubleValue <= 9.007_199_254_740_992e15
        else {
            return nil
        }
        return Int(doubleValue)
    }

    public var isInteger: Bool {
        intValue != nil
    }

    public var description: String {
        text
    }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        lhs.doubleValue == rhs.doubleValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(doubleValue)
    }
}
