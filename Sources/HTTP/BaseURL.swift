import CCurl

/// A validated http or https base URL, read with libcurl's own URL parser so that what is checked
/// here (such as the host) is what libcurl will connect to.
public struct BaseURL: Sendable, Equatable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    /// The port as written, or `nil` for the scheme's default.
    public let port: Int?
    /// The path without a trailing slash, such as `/scim/v2`; empty for the root.
    public let path: String

    /// The reason a URL cannot be a base URL.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Parses `text`. Credentials, fragments and schemes other than http and https are rejected;
    /// a query string (such as Entra's `?aadOptscim062020` flag) is dropped from the base.
    public init(_ text: String) throws(Invalid) {
        guard let handle = curl_url() else {
            throw Invalid(description: "libcurl could not allocate a URL handle")
        }
        defer { curl_url_cleanup(handle) }
        let flags = UInt32(CURLU_PATH_AS_IS)
        guard curl_url_set(handle, CURLUPART_URL, text, flags) == CURLUE_OK else {
            if !text.contains("://") {
                throw Invalid(
                    description: "'\(text)' has no scheme; start the URL with http:// or https://")
            }
            throw Invalid(description: "'\(text)' is not a valid URL")
        }
        func part(_ component: CURLUPart) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, component, &value, 0) == CURLUE_OK, let value else {
                return nil
            }
            defer { curl_free(value) }
            return String(cString: value)
        }
        let scheme = part(CURLUPART_SCHEME)?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else {
            throw Invalid(description: "'\(text)' is not an http or https URL; start it with http:// or https://")
        }
        guard part(CURLUPART_USER) == nil, part(CURLUPART_PASSWORD) == nil else {
            throw Invalid(
                description: "the URL must not contain credentials; pass the token with --token-file or SCIMTAPE_TOKEN")
        }
        guard part(CURLUPART_FRAGMENT) == nil else {
            throw Invalid(description: "the URL must not contain a fragment ('#...')")
        }
        guard let host = part(CURLUPART_HOST), !host.isEmpty else {
            throw Invalid(description: "'\(text)' has no host")
        }
        var path = part(CURLUPART_PATH) ?? ""
        while path.hasSuffix("/") {
            path.removeLast()
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0 == "." || $0 == ".." }) else {
            throw Invalid(description: "the URL path must not contain '.' or '..' segments")
        }
        self.scheme = scheme
        self.host = host
        self.port = part(CURLUPART_PORT).flatMap { Int($0) }
        self.path = path
    }

    /// `scheme://host[:port]`.
    public var origin: String {
        "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
    }

    /// The base URL without a trailing slash, to which relative request paths are appended.
    public var description: String {
        origin + path
    }

    /// Whether the host is a loopback address: `localhost`, `::1` or an IPv4 literal in 127.0.0.0/8.
    public var isLoopback: Bool {
        let lowered = host.lowercased().trimmingCharacters(in: ["[", "]"])
        if lowered == "localhost" || lowered == "::1" {
            return true
        }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { $0.count <= 3 && UInt8($0) != nil }
    }
}

extension String {
    fileprivate func trimmingCharacters(in characters: Set<Character>) -> String {
        var result = Substring(self)
        while let first = result.first, characters.contains(first) {
            result.removeFirst()
        }
        while let last = result.last, characters.contains(last) {
            result.removeLast()
        }
        return String(result)
    }
}
