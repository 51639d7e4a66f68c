import SCIM

/// The user attribute mapping of the tenant: which directory value Entra writes to which target
/// attribute, and whether only on creation.
public struct AttributeMapping: Sendable, Equatable {
    /// The mapping a scenario starts from.
    public enum Preset: String, Sendable, CaseIterable {
        /// Front's recommended mapping: Entra's default with Front's four adjustments, and every
        /// attribute Front does not use deleted.
        case front
        /// The default mapping of a non-gallery SCIM app, as the attribute table of Microsoft's
        /// SCIM tutorial lists it, limited to the directory attributes a scenario holds.
        case entraDefault = "entra-default"
        /// No preset: the scenario lists every mapping.
        case custom
    }

    /// Front's four changes to Entra's default mapping. Each can be switched off on its own to
    /// reproduce a tenant that missed it.
    public struct Adjustments: Sendable, Equatable {
        /// 1: `active` is wrapped in `ToLower()`, so the legacy dialect sends `"false"`, not `"False"`.
        public var toLowerActive: Bool
        /// 2: the work email comes from `userPrincipalName` instead of `mail`.
        public var workEmailFromUserPrincipalName: Bool
        /// 3: `externalId` (from `mailNickname`) is applied only on object creation.
        public var mailNicknameOnCreateOnly: Bool
        /// 4: `externalId` is marked required, so a user without `mailNickname` is not created.
        public var externalIdRequired: Bool

        public init(
            toLowerActive: Bool, workEmailFromUserPrincipalName: Bool, mailNicknameOnCreateOnly: Bool,
            externalIdRequired: Bool
        ) {
            self.toLowerActive = toLowerActive
            self.workEmailFromUserPrincipalName = workEmailFromUserPrincipalName
            self.mailNicknameOnCreateOnly = mailNicknameOnCreateOnly
            self.externalIdRequired = externalIdRequired
        }

        public static let front = Adjustments(
            toLowerActive: true, workEmailFromUserPrincipalName: true, mailNicknameOnCreateOnly: true,
            externalIdRequired: true)
        public static let none = Adjustments(
            toLowerActive: false, workEmailFromUserPrincipalName: false, mailNicknameOnCreateOnly: false,
            externalIdRequired: false)
    }

    /// "Apply this mapping" in Entra's mapping editor.
    public enum Apply: String, Sendable, CaseIterable {
        case always
        case creationOnly
    }

    /// The source of a mapped value.
    public enum Source: Sendable, Equatable {
        /// A directory attribute, by its Entra name (`mail`, `givenName`).
        case attribute(String)
        /// `Switch([IsSoftDeleted], , "False", "True", "True", "False")`, optionally inside `ToLower()`.
        case active(toLower: Bool)
        /// `SingleAppRoleAssignment([appRoleAssignments])`: the value of one assigned app role.
        case singleAppRoleAssignment
        /// The `manager` reference: the target id of the user's manager.
        case manager
    }

    /// One mapping: a target attribute path and its source.
    public struct Entry: Sendable, Equatable {
        /// The SCIM path Entra writes, such as `name.givenName` or `emails[type eq "work"].value`.
        public var target: String {
            didSet { path = TargetPath(target) }
        }
        public var source: Source
        public var apply: Apply
        /// `target` parsed, once, instead of for every user of every cycle; `nil` when it is not a
        /// path Entra's mapping editor accepts.
        private(set) var path: TargetPath?

        public init(target: String, source: Source, apply: Apply = .always) {
            self.target = target
            self.source = source
            self.apply = apply
            self.path = TargetPath(target)
        }
    }

    /// The application mode of the template mapping.
    public enum TemplateMapping: String, Sendable, CaseIterable {
        /// Not mapped: no template is sent.
        case none
        /// "Only during object creation", the setting Front's setup guide asks for.
        case creationOnly
        /// "Always", the misconfiguration that sends the template in later PATCHes too.
        case always
    }

    public var preset: Preset
    public var entries: [Entry]
    /// Whether `externalId` is required; a user with no value for it is not created.
    public var externalIdRequired: Bool

    public static let workEmailPath = #"emails[type eq "work"].value"#
    public static let templatePath = "\(SCIMURN.frontTeammate):template"
    public static let managerPath = "\(SCIMURN.enterpriseUser):manager"

    /// Builds a preset with adjustments (the preset's own when `nil`), a template mapping (the
    /// preset's own when `nil`) and extra entries that replace preset entries with the same target.
    public static func preset(
        _ preset: Preset, adjustments: Adjustments? = nil, template: TemplateMapping? = nil, extra: [Entry] = []
    ) -> AttributeMapping {
        let adjusted = adjustments ?? (preset == .front ? .front : .none)
        var entries: [Entry] = []
        switch preset {
        case .front:
            entries = [
                Entry(target: "userName", source: .attribute("userPrincipalName")),
                Entry(target: "active", source: .active(toLower: adjusted.toLowerActive)),
                Entry(target: "displayName", source: .attribute("displayName")),
                Entry(
                    target: workEmailPath,
                    source: .attribute(adjusted.workEmailFromUserPrincipalName ? "userPrincipalName" : "mail")),
                Entry(target: "name.givenName", source: .attribute("givenName")),
                Entry(target: "name.familyName", source: .attribute("surname")),
                Entry(
                    target: "externalId", source: .attribute("mailNickname"),
                    apply: adjusted.mailNicknameOnCreateOnly ? .creationOnly : .always),
            ]
        case .entraDefault:
            entries = [
                Entry(target: "userName", source: .attribute("userPrincipalName")),
                Entry(target: "active", source: .active(toLower: adjusted.toLowerActive)),
                Entry(target: "displayName", source: .attribute("displayName")),
                Entry(target: "title", source: .attribute("jobTitle")),
                Entry(
                    target: workEmailPath,
                    source: .attribute(adjusted.workEmailFromUserPrincipalName ? "userPrincipalName" : "mail")),
                Entry(target: "name.givenName", source: .attribute("givenName")),
                Entry(target: "name.familyName", source: .attribute("surname")),
                Entry(
                    target: "externalId", source: .attribute("mailNickname"),
                    apply: adjusted.mailNicknameOnCreateOnly ? .creationOnly : .always),
                Entry(target: "\(SCIMURN.enterpriseUser):employeeNumber", source: .attribute("employeeId")),
                Entry(target: "\(SCIMURN.enterpriseUser):department", source: .attribute("department")),
                Entry(target: managerPath, source: .manager),
            ]
        case .custom:
            entries = []
        }
        switch template ?? (preset == .front ? .creationOnly : .none) {
        case .none:
            break
        case .creationOnly:
            entries.append(Entry(target: templatePath, source: .singleAppRoleAssignment, apply: .creationOnly))
        case .always:
            entries.append(Entry(target: templatePath, source: .singleAppRoleAssignment, apply: .always))
        }
        for entry in extra {
            if let index = entries.firstIndex(where: { $0.target.lowercased() == entry.target.lowercased() }) {
                entries[index] = entry
            } else {
                entries.append(entry)
            }
        }
        return AttributeMapping(preset: preset, entries: entries, externalIdRequired: adjusted.externalIdRequired)
    }

    public func entry(for target: String) -> Entry? {
        entries.first { $0.target.equalsIgnoringCase(target) }
    }

    /// The expressions a scenario may give as a mapping's `expression`, with their sources.
    public static let expressions: [(text: String, source: Source)] = [
        (#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#, .active(toLower: false)),
        (#"ToLower(Switch([IsSoftDeleted], , "False", "True", "True", "False"))"#, .active(toLower: true)),
        ("SingleAppRoleAssignment([appRoleAssignments])", .singleAppRoleAssignment),
    ]

    /// Finds the source of an expression, ignoring whitespace and the optional culture argument
    /// of `ToLower(source, culture)`.
    public static func source(ofExpression text: String) -> Source? {
        let compact = text.filter { !$0.isWhitespace }.replacingOccurrences(of: "),)", with: "))")
        return expressions.first { $0.text.filter { !$0.isWhitespace } == compact }?.source
    }
}
