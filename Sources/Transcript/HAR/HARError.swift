import SCIM

/// A HAR file that cannot be read or converted, with the JSON path of the fault.
public struct HARError: Error, Sendable, CustomStringConvertible {
    public var file: String?
    public let path: JSONPath
    public let message: String

    public init(file: String? = nil, path: JSONPath = .root, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// `FILE: error: PATH: message`.
    public var description: String {
        var text = file.map { "\($0): " } ?? ""
        text += "error: "
        if !path.components.isEmpty {
            text += "\(path.abbreviated): "
        }
        return text + message
    }
}
