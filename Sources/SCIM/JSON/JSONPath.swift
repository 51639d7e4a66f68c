/// A location inside a JSON document, rendered in JSONPath notation (`$.Resources[0].active`).
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public private(set) var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    public static let root = JSONPath()

    public func appending(key: String) -> JSONPath {
        JSONPath(components + [.key(key)])
    }

    public func appending(index: Int) -> JSONPath {
        JSONPath(components + [.index(index)])
    }

    public func appending(_ other: JSONPath) -> JSONPath {
        JSONPath(components + other.components)
    }

    public mutating func append(_ component: Component) {
        components.append(component)
    }

    public mutating func removeLast() {
        components.removeLast()
    }

    /// The path for messages: paths deeper than 16 levels show their first 8 and last 4
    /// components around an ellipsis, so hostile nesting cannot flood a report.
    public var abbreviated: String {
        guard components.count > 16 else {
            return description
        }
        let head = JSONPath(Array(components.prefix(8))).description
        let tail = JSONPath(Array(components.suffix(4))).description.dropFirst()
        return "\(head)…(\(components.count - 12) levels)…\(tail)"
    }

    public var description: String {
        var text = "$"
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                if JSONPath.isPlainName(key) {
                    text += "." + key
                } else {
                    text += "[" + JSONValue.string(key).serialized() + "]"
                }
            }
        }
        return text
    }

    private static func isPlainName(_ key: String) -> Bool {
        guard let first = key.utf8.first,
            first == UInt8(ascii: "_") || first == UInt8(ascii: "$") || first.isASCIILetter
        else {
            return false
        }
        return key.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte.isASCIILetter || byte.isASCIIDigit
        }
    }
}

extension JSONValue {
    /// Returns the value at `path`, or `nil` when a key or index along it is missing.
    public func value(at path: JSONPath) -> JSONValue? {
        var current = self
        for component in path.components {
            switch (component, current) {
            case (.key(let key), .object(let object)):
                guard let next = object[key] else {
                    return nil
                }
                current = next
            case (.index(let index), .array(let array)):
                guard array.indices.contains(index) else {
                    return nil
                }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }
}
