/// Request shapes that Microsoft's examples leave open. Each default is the simulator's inference,
/// documented with its reason; a scenario can switch it to reproduce another tenant.
public struct RequestShapes: Sendable, Equatable {
    /// Whether Entra reads the user by id before the PATCH that disables it. Microsoft documents
    /// the disable PATCH but not the read; it is inferred from the update flow, which reads first.
    public var readBeforeDisable = true
    /// Whether the flagged dialect folds a single replaced attribute into a path-less `replace`
    /// as it folds several (documented); `false` sends `{"op":"replace","path":...}` instead.
    public var foldSingleReplace = true
    public var manager = ManagerForm.urnString
    public var memberReference = MemberReference.asPublished
    public var groupSchemas = GroupSchemas.published
    /// Whether Test Connection also queries `/Groups` for a random displayName when groups are
    /// provisioned. Microsoft documents that Test Connection fetches "a random user and group", but
    /// not the group query, so its URL is inferred from the Get Group by displayName example.
    public var testConnectionGroups = true
    public var createActive = CreateActive.boolean

    public init() {}

    /// The form of the manager reference.
    public enum ManagerForm: String, Sendable, CaseIterable {
        /// `{"op":"add","path":"urn:...:enterprise:2.0:User:manager","value":"<id>"}`: a bare id on
        /// the extension path, as a live tenant sent it in the flagged dialect (reported at
        /// github.com/Captain-P-Goldfish/SCIM-SDK/issues/686). The legacy dialect's `Add` is inferred.
        case urnString
        /// The same path with `{"value": "<id>"}`, the RFC 7643 section 4.3 form.
        case urnObject
        /// Microsoft's tutorial example: `{"op":"Add","path":"manager","value":[{"$ref":
        /// "<base>/Users/<id>","value":"<id>"}]}`, a path without the extension URN.
        case published
    }

    /// Whether member values carry `"$ref": null`.
    public enum MemberReference: String, Sendable, CaseIterable {
        /// Each operation as its published example: the tutorial's Add Members sends `"$ref": null`,
        /// the compatibility page's legacy removal sends only `value`.
        case asPublished
        /// Always `{"$ref": null, "value": "<id>"}`, as the tutorial's Remove Members example.
        case null
        /// Always `{"value": "<id>"}`.
        case omit
    }

    /// The `schemas` of `POST /Groups`.
    public enum GroupSchemas: String, Sendable, CaseIterable {
        /// The tutorial's Create Group example: the core Group URN and
        /// `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group`.
        case published
        /// Only the core Group URN. Microsoft's compatibility page lists the invalid group schema
        /// URI as fixed in December 2018, so current tenants may send this.
        case core
    }

    /// The form of `active` in `POST /Users`.
    public enum CreateActive: String, Sendable, CaseIterable {
        /// A JSON boolean, as Microsoft's Create User example shows.
        case boolean
        /// The mapping's string (`"True"`, or `"true"` with `ToLower`) in the legacy dialect, as
        /// some tenants are reported to send.
        case mapped
    }
}
