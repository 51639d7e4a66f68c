import SCIM
import Transcript

/// A failed object action, with the error code Entra's provisioning logs give it.
///
/// Codes come from the error table of Microsoft's "How to analyze the Microsoft Entra
/// provisioning logs" article: `EntryConflict` (409), `TooManyRequests` (429), `Unauthorized`
/// (401), `InsufficientRights` (403), `MethodNotAllowed` (405), `InvalidAnchor` (404 on the cached
/// id), `UnprocessableEntity` (422), `NotImplemented` (501), `InternalServerError` (other 5xx),
/// `DuplicateTargetEntries`, `MandatoryFieldsMissing` and
/// `SystemForCrossDomainIdentityManagementServiceIncompatible` (a query that returned 404).
struct ProvisioningFailure: Error {
    let code: String
    let reason: String
    let recommendedAction: String
    /// The HTTP request and the endpoint's response, for `additionalDetails`.
    let details: String
    /// Whether the failure rejects the credentials, which quarantines a job that gets nothing else.
    var rejectsCredentials = false

    /// Classifies a failed response. `readsAnchor` marks a request by the cached target id, whose
    /// 404 means the object Entra linked to is gone.
    static func from(_ exchange: Exchange, readsAnchor: Bool = false) -> ProvisioningFailure {
        let status = exchange.response.status
        let body = exchange.response.body.json?.objectValue
        let detail = body?.value(matching: "detail")?.stringValue ?? ""
        let details =
            "\(exchange.request.method) \(exchange.request.path) returned \(status)"
            + (detail.isEmpty ? "" : ": \(detail)")
        let (code, reason, action) = classify(status: status, readsAnchor: readsAnchor)
        var failure = ProvisioningFailure(code: code, reason: reason, recommendedAction: action, details: details)
        failure.rejectsCredentials = status == 401 || status == 403
        return failure
    }

    // NOTE: Microsoft's table names no code for some statuses, such as 400, so the simulator logs
    // them as WebExceptionProtocolError, the table's code for an HTTP protocol error.
    private static func classify(status: Int, readsAnchor: Bool) -> (String, String, String) {
        switch status {
        case 404 where readsAnchor:
            return (
                "InvalidAnchor", "The object that Entra created or matched earlier no longer exists in the target.",
                "Make sure the object exists, or restart provisioning with resetScope Full to match every object again."
            )
        case 404:
            return (
                "SystemForCrossDomainIdentityManagementServiceIncompatible",
                "The target answered a query with 404 instead of 200 and a ListResponse.",
                "Return 200 with totalResults 0 when a filter matches nothing (RFC 7644 section 3.4.2)."
            )
        case 409:
            return (
                "EntryConflict", "The target reports a conflict with an existing object.",
                "Fix the conflicting value in Entra or in the target, or match the existing object instead."
            )
        case 429:
            return (
                "TooManyRequests", "The target throttled the request.",
                "Nothing; Entra retries the object in a later cycle."
            )
        case 401:
            return (
                "Unauthorized", "The target rejected the credentials.",
                "Enter a valid secret token under Admin Credentials and test the connection."
            )
        case 403:
            return (
                "InsufficientRights", "The target accepted the credentials but refused the operation.",
                "Give the token the scopes the target needs."
            )
        case 405:
            return (
                "MethodNotAllowed", "The target does not allow this method on this resource.",
                "Check the tenant URL and what the target supports."
            )
        case 422:
            return (
                "UnprocessableEntity", "The target could not process the request.",
                "Check the attribute mapping against what the target accepts."
            )
        case 501:
            return (
                "NotImplemented", "The target does not implement the operation.",
                "Check the attribute mapping against what the target supports."
            )
        case 500...599:
            return (
                "InternalServerError", "The target failed with a server error.",
                "Nothing; Entra retries the object in the next cycle."
            )
        default:
            return (
                "WebExceptionProtocolError", "The target returned HTTP \(status).",
                "Read the target's error detail and fix the value or the mapping it names."
            )
        }
    }

    static func duplicateTargetEntries(_ exchange: Exchange, count: Int) -> ProvisioningFailure {
        ProvisioningFailure(
            code: "DuplicateTargetEntries", reason: "The matching query found \(count) objects instead of one.",
            recommendedAction: "Remove the duplicates from the target or change the matching attributes.",
            details: "\(exchange.request.method) \(exchange.request.path) returned \(count) resources")
    }

    static func mandatoryFieldsMissing(_ attribute: String) -> ProvisioningFailure {
        ProvisioningFailure(
            code: "MandatoryFieldsMissing", reason: "The required attribute \(attribute) has no value.",
            recommendedAction: "Give the user a value for the source of \(attribute).",
            details: "\(attribute) is marked required in the attribute mapping")
    }

    var information: ProvisioningLog.ErrorInformation {
        ProvisioningLog.ErrorInformation(
            errorCode: code, errorCategory: "nonServiceFailure", reason: reason, additionalDetails: details,
            recommendedAction: recommendedAction)
    }
}
