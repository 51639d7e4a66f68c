import HTTP

/// Removes credentials from headers before anything is written.
public enum SecretRedaction {
    /// Headers whose values are always replaced.
    public static let secretHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    public static let placeholder = "[redacted]"

    /// Returns the headers with every secret value replaced. An `Authorization` value keeps its
    /// scheme (`Bearer [redacted]`), so a reader still sees how the client authenticated.
    public static func redact(_ headers: HTTPHeaders, extraHeaders: Set<String> = []) -> HTTPHeaders {
        redact(headers, lowercasedNames: secretHeaders.union(extraHeaders.map { $0.lowercased() }))
    }

    /// Returns the headers with the values of `names`, given in lowercase, replaced.
    static func redact(_ headers: HTTPHeaders, lowercasedNames names: Set<String>) -> HTTPHeaders {
        guard headers.fields.contains(where: { names.contains($0.name.lowercased()) }) else {
            return headers
        }
        return HTTPHeaders(
            headers.fields.map { field in
                guard names.contains(field.name.lowercased()) else {
                    return field
                }
                let lowered = field.name.lowercased()
                if lowered == "authorization" || lowered == "proxy-authorization",
                    let space = field.value.firstIndex(of: " ")
                {
                    return HTTPHeaders.Field(name: field.name, value: "\(field.value[..<space]) \(placeholder)")
                }
                return HTTPHeaders.Field(name: field.name, value: placeholder)
            })
    }
}
