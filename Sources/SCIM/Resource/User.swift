/// A typed view of a User resource with the enterprise and Front teammate extensions.
///
/// The store and the PATCH applier work on `JSONObject` so that nothing a client sends is lost;
/// this type is for code that builds or inspects users, such as the simulator and the verifier's
/// rules.
public struct User: Sendable, Equatable {
    public struct Name: Sendable, Equatable {
        public var formatted: String?
        public var familyName: String?
        public var givenName: String?

        public init(formatted: String? = nil, familyName: String? = nil, givenName: String? = nil) {
            self.formatted = formatted
            self.familyName = familyName
            self.givenName = givenName
        }
    }

    public struct Email: Sendable, Equatable {
        public var value: String
        public var type: String?
        public var primary: Bool?

        public init(value: String, type: String? = "work", primary: Bool? = true) {
            self.value = value
            self.type = type
            self.primary = primary
        }
    }

    /// The enterprise extension (RFC 7643 section 4.3); `manager` holds the manager's resource id.
    public struct Enterprise: Sendable, Equatable {
        public var employeeNumber: String?
        public var department: String?
        public var manager: String?

        public init(employeeNumber: String? = nil, department: String? = nil, manager: String? = nil) {
            self.employeeNumber = employeeNumber
            self.department = department
            self.manager = manager
        }
    }

    public var id: String?
    public var externalId: String?
    public var userName: String
    public var active: Bool?
    public var displayName: String?
    public var name: Name?
    public var emails: [Email]
    public var title: String?
    public var enterprise: Enterprise?
    /// The Front teammate template id from `urn:ietf:params:scim:schemas:extension:frontapp:teammate`.
    public var template: String?

    public init(
        id: String? = nil, externalId: String? = nil, userName: String, active: Bool? = true,
        displayName: String? = nil,
        name: Name? = nil, emails: [Email] = [], title: String? = nil, enterprise: Enterprise? = nil,
        template: String? = nil
    ) {
        self.id = id
        self.externalId = externalId
        self.userName = userName
        self.active = active
        self.displayName = displayName
        self.name = name
        self.emails = emails
        self.title = title
        self.enterprise = enterprise
        self.template = template
    }

    /// Reads a user from a resource representation. Attribute names match without regard to case,
    /// and `active` may be a boolean or a `"true"`/`"false"` string in any case. Returns `nil` when
    /// `userName` is missing.
    public init?(json: JSONObject) {
        guard let userName = json.value(matching: "userName")?.stringValue else {
            return nil
        }
        self.userName = userName
        self.id = json.value(matching: "id")?.stringValue
        self.externalId = json.value(matching: "externalId")?.stringValue
        if let active = json.value(matching: "active") {
            self.active = try? ValueCoercion().coerceBoolean(active, label: "active")
        }
        self.displayName = json.value(matching: "displayName")?.stringValue
        if let name = json.value(matching: "name")?.objectValue {
            self.name = Name(
                formatted: name.value(matching: "formatted")?.stringValue,
                familyName: name.value(matching: "familyName")?.stringValue,
                givenName: name.value(matching: "givenName")?.stringValue)
        }
        self.emails = (json.value(matching: "emails")?.arrayValue ?? []).compactMap { element in
            guard let object = element.objectValue, let value = object.value(matching: "value")?.stringValue else {
                return nil
            }
            return Email(
                value: value, type: object.value(matching: "type")?.stringValue,
                primary: object.value(matching: "primary")?.boolValue)
        }
        self.title = json.value(matching: "title")?.stringValue
        if let enterprise = json.value(matching: SCIMURN.enterpriseUser)?.objectValue {
            let manager = enterprise.value(matching: "manager")
            self.enterprise = Enterprise(
                employeeNumber: enterprise.value(matching: "employeeNumber")?.stringValue,
                department: enterprise.value(matching: "department")?.stringValue,
                manager: manager?.stringValue ?? manager?.objectValue?.value(matching: "value")?.stringValue)
        }
        self.template =
            json.value(matching: SCIMURN.frontTeammate)?.objectValue?.value(matching: "template")?.stringValue
    }

    /// The work email, or the primary one when none is typed `work`.
    public var workEmail: String? {
        (emails.first { $0.type?.equalsIgnoringCase("work") == true } ?? emails.first { $0.primary == true })?.value
    }

    /// The resource representation, with `schemas` listing the extensions in use.
    public var json: JSONObject {
        var object = JSONObject()
        var schemas: [JSONValue] = [.string(SCIMURN.user)]
        if enterprise != nil {
            schemas.append(.string(SCIMURN.enterpriseUser))
        }
        if template != nil {
            schemas.append(.string(SCIMURN.frontTeammate))
        }
        object["schemas"] = .array(schemas)
        if let id {
            object["id"] = .string(id)
        }
        if let externalId {
            object["externalId"] = .string(externalId)
        }
        object["userName"] = .string(userName)
        if let active {
            object["active"] = .bool(active)
        }
        if let displayName {
            object["displayName"] = .string(displayName)
        }
        if let name {
            var nameObject = JSONObject()
            nameObject["formatted"] = name.formatted.map(JSONValue.string)
            nameObject["familyName"] = name.familyName.map(JSONValue.string)
            nameObject["givenName"] = name.givenName.map(JSONValue.string)
            object["name"] = .object(nameObject)
        }
        if !emails.isEmpty {
            object["emails"] = .array(
                emails.map { email in
                    var emailObject = JSONObject()
                    emailObject["value"] = .string(email.value)
                    emailObject["type"] = email.type.map(JSONValue.string)
                    emailObject["primary"] = email.primary.map(JSONValue.bool)
                    return .object(emailObject)
                })
        }
        if let title {
            object["title"] = .string(title)
        }
        if let enterprise {
            var enterpriseObject = JSONObject()
            enterpriseObject["employeeNumber"] = enterprise.employeeNumber.map(JSONValue.string)
            enterpriseObject["department"] = enterprise.department.map(JSONValue.string)
            enterpriseObject["manager"] = enterprise.manager.map { ["value": .string($0)] }
            object[SCIMURN.enterpriseUser] = .object(enterpriseObject)
        }
        if let template {
            object[SCIMURN.frontTeammate] = ["template": .string(template)]
        }
        return object
    }
}
