import SCIM

/// A provisioning scenario: an Entra tenant's configuration and directory, Front-side state,
/// and a timeline of events. `scimtape simulate` turns it into the requests Entra would send.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    /// Seeds the random values Entra would generate (the Test Connection userName), so that a
    /// scenario produces the same requests on every run.
    public var seed: UInt64
    public var tenant: Tenant
    public var appRoles: [AppRole]
    public var front: FrontState
    public var users: [DirectoryUser]
    public var timeline: [Event]

    /// An app role; for Front its value is a teammate template id.
    public struct AppRole: Sendable, Equatable {
        public var value: String
        public var displayName: String
    }

    /// Front-side state before provisioning starts.
    public struct FrontState: Sendable {
        /// Emails of teammates deleted in Front.
        public var deletedTeammates: [String] = []
        /// Teammates that exist before provisioning, as User representations.
        public var existingTeammates: [(user: JSONObject, blocked: Bool)] = []

        public var preconditions: [Precondition] {
            deletedTeammates.map { .deletedTeammate(email: $0) }
                + existingTeammates.map { .existingTeammate(user: $0.user, blocked: $0.blocked) }
        }
    }

    /// A user in the Entra directory, with the source attributes mappings read.
    public struct DirectoryUser: Sendable, Equatable {
        /// The name the timeline uses for this user.
        public var key: String
        public var userPrincipalName: String
        public var mail: String?
        public var mailNickname: String
        public var givenName: String?
        public var surname: String?
        public var displayName: String?
        public var jobTitle: String?
        public var department: String?
        public var employeeId: String?
        /// Entra's object id, a GUID.
        public var objectId: String
    }

    /// Something that happens in the tenant; each event is followed by the sync Entra runs for it.
    public enum Event: Sendable, Equatable {
        /// The admin clicks Test Connection.
        case testConnection
        /// The user is assigned to the app, optionally with an app role (a Front template).
        case assign(user: String, role: String?)
        /// Directory attributes change; keys are directory attribute names such as `surname`.
        case update(user: String, changes: [String: String])
        /// The user's assignment is removed.
        case unassign(user: String)
        /// The user is deleted in Entra and sits in the recycle bin.
        case softDelete(user: String)
        /// The soft-deleted user is restored.
        case restore(user: String)
        /// The user is permanently deleted, 30 days after a soft delete.
        case hardDelete(user: String)
        /// The user's app role changes.
        case changeRole(user: String, role: String?)
        /// Not an Entra request: reads the user by id and by filter to show the endpoint's state.
        case probe(user: String)
    }
}

/// Tenant settings that change what Entra sends.
public struct Tenant: Sendable, Equatable {
    /// Whether the tenant URL carries `?aadOptscim062020`, which switches PATCH to RFC-compliant
    /// lowercase ops, JSON booleans and path-less multi-attribute replaces.
    public var aadOptscim062020: Bool
    public var mapping: AttributeMapping
    /// Whether the Delete target object action is on, which lets a hard delete send DELETE.
    public var deleteAction: Bool

    public init(aadOptscim062020: Bool = true, mapping: AttributeMapping = .front, deleteAction: Bool = true) {
        self.aadOptscim062020 = aadOptscim062020
        self.mapping = mapping
        self.deleteAction = deleteAction
    }

    public var dialectName: String {
        aadOptscim062020 ? "aadOptscim062020" : "legacy"
    }
}

/// The attribute mapping of the tenant: Front's recommended mapping, with each of its
/// adjustments switchable so that a misconfigured tenant can be reproduced.
public struct AttributeMapping: Sendable, Equatable {
    /// How the template mapping (`SingleAppRoleAssignment([appRoleAssignments])`) is applied.
    public enum TemplateMapping: String, Sendable {
        /// Not mapped: no template is sent.
        case none
        /// "Only during object creation", as Front's guide says.
        case creationOnly
        /// "Always", the misconfiguration that sends the template in later PATCHes too.
        case always
    }

    /// Adjustment 1: `active` is wrapped in `ToLower()`, so legacy PATCHes send `"false"`, not `"False"`.
    public var toLowerActive: Bool
    /// Adjustment 2: the work email comes from `userPrincipalName` instead of `mail`.
    public var workEmailFromUserPrincipalName: Bool
    /// Adjustment 3: `externalId` (from `mailNickname`) is applied only on object creation.
    public var mailNicknameOnCreateOnly: Bool
    public var template: TemplateMapping

    public static let front = AttributeMapping(
        toLowerActive: true, workEmailFromUserPrincipalName: true, mailNicknameOnCreateOnly: true,
        template: .creationOnly)

    public init(
        toLowerActive: Bool, workEmailFromUserPrincipalName: Bool, mailNicknameOnCreateOnly: Bool,
        template: TemplateMapping
    ) {
        self.toLowerActive = toLowerActive
        self.workEmailFromUserPrincipalName = workEmailFromUserPrincipalName
        self.mailNicknameOnCreateOnly = mailNicknameOnCreateOnly
        self.template = template
    }
}
