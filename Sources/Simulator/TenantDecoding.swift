import SCIM

extension Tenant {
    static let members: Set<String> = [
        "aadOptscim062020", "mapping", "adjustments", "templateMapping", "attributes", "matching",
        "targetObjectActions", "provisionGroups", "retryAfter", "roleChoice", "quarantine", "shapes",
    ]

    /// Reads the `tenant` member; a missing member is Front's recommended tenant with the flag.
    init(json value: JSONValue?, at path: JSONPath) throws(ScenarioError) {
        self.init()
        guard let value else {
            return
        }
        let object = try ScenarioReader.object(value, at: path)
        try ScenarioReader.allow(object, Tenant.members, at: path)
        aadOptscim062020 = try ScenarioReader.optionalBool(object, "aadOptscim062020", at: path) ?? true
        provisionGroups = try ScenarioReader.optionalBool(object, "provisionGroups", at: path) ?? true
        retryAfter = try ScenarioReader.choice(object, "retryAfter", as: RetryAfterPolicy.self, at: path) ?? .honour
        roleChoice = try ScenarioReader.choice(object, "roleChoice", as: RoleChoice.self, at: path) ?? .first
        mapping = try Tenant.mapping(object, at: path)
        matching = try Tenant.matching(object, mapping: mapping, at: path)
        if let actionsValue = object["targetObjectActions"] {
            let actionsPath = path.appending(key: "targetObjectActions")
            let actionsObject = try ScenarioReader.object(actionsValue, at: actionsPath)
            try ScenarioReader.allow(actionsObject, ["create", "update", "delete"], at: actionsPath)
            actions.create = try ScenarioReader.optionalBool(actionsObject, "create", at: actionsPath) ?? true
            actions.update = try ScenarioReader.optionalBool(actionsObject, "update", at: actionsPath) ?? true
            actions.delete = try ScenarioReader.optionalBool(actionsObject, "delete", at: actionsPath) ?? true
        }
        if let quarantineValue = object["quarantine"] {
            quarantine = try QuarantinePolicy(json: quarantineValue, at: path.appending(key: "quarantine"))
        }
        if let shapesValue = object["shapes"] {
            shapes = try RequestShapes(json: shapesValue, at: path.appending(key: "shapes"))
        }
    }

    private static func mapping(_ object: JSONObject, at path: JSONPath) throws(ScenarioError) -> AttributeMapping {
        let preset = try ScenarioReader.choice(object, "mapping", as: AttributeMapping.Preset.self, at: path) ?? .front
        var adjustments: AttributeMapping.Adjustments?
        if let adjustmentsValue = object["adjustments"] {
            let adjustmentsPath = path.appending(key: "adjustments")
            let adjustmentsObject = try ScenarioReader.object(adjustmentsValue, at: adjustmentsPath)
            try ScenarioReader.allow(
                adjustmentsObject,
                ["toLowerActive", "workEmailFromUserPrincipalName", "mailNicknameOnCreateOnly", "externalIdRequired"],
                at: adjustmentsPath)
            var adjusted = preset == .front ? AttributeMapping.Adjustments.front : .none
            func flag(_ key: String, _ current: Bool) throws(ScenarioError) -> Bool {
                try ScenarioReader.optionalBool(adjustmentsObject, key, at: adjustmentsPath) ?? current
            }
            adjusted.toLowerActive = try flag("toLowerActive", adjusted.toLowerActive)
            adjusted.workEmailFromUserPrincipalName = try flag(
                "workEmailFromUserPrincipalName", adjusted.workEmailFromUserPrincipalName)
            adjusted.mailNicknameOnCreateOnly = try flag("mailNicknameOnCreateOnly", adjusted.mailNicknameOnCreateOnly)
            adjusted.externalIdRequired = try flag("externalIdRequired", adjusted.externalIdRequired)
            adjustments = adjusted
        }
        let template = try ScenarioReader.choice(
            object, "templateMapping", as: AttributeMapping.TemplateMapping.self, at: path)
        var extra: [AttributeMapping.Entry] = []
        var targets = Set<String>()
        let attributesPath = path.appending(key: "attributes")
        for (index, item) in try ScenarioReader.array(object, "attributes", at: path).enumerated() {
            let entry = try AttributeMapping.Entry(json: item, at: attributesPath.appending(index: index))
            guard targets.insert(entry.target.lowercased()).inserted else {
                throw ScenarioError(
                    path: attributesPath.appending(index: index).appending(key: "target"),
                    message: "two mappings write '\(entry.target)'")
            }
            extra.append(entry)
        }
        let mapping = AttributeMapping.preset(preset, adjustments: adjustments, template: template, extra: extra)
        guard mapping.entry(for: "userName") != nil else {
            throw ScenarioError(
                path: attributesPath, message: "no mapping writes userName, which every SCIM user needs")
        }
        return mapping
    }

    private static func matching(_ object: JSONObject, mapping: AttributeMapping, at path: JSONPath)
        throws(ScenarioError) -> [String]
    {
        guard object["matching"] != nil else {
            return ["userName"]
        }
        let matchingPath = path.appending(key: "matching")
        var targets: [String] = []
        for (index, item) in try ScenarioReader.array(object, "matching", at: path).enumerated() {
            guard let target = item.stringValue else {
                throw ScenarioError(path: matchingPath.appending(index: index), message: "expected a target attribute")
            }
            guard let entry = mapping.entry(for: target), case .attribute = entry.source else {
                throw ScenarioError(
                    path: matchingPath.appending(index: index),
                    message: "'\(target)' is not mapped from a directory attribute, so Entra cannot match on it")
            }
            targets.append(entry.target)
        }
        guard !targets.isEmpty else {
            throw ScenarioError(path: matchingPath, message: "Entra needs at least one matching attribute")
        }
        return targets
    }
}

extension AttributeMapping.Entry {
    init(json value: JSONValue, at path: JSONPath) throws(ScenarioError) {
        let object = try ScenarioReader.object(value, at: path)
        try ScenarioReader.allow(object, ["target", "source", "expression", "apply"], at: path)
        let target = try ScenarioReader.string(object, "target", at: path)
        guard TargetPath(target) != nil else {
            throw ScenarioError(
                path: path.appending(key: "target"),
                message:
                    "'\(target)' is not a SCIM attribute path such as name.givenName or emails[type eq \"work\"].value")
        }
        let apply = try ScenarioReader.choice(object, "apply", as: AttributeMapping.Apply.self, at: path) ?? .always
        let source: AttributeMapping.Source
        switch (try ScenarioReader.optionalString(object, "source", at: path), object["expression"]) {
        case (let name?, nil):
            if name == "manager" {
                guard target.lowercased() == AttributeMapping.managerPath.lowercased() else {
                    throw ScenarioError(
                        path: path.appending(key: "target"),
                        message: "manager is a reference and maps only to \(AttributeMapping.managerPath)")
                }
                source = .manager
            } else {
                guard DirectoryUser.attributeNames.contains(name) else {
                    throw ScenarioError(
                        path: path.appending(key: "source"),
                        message:
                            "'\(name)' is not a directory attribute; expected manager or one of \(DirectoryUser.attributeNames.joined(separator: ", "))"
                    )
                }
                source = .attribute(name)
            }
        case (nil, .some):
            let text = try ScenarioReader.string(object, "expression", at: path)
            guard let parsed = AttributeMapping.source(ofExpression: text) else {
                let known = AttributeMapping.expressions.map(\.text).joined(separator: "; ")
                throw ScenarioError(
                    path: path.appending(key: "expression"),
                    message: "unsupported expression; the simulator evaluates only these: \(known)")
            }
            source = parsed
        default:
            throw ScenarioError(path: path, message: "a mapping needs exactly one of 'source' and 'expression'")
        }
        if case .active = source, target != "active" {
            throw ScenarioError(
                path: path.appending(key: "target"), message: "the IsSoftDeleted expression maps to active")
        }
        if target == "active", source != .active(toLower: true), source != .active(toLower: false) {
            throw ScenarioError(
                path: path.appending(key: "expression"),
                message: "active must come from the Switch([IsSoftDeleted], ...) expression, with or without ToLower")
        }
        self.init(target: target, source: source, apply: apply)
    }
}

extension QuarantinePolicy {
    init(json value: JSONValue, at path: JSONPath) throws(ScenarioError) {
        let object = try ScenarioReader.object(value, at: path)
        try ScenarioReader.allow(
            object, ["minimumFailures", "failureProportion", "maximumFailures", "absoluteFailures"], at: path)
        self.init()
        minimumFailures = try ScenarioReader.optionalInteger(object, "minimumFailures", at: path) ?? minimumFailures
        failureProportion =
            try ScenarioReader.optionalNumber(object, "failureProportion", in: 0...1, at: path) ?? failureProportion
        maximumFailures = try ScenarioReader.optionalInteger(object, "maximumFailures", at: path) ?? maximumFailures
        absoluteFailures = try ScenarioReader.optionalInteger(object, "absoluteFailures", at: path) ?? absoluteFailures
    }
}

extension RequestShapes {
    init(json value: JSONValue, at path: JSONPath) throws(ScenarioError) {
        let object = try ScenarioReader.object(value, at: path)
        try ScenarioReader.allow(
            object,
            [
                "readBeforeDisable", "foldSingleReplace", "manager", "memberReference", "groupSchemas",
                "testConnectionGroups", "createActive",
            ], at: path)
        self.init()
        readBeforeDisable = try ScenarioReader.optionalBool(object, "readBeforeDisable", at: path) ?? readBeforeDisable
        foldSingleReplace = try ScenarioReader.optionalBool(object, "foldSingleReplace", at: path) ?? foldSingleReplace
        manager = try ScenarioReader.choice(object, "manager", as: ManagerForm.self, at: path) ?? manager
        memberReference =
            try ScenarioReader.choice(object, "memberReference", as: MemberReference.self, at: path) ?? memberReference
        groupSchemas =
            try ScenarioReader.choice(object, "groupSchemas", as: GroupSchemas.self, at: path) ?? groupSchemas
        testConnectionGroups =
            try ScenarioReader.optionalBool(object, "testConnectionGroups", at: path) ?? testConnectionGroups
        createActive =
            try ScenarioReader.choice(object, "createActive", as: CreateActive.self, at: path) ?? createActive
    }
}
