/// Target state that SCIM requests cannot create, which a transcript needs before it runs.
///
/// The reference endpoint accepts these on its admin route; other targets get them through a
/// user-supplied hook. The JSON form is `{"kind": "deletedTeammate", "email": "..."}`,
/// `{"kind": "existingTeammate", "user": {...}, "blocked": false}` or a `fault` as
/// `InjectedFault` describes.
public enum Precondition: Sendable, Equatable {
    /// A teammate with this email was deleted in Front. Front keeps the address reserved, so
    /// creating a user with it fails; only Front support can release it.
    case deletedTeammate(email: String)
    /// A teammate that exists in Front before provisioning starts, optionally blocked. `user` is a
    /// User resource representation without `id`.
    case existingTeammate(user: JSONObject, blocked: Bool)
    /// The target fails some requests, so that a transcript can show Entra's retries.
    case fault(InjectedFault)

    public var kind: String {
        switch self {
        case .deletedTeammate: "deletedTeammate"
        case .existingTeammate: "existingTeammate"
        case .fault: "fault"
        }
    }

    /// Parses the JSON form; the error message names the member that is wrong.
    public init(json: JSONValue) throws(PreconditionError) {
        guard let object = json.objectValue else {
            throw PreconditionError(path: .root, message: "a precondition must be an object, not \(json.typeName)")
        }
        guard let kind = object["kind"]?.stringValue else {
            throw PreconditionError(path: JSONPath([.key("kind")]), message: "a precondition needs a string 'kind'")
        }
        let members: [String: [String]] = [
            "deletedTeammate": ["kind", "email"], "existingTeammate": ["kind", "user", "blocked"],
            "fault": ["kind", "method", "path", "status", "retryAfter", "after", "count", "detail"],
        ]
        // A misspelt member ("countt") would otherwise be dropped and its default used in silence.
        if let allowed = members[kind], let unknown = object.map(\.key).first(where: { !allowed.contains($0) }) {
            throw PreconditionError(
                path: JSONPath([.key(unknown)]),
                message: "unknown member '\(unknown)' in a \(kind) precondition; expected "
                    + allowed.dropFirst().joined(separator: ", "))
        }
        switch kind {
        case "deletedTeammate":
            guard let email = object["email"]?.stringValue, email.contains("@") else {
                throw PreconditionError(
                    path: JSONPath([.key("email")]), message: "deletedTeammate needs an 'email' address")
            }
            self = .deletedTeammate(email: email)
        case "existingTeammate":
            guard let user = object["user"]?.objectValue else {
                throw PreconditionError(
                    path: JSONPath([.key("user")]), message: "existingTeammate needs a 'user' object")
            }
            guard user.value(matching: "userName")?.stringValue != nil else {
                throw PreconditionError(
                    path: JSONPath([.key("user"), .key("userName")]),
                    message: "existingTeammate's user needs a 'userName'")
            }
            var blocked = false
            if let value = object["blocked"] {
                guard let flag = value.boolValue else {
                    throw PreconditionError(path: JSONPath([.key("blocked")]), message: "'blocked' must be a boolean")
                }
                blocked = flag
            }
            self = .existingTeammate(user: user, blocked: blocked)
        case "fault":
            self = .fault(try InjectedFault(json: object))
        default:
            throw PreconditionError(
                path: JSONPath([.key("kind")]),
                message: "unknown precondition kind '\(kind)'; expected deletedTeammate, existingTeammate or fault")
        }
    }

    public var json: JSONValue {
        switch self {
        case .deletedTeammate(let email):
            return ["kind": "deletedTeammate", "email": .string(email)]
        case .existingTeammate(let user, let blocked):
            return ["kind": "existingTeammate", "user": .object(user), "blocked": .bool(blocked)]
        case .fault(let fault):
            return fault.json
        }
    }

    /// A one-line description for reports.
    public var summary: String {
        switch self {
        case .deletedTeammate(let email):
            return "a teammate with email \(email) was deleted in Front"
        case .existingTeammate(let user, let blocked):
            let name = user.value(matching: "userName")?.stringValue ?? "?"
            return "teammate \(name) already exists in Front" + (blocked ? " and is blocked" : "")
        case .fault(let fault):
            return fault.summary
        }
    }
}

/// A precondition that could not be read.
public struct PreconditionError: Error, Sendable, CustomStringConvertible {
    /// The member at fault, relative to the precondition object, such as `$.email`.
    public let path: JSONPath
    public let message: String

    public var description: String {
        message
    }
}
