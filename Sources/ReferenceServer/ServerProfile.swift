/// The behaviour the reference endpoint follows where Front and RFC 7644 differ.
public enum ServerProfile: String, Sendable, CaseIterable {
    /// Front: DELETE blocks the teammate (204, then retrievable with `active: false`), because
    /// Front's Entra integration never deletes a teammate.
    case front
    /// RFC 7644 section 3.6: DELETE removes the resource, and later requests for it get 404.
    case rfc
}

/// A named fault the reference endpoint can be switched into, so that a verifier run can be
/// checked against a known-bad endpoint. Each reproduces a fault that public SCIM servers have
/// shipped and that breaks Entra provisioning or Front's lifecycle.
public enum Deviation: String, Sendable, CaseIterable {
    case hardDelete = "hard-delete"
    case hideBlocked = "hide-blocked"
    case reapplyTemplate = "reapply-template"
    case deletedTeammate500 = "deleted-teammate-500"
    case deletedTeammateDuplicate = "deleted-teammate-duplicate"
    case numericErrorStatus = "numeric-error-status"
    case caseSensitiveUserName = "case-sensitive-username"
    case noMatch404 = "no-match-404"
    case activeAsString = "active-as-string"
    case lowercaseOpOnly = "lowercase-op-only"
    case patchNotAtomic = "patch-not-atomic"
    case deleteUnknown204 = "delete-unknown-204"
    case locationMismatch = "location-mismatch"

    /// One line saying what the endpoint does wrong.
    public var summary: String {
        switch self {
        case .hardDelete:
            "DELETE removes the user even in the front profile, so a deleted teammate is gone instead of blocked"
        case .hideBlocked:
            "blocked users are left out of filter results, so reassignment cannot find them"
        case .reapplyTemplate:
            "PATCH and PUT overwrite the teammate template after creation"
        case .deletedTeammate500:
            "creating a user whose email belongs to a teammate deleted in Front fails with a bare 500"
        case .deletedTeammateDuplicate:
            "creating a user whose email belongs to a teammate deleted in Front succeeds and makes a duplicate"
        case .numericErrorStatus:
            "error bodies carry 'status' as a JSON number instead of a string"
        case .caseSensitiveUserName:
            "the userName filter compares case-sensitively although userName is caseExact false"
        case .noMatch404:
            "a filter that matches nothing returns 404 instead of an empty ListResponse"
        case .activeAsString:
            "'active' is returned as the string \"true\" or \"false\" instead of a JSON boolean"
        case .lowercaseOpOnly:
            "PATCH rejects operations whose 'op' is not lowercase, such as Entra's \"Replace\""
        case .patchNotAtomic:
            "a PATCH that fails keeps the changes of the operations before the failing one"
        case .deleteUnknown204:
            "DELETE of an id that does not exist returns 204 instead of 404"
        case .locationMismatch:
            "the Location header names the collection instead of the resource, so it differs from meta.location"
        }
    }
}
