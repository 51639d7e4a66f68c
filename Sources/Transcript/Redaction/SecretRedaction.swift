import HTTP

/// Removes credentials from headers before anything is written.
public enum SecretRedaction {
    /// Headers whose values are always replaced.
    public static let secretHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    public static let placeholder = "[redacted]"

    /// Returns the headers with every secret value replaced. An `Authorization` value keeps its
    /// scheme (`Bearer [redacted]`), so a reader still sees how the client authenticated.
    public static func redact(_ headers: HTTPHeaders, extraHeaders: Set<String> = []) -> HTTPHeaders {
        redact(headers, names: HeaderNameSet(secretHeaders.union(extraHeaders)))
    }

    /// Returns the headers with the values of `names` replaced.
    static func redact(_ headers: HTTPHeaders, names: HeaderNameSet) -> HTTPHeaders {
        guard headers.fields.contains(where: { names.contains($0.name) }) else {
            return headers
        }
        return HTTPHeaders(
            headers.fields.map { field in
                guard names.contains(field.name) else {
                    return field
                }
                if HTTPHeaders.namesMatch(field.name, "authorization")
                    || HTTPHeaders.namesMatch(field.name, "proxy-authorization"),
                    let space = field.value.utf8.firstIndex(of: UInt8(ascii: " "))
                {
                    return HTTPHeaders.Field(name: field.name, value: "\(field.value[..<space]) \(placeholder)")
                }
                return HTTPHeaders.Field(name: field.name, value: placeholder)
            })
    }
}
