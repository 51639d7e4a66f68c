import SCIM

/// A provisioning scenario: an Entra tenant's configuration and directory, Front-side state,
/// and a timeline of events. `scimtape simulate` turns it into the requests Entra would send.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    /// Seeds the random values Entra would generate (the Test Connection GUID) and the ids of the
    /// provisioning log, so that a scenario produces the same requests on every run.
    public var seed: UInt64
    /// When the timeline starts, in seconds since 1970. The provisioning log dates each cycle
    /// from it on a simulated clock, so the log is the same on every run.
    public var startTime: Double
    public var tenant: Tenant
    public var appRoles: [AppRole]
    public var front: FrontState
    public var users: [DirectoryUser]
    public var groups: [DirectoryGroup]
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
        /// Failures the target returns, such as a 429 for the next POST.
        public var faults: [InjectedFault] = []

        public var preconditions: [Precondition] {
            deletedTeammates.map { .deletedTeammate(email: $0) }
                + existingTeammates.map { .existingTeammate(user: $0.user, blocked: $0.blocked) }
                + faults.map { .fault($0) }
        }
    }
}

/// A user in the Entra directory, with the source attributes mappings read.
public struct DirectoryUser: Sendable, Equatable {
    /// The name the timeline uses for this user.
    public var key: String
    /// Entra's object id, a GUID.
    public var objectId: String
    public var userPrincipalName: String
    public var mail: String?
    public var mailNickname: String
    public var givenName: String?
    public var surname: String?
    public var displayName: String?
    public var jobTitle: String?
    public var department: String?
    public var employeeId: String?
    /// The key of the user's manager in this directory.
    public var manager: String?
    /// `accountEnabled` in Entra; a disabled account is out of scope, so Entra blocks the teammate.
    public var accountEnabled: Bool

    /// The directory attributes a mapping can read, with the names Entra's mapping editor uses.
    public static let attributeNames: [String] = [
        "userPrincipalName", "mail", "mailNickname", "givenName", "surname", "displayName", "jobTitle",
        "department", "employeeId", "objectId",
    ]

    /// Returns a directory attribute by its Entra name; an empty string counts as no value.
    public func value(of attribute: String) -> String? {
        let value: String? =
            switch attribute {
            case "userPrincipalName": userPrincipalName
            case "mail": mail
            case "mailNickname": mailNickname
            case "givenName": givenName
            case "surname": surname
            case "displayName": displayName
            case "jobTitle": jobTitle
            case "department": department
            case "employeeId": employeeId
            case "objectId": objectId
            default: nil
            }
        return value?.isEmpty == false ? value : nil
    }

    /// Sets a string attribute that an `update` event may change; `nil` clears it.
    mutating func set(_ attribute: String, to value: String?) {
        switch attribute {
        case "userPrincipalName": userPrincipalName = value ?? userPrincipalName
        case "mail": mail = value
        case "mailNickname": mailNickname = value ?? ""
        case "givenName": givenName = value
        case "surname": surname = value
        case "displayName": displayName = value
        case "jobTitle": jobTitle = value
        case "department": department = value
        case "employeeId": employeeId = value
        case "manager": manager = value
        default: break
        }
    }
}

/// A group in the Entra directory. Assigning it to the app puts its direct members in scope;
/// with group provisioning on, Entra also creates it in the target with those members.
public struct DirectoryGroup: Sendable, Equatable {
    public var key: String
    /// Entra's object id, a GUID, sent as the group's `externalId`.
    public var objectId: String
    public var displayName: String
    /// Keys of the users that are direct members, in the order they were added.
    public var members: [String]
}
