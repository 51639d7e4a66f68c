/// A JSONPath pattern for matchers: `$`, `.name`, `["name"]`, `[3]` and the wildcard `[*]`, which
/// stands for every element of an array.
public struct JSONPathPattern: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
        case anyIndex
    }

    public let components: [Component]
    /// The pattern as written.
    public let text: String

    /// Parses a pattern; returns `nil` with no explanation for anything outside the grammar, so
    /// callers report the text they were given.
    public init?(_ text: String) {
        var scalars = Array(text.unicodeScalars)[...]
        guard scalars.popFirst() == "$" else {
            return nil
        }
        var components: [Component] = []
        while let first = scalars.first {
            if first == "." {
                scalars.removeFirst()
                var name = ""
                while let next = scalars.first, next != ".", next != "[" {
                    name.unicodeScalars.append(next)
                    scalars.removeFirst()
                }
                guard !name.isEmpty else {
                    return nil
                }
                components.append(.key(name))
            } else if first == "[" {
                scalars.removeFirst()
                guard let close = scalars.firstIndex(of: "]") else {
                    return nil
                }
                let inside = String(String.UnicodeScalarView(scalars[scalars.startIndex..<close]))
                scalars = scalars[scalars.index(after: close)...]
                if inside == "*" {
                    components.append(.anyIndex)
                } else if let index = Int(inside), index >= 0 {
                    components.append(.index(index))
                } else if inside.hasPrefix("\""), case .string(let key)? = try? JSONValue.parse(inside) {
                    components.append(.key(key))
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        self.components = components
        self.text = text
    }

    public var description: String {
        text
    }

    /// Returns whether a concrete path matches the pattern. Keys compare without regard to case,
    /// as SCIM attribute names do.
    public func matches(_ path: JSONPath) -> Bool {
        guard path.components.count == components.count else {
            return false
        }
        for (pattern, concrete) in zip(components, path.components) {
            switch (pattern, concrete) {
            case (.anyIndex, .index):
                continue
            case (.index(let expected), .index(let actual)) where expected == actual:
                continue
            case (.key(let expected), .key(let actual)) where expected.equalsIgnoringCase(actual):
                continue
            default:
                return false
            }
        }
        return true
    }

    /// The concrete paths the pattern reaches in `document`, with the value at each, or `nil`
    /// where the last component is missing. A wildcard over a missing or non-array value reaches
    /// nothing.
    public func resolve(in document: JSONValue) -> [(path: JSONPath, value: JSONValue?)] {
        var results: [(JSONPath, JSONValue?)] = [(JSONPath.root, document)]
        for component in components {
            var next: [(JSONPath, JSONValue?)] = []
            for (path, value) in results {
                switch component {
                case .key(let key):
                    let object = value?.objectValue
                    let actualKey = object?.key(matching: key) ?? key
                    next.append((path.appending(key: actualKey), object?[actualKey]))
                case .index(let index):
                    let array = value?.arrayValue
                    next.append(
                        (path.appending(index: index), array.flatMap { $0.indices.contains(index) ? $0[index] : nil }))
                case .anyIndex:
                    for (index, element) in (value?.arrayValue ?? []).enumerated() {
                        next.append((path.appending(index: index), element))
                    }
                }
            }
            results = next
        }
        return results
    }
}
