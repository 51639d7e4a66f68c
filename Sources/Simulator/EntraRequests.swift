import HTTP
import SCIM

/// The request targets Entra builds from values, encoded as Entra sends them. A filter is
/// `attribute eq "value"` with the value as a JSON string literal, so quotes and backslashes are
/// escaped, and the query is form-encoded (spaces as `+`). An id is percent-encoded as one path
/// segment, so an id such as `../x` from a hostile endpoint cannot move the request elsewhere.
enum EntraRequests {
    /// `/Users?filter=ATTRIBUTE eq "VALUE"`, as in Microsoft's Get User by query example.
    static func userFilter(_ attribute: String, _ value: String) -> String {
        "/Users?filter=" + RequestTarget.encodeFormValue("\(attribute) eq \(JSONValue.string(value).serialized())")
    }

    static func userPath(_ id: String) -> String {
        "/Users/" + RequestTarget.encodePathSegment(id)
    }

    /// `/Groups?excludedAttributes=members&filter=displayName eq "NAME"`, as in Microsoft's Get
    /// Group by displayName example.
    static func groupFilter(_ displayName: String) -> String {
        "/Groups?excludedAttributes=members&filter="
            + RequestTarget.encodeFormValue("displayName eq \(JSONValue.string(displayName).serialized())")
    }

    /// `/Groups/{id}`, with `?excludedAttributes=members` as in Microsoft's Get Group example.
    static func groupPath(_ id: String, excludingMembers: Bool = false) -> String {
        "/Groups/" + RequestTarget.encodePathSegment(id) + (excludingMembers ? "?excludedAttributes=members" : "")
    }
}
