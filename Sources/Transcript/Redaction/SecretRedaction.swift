import HTTP

/// Removes credentials from headers before anything is written.
public enum SecretRedaction {
    /// Headers whose values are always replaced.
    public static let secretHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    public static let placeholder = "[redacted]"

    /// Returns whether a header with this name carries a credential: the fields HTTP defines for
    /// them, and names that contain a credential word (`X-Api-Key`, `X-Auth-Token`, `X-Session-Id`).
    /// `verify` and `simulate` use it for the headers given with `--header`.
    public static func namesCredential(_ headerName: String) -> Bool {
        let lowered = headerName.lowercased()
        if secretHeaders.contains(lowered) {
            return true
        }
        return ["token", "secret", "key", "password", "auth", "session", "cookie", "credential"].contains {
            lowered.contains($0)
        }
    }

    /// Returns the headers with every secret value replaced. An `Authorization` value keeps its
    /// scheme (`Bearer [redacted]`), so a reader still sees how the client authenticated.
    public static func redact(_ headers: HTTPHeaders, extraHeaders: Set<String> = []) -> HTTPHeaders {
        redact(headers, names: HeaderNameSet(secretHeaders.union(extraHeaders)))
    }

    /// Authentication schemes kept in front of a redacted credential, in lowercase: those of
    /// IANA's HTTP Authentication Scheme Registry (its 2025-02-18 update) and a few common
    /// unregistered ones.
    static let knownSchemes: Set<String> = [
        "basic", "bearer", "concealed", "digest", "dpop", "gnap", "hoba", "mutual", "negotiate", "oauth",
        "privatetoken", "scram-sha-1", "scram-sha-256", "vapid", "ntlm", "aws4-hmac-sha256", "token", "sharedkey",
    ]

    /// Returns the scheme that starts a credentials value when it is a known one followed by a
    /// space or a tab. Anything else in front of the credential, such as a token the upstream
    /// echoes without a scheme, is not kept.
    static func knownScheme(of value: String) -> Substring? {
        guard let end = value.utf8.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) else {
            return nil
        }
        let scheme = value[..<end]
        return knownSchemes.contains(scheme.lowercased()) ? scheme : nil
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
                    let scheme = knownScheme(of: field.value)
                {
                    return HTTPHeaders.Field(name: field.name, value: "\(scheme) \(placeholder)")
                }
                return HTTPHeaders.Field(name: field.name, value: placeholder)
            })
    }
}
