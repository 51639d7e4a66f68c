/// The User schema of RFC 7643 section 4.1, the enterprise extension of section 4.3, and Front's
/// teammate extension.
public enum UserSchemas {
    static func multiValuedSubAttributes(
        valueType: SchemaAttribute.DataType = .string, types: [String], referenceTypes: [String] = []
    ) -> [SchemaAttribute] {
        [
            SchemaAttribute("value", type: valueType, referenceTypes: referenceTypes),
            SchemaAttribute("display", description: "A human-readable name, primarily used for display purposes."),
            SchemaAttribute(
                "type", description: "A label indicating the attribute's function.", canonicalValues: types),
            SchemaAttribute(
                "primary", type: .boolean, description: "Whether this is the preferred value; only one may be true."),
        ]
    }

    public static let core = Schema(
        id: SCIMURN.user, name: "User", description: "User Account",
        attributes: [
            SchemaAttribute(
                "userName", description: "Unique identifier for the User, typically the sign-in name.", required: true,
                uniqueness: .server),
            SchemaAttribute(
                "name", type: .complex, description: "The components of the user's real name.",
                subAttributes: [
                    SchemaAttribute("formatted"),
                    SchemaAttribute("familyName"),
                    SchemaAttribute("givenName"),
                    SchemaAttribute("middleName"),
                    SchemaAttribute("honorificPrefix"),
                    SchemaAttribute("honorificSuffix"),
                ]),
            SchemaAttribute("displayName", description: "The name of the User, suitable for display to end-users."),
            SchemaAttribute("nickName"),
            SchemaAttribute("profileUrl", type: .reference, referenceTypes: ["external"]),
            SchemaAttribute("title"),
            SchemaAttribute("userType"),
            SchemaAttribute("preferredLanguage"),
            SchemaAttribute("locale"),
            SchemaAttribute("timezone"),
            SchemaAttribute("active", type: .boolean, description: "The User's administrative status."),
            SchemaAttribute("password", mutability: .writeOnly, returned: .never),
            SchemaAttribute(
                "emails", type: .complex, multiValued: true, description: "Email addresses for the user.",
                subAttributes: multiValuedSubAttributes(types: ["work", "home", "other"])),
            SchemaAttribute(
                "phoneNumbers", type: .complex, multiValued: true,
                subAttributes: multiValuedSubAttributes(
                    types: ["work", "home", "mobile", "fax", "pager", "other"])),
            SchemaAttribute(
                "ims", type: .complex, multiValued: true,
                subAttributes: multiValuedSubAttributes(
                    types: ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"])),
            SchemaAttribute(
                "photos", type: .complex, multiValued: true,
                subAttributes: multiValuedSubAttributes(
                    valueType: .reference, types: ["photo", "thumbnail"], referenceTypes: ["external"])),
            SchemaAttribute(
                "addresses", type: .complex, multiValued: true,
                subAttributes: [
                    SchemaAttribute("formatted"),
                    SchemaAttribute("streetAddress"),
                    SchemaAttribute("locality"),
                    SchemaAttribute("region"),
                    SchemaAttribute("postalCode"),
                    SchemaAttribute("country"),
                    SchemaAttribute("type", canonicalValues: ["work", "home", "other"]),
                    SchemaAttribute("primary", type: .boolean),
                ]),
            SchemaAttribute(
                "groups", type: .complex, multiValued: true, description: "Groups the user belongs to.",
                mutability: .readOnly,
                subAttributes: [
                    SchemaAttribute("value", mutability: .readOnly),
                    SchemaAttribute(
                        "$ref", type: .reference, mutability: .readOnly, referenceTypes: ["User", "Group"]),
                    SchemaAttribute("display", mutability: .readOnly),
                    SchemaAttribute("type", mutability: .readOnly, canonicalValues: ["direct", "indirect"]),
                ]),
            SchemaAttribute(
                "entitlements", type: .complex, multiValued: true,
                subAttributes: multiValuedSubAttributes(types: [])),
            SchemaAttribute(
                "roles", type: .complex, multiValued: true, subAttributes: multiValuedSubAttributes(types: [])),
            SchemaAttribute(
                "x509Certificates", type: .complex, multiValued: true,
                subAttributes: multiValuedSubAttributes(valueType: .binary, types: [])),
        ])

    public static let enterprise = Schema(
        id: SCIMURN.enterpriseUser, name: "EnterpriseUser", description: "Enterprise User",
        attributes: [
            SchemaAttribute("employeeNumber"),
            SchemaAttribute("costCenter"),
            SchemaAttribute("organization"),
            SchemaAttribute("division"),
            SchemaAttribute("department"),
            SchemaAttribute(
                "manager", type: .complex, description: "The user's manager.",
                subAttributes: [
                    SchemaAttribute("value", description: "The id of the manager's User resource."),
                    SchemaAttribute("$ref", type: .reference, referenceTypes: ["User"]),
                    SchemaAttribute("displayName", mutability: .readOnly),
                ]),
        ])

    /// Front's teammate extension. `template` names the teammate template applied when Front
    /// creates the teammate; it is `immutable` because Front never applies a template to an
    /// existing teammate.
    public static let frontTeammate = Schema(
        id: SCIMURN.frontTeammate, name: "FrontTeammate", description: "Front teammate settings",
        attributes: [
            SchemaAttribute(
                "template",
                description:
                    "Identifier of the Front teammate template applied when the teammate is created. "
                    + "It is settable only at creation; later changes are ignored.",
                caseExact: true, mutability: .immutable)
        ])

    /// Front's teammate custom fields. Front's guide has admins add target attributes named
    /// `urn:ietf:params:scim:schemas:extension:frontapp:teammate_custom_fields:<custom field id>`, so
    /// the attribute names are not known in advance; values are strings, numbers or booleans.
    public static let frontCustomFields = Schema(
        id: SCIMURN.frontCustomFields, name: "FrontTeammateCustomFields",
        description:
            "Front teammate custom fields. Each attribute name is the id of a custom field; the value is a string "
            + "(text, dropdown, inbox id or teammate id), a number or a boolean.",
        attributes: [],
        undeclaredAttribute: SchemaAttribute(
            "customField", description: "The value of one custom field.", caseExact: true, acceptsAnyScalar: true))

    public static let resourceType = ResourceType(
        name: "User", endpoint: "/Users", description: "User Account", schema: core,
        extensions: [
            ResourceType.Extension(schema: enterprise),
            ResourceType.Extension(schema: frontTeammate),
            ResourceType.Extension(schema: frontCustomFields),
        ])
}

/// The Group schema of RFC 7643 section 4.2.
public enum GroupSchemas {
    public static let core = Schema(
        id: SCIMURN.group, name: "Group", description: "Group",
        attributes: [
            SchemaAttribute(
                "displayName", description: "A human-readable name for the Group.", required: true,
                uniqueness: .server),
            SchemaAttribute(
                "members", type: .complex, multiValued: true, description: "A list of members of the Group.",
                subAttributes: [
                    SchemaAttribute("value", caseExact: true, mutability: .immutable),
                    SchemaAttribute(
                        "$ref", type: .reference, mutability: .immutable, referenceTypes: ["User", "Group"]),
                    SchemaAttribute("display", mutability: .readOnly),
                    SchemaAttribute("type", mutability: .immutable, canonicalValues: ["User", "Group"]),
                ]),
        ])

    public static let resourceType = ResourceType(
        name: "Group", endpoint: "/Groups", description: "Group", schema: core, extensions: [])
}
