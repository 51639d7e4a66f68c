import Foundation

/// Hosts of the endpoint a transcript was recorded against, each with a neutral name such as
/// `scim.example.invalid`. The `.invalid` top-level domain is reserved by RFC 6761, so the
/// neutral names never resolve. A host is keyed with its port, so `host:8443` and `host` get
/// different names.
public struct HostTable: Sendable {
    /// Lowercased `host[:port]` values in the order first seen.
    private var order: [String] = []
    private var neutralNames: [String: String] = [:]

    /// Every original `host[:port]` (lowercased) with its neutral name, in the order first seen.
    public var entries: [(original: String, pseudonym: String)] {
        order.map { ($0, neutralNames[$0]!) }
    }

    /// Records the host of an absolute `http` or `https` URL and ignores other text.
    mutating func collect(url: String) {
        if let parts = HostTable.split(url) {
            collect(authority: parts.authority)
        }
    }

    /// Records a `Host` header value, `host[:port]`.
    mutating func collect(authority: String) {
        let key = HostTable.hostAndPort(authority).lowercased()
        guard !key.isEmpty, !key.hasSuffix(".invalid"), neutralNames[key] == nil else {
            return
        }
        order.append(key)
        neutralNames[key] = order.count == 1 ? "scim.example.invalid" : "scim\(order.count).example.invalid"
    }

    /// Returns the URL with `scheme://[userinfo@]host[:port]` replaced by `https://` and the
    /// host's neutral name, keeping the path, query and fragment. Returns other text unchanged.
    func replacing(url: String) -> String {
        guard let parts = HostTable.split(url), let neutral = neutralName(for: parts.authority) else {
            return url
        }
        return "https://" + neutral + parts.rest
    }

    /// Returns a `Host` header value with its host replaced, or the value unchanged.
    func replacing(authority: String) -> String {
        neutralName(for: authority) ?? authority
    }

    /// Replaces `http://host` and `https://host` of every collected host inside longer text,
    /// such as an error detail or the notes of an imported transcript.
    func replacingOccurrences(in text: String) -> String {
        guard !order.isEmpty, text.contains("://") else {
            return text
        }
        var result = text
        for key in order {
            for scheme in ["https://", "http://"] {
                result = HostTable.replace(scheme + key, with: "https://" + neutralNames[key]!, in: result)
            }
        }
        return result
    }

    /// Replaces each occurrence of `origin`, ignoring case, that is not followed by another
    /// character of a host or port, so that `http://host` leaves `http://host.other.example` and
    /// `http://host:80` leaves `http://host:8080` alone.
    private static func replace(_ origin: String, with neutral: String, in text: String) -> String {
        var result = ""
        var rest = text[...]
        while let found = rest.range(of: origin, options: .caseInsensitive) {
            let next = rest[found.upperBound...].first
            let continuesHost = next.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" } ?? false
            result += rest[..<found.lowerBound]
            result += continuesHost ? String(rest[found]) : neutral
            rest = rest[found.upperBound...]
        }
        return result + rest
    }

    private func neutralName(for authority: String) -> String? {
        neutralNames[HostTable.hostAndPort(authority).lowercased()]
    }

    /// Splits `scheme://authority/rest` for the `http` and `https` schemes.
    private static func split(_ url: String) -> (authority: String, rest: String)? {
        guard let separator = url.range(of: "://") else {
            return nil
        }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return nil
        }
        let afterScheme = url[separator.upperBound...]
        let end = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        return (String(afterScheme[..<end]), String(afterScheme[end...]))
    }

    /// Drops the `userinfo@` part of an authority, which the neutral URL leaves out.
    private static func hostAndPort(_ authority: String) -> String {
        guard let at = authority.lastIndex(of: "@") else {
            return authority
        }
        return String(authority[authority.index(after: at)...])
    }
}
