import HTTP
import SCIM

/// A `curl` command that sends an exchange's request again, with the token left to the shell.
public enum Reproducer {
    /// The command for a replayed exchange, or `nil` when it was not sent or went to an endpoint
    /// that is gone (the embedded one, `baseURL` `nil`): its port and ids no longer exist.
    public static func curl(_ exchange: ReplayedExchange, baseURL: String?) -> String? {
        guard let request = exchange.request, let baseURL else {
            return nil
        }
        var parts = [
            "curl", "-sS", "-X", request.method.rawValue, quote(baseURL + request.target),
        ]
        for field in request.headers {
            if field.name.lowercased() == "authorization" {
                // The token is never printed: the shell expands it from the environment.
                parts += ["-H", "\"Authorization: Bearer ${SCIMTAPE_TOKEN}\""]
            } else if SecretMask.isSecretHeader(field.name) {
                // A credential from --header: the reader puts it back from wherever it is kept.
                parts += ["-H", quote("\(field.name): [redacted]")]
            } else {
                parts += ["-H", quote("\(field.name): \(field.value)")]
            }
        }
        if !request.body.isEmpty {
            parts += ["--data-raw", quote(String(decoding: request.body, as: UTF8.self))]
        }
        return parts.joined(separator: " ")
    }

    /// Single-quotes a word for POSIX shells.
    static func quote(_ text: String) -> String {
        "'" + text.replacingAll("'", with: "'\\''") + "'"
    }
}
