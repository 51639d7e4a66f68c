import SCIM

/// A transcript that cannot be read, with the file and the JSON path of the fault.
public struct TranscriptError: Error, Sendable, CustomStringConvertible {
    /// The file, as the user named it, when known.
    public var file: String?
    /// Where in the document the fault is.
    public let path: JSONPath
    public let message: String

    public init(file: String? = nil, path: JSONPath, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// The 1-based exchange number when the fault is inside `exchanges`.
    public var exchangeNumber: Int? {
        guard path.components.count >= 2, case .key("exchanges") = path.components[0],
            case .index(let index) = path.components[1]
        else {
            return nil
        }
        return index + 1
    }

    /// `FILE: exchange N: error: PATH: message`, the form the command line prints.
    public var description: String {
        var text = file.map { "\($0): " } ?? ""
        if let exchangeNumber {
            text += "exchange \(exchangeNumber): "
        }
        text += "error: "
        if !path.components.isEmpty {
            text += "\(path.abbreviated): "
        }
        return text + message
    }
}
