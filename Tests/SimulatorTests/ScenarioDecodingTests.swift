import Foundation
import SCIM
import Simulator
import Testing

/// A scenario document broken in one place, with the JSON path the error must name.
struct ScenarioErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let document: String
    let path: String
    let message: String

    var testDescription: String {
        name
    }
}

/// Returns the `ScenarioError` that `body` throws, or `nil` when it succeeds.
func scenarioError<Value>(_ body: () throws(ScenarioError) -> Value) -> ScenarioError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

@Suite struct ScenarioDecodingErrors {
    typealias Documents = ScenarioDocuments

    static let rootCases = [
        ScenarioErrorCase(
            name: "root is an array", document: "[]", path: "$", message: "expected an object, found array"),
        ScenarioErrorCase(
            name: "unknown root member", document: Documents.document(members: #""owner": "x", "#), path: "$.owner",
            message: "unknown member 'owner'"),
        ScenarioErrorCase(
            name: "transcript format", document: Documents.document(header: #""format": "scimtape.transcript", "#),
            path: "$.format", message: "this file is a transcript, not a scenario"),
        ScenarioErrorCase(
            name: "version 2", document: Documents.document(header: #""version": 2, "#), path: "$.version",
            message: "version 2 is not supported; expected 1"),
        ScenarioErrorCase(
            name: "missing name",
            document: #"{"description": "d", "timeline": []}"#, path: "$.name",
            message: "the member 'name' is missing"),
        ScenarioErrorCase(
            name: "name of megabytes",
            document: Documents.document(name: String(repeating: "n", count: 5000)), path: "$.name",
            message: "the string has 5000 bytes; the simulator takes at most 4096"),
        ScenarioErrorCase(
            name: "negative seed", document: Documents.document(members: #""seed": -1, "#), path: "$.seed",
            message: "expected an integer of at least 0"),
        ScenarioErrorCase(
            name: "start time not RFC 3339",
            document: Documents.document(timeline: [Events.testConnection], members: #""startTime": "Monday", "#),
            path: "$.startTime", message: "expected an RFC 3339 time"),
    ]

    static let tenantCases = [
        ScenarioErrorCase(
            name: "tenant not an object", document: Documents.document(tenant: "true"), path: "$.tenant",
            message: "expected an object, found boolean"),
        ScenarioErrorCase(
            name: "flag as string", document: Documents.document(tenant: #"{"aadOptscim062020": "yes"}"#),
            path: "$.tenant.aadOptscim062020", message: #"expected true or false, found "yes""#),
        ScenarioErrorCase(
            name: "unknown mapping preset", document: Documents.document(tenant: #"{"mapping": "premium"}"#),
            path: "$.tenant.mapping", message: "'premium' is not one of front, entra-default, custom"),
        ScenarioErrorCase(
            name: "unknown template mapping",
            document: Documents.document(tenant: #"{"templateMapping": "sometimes"}"#),
            path: "$.tenant.templateMapping", message: "'sometimes' is not one of none, creationOnly, always"),
        ScenarioErrorCase(
            name: "unknown adjustment",
            document: Documents.document(tenant: #"{"adjustments": {"toUpper": true}}"#),
            path: "$.tenant.adjustments.toUpper", message: "unknown member 'toUpper'"),
        ScenarioErrorCase(
            name: "adjustment as string",
            document: Documents.document(tenant: #"{"adjustments": {"toLowerActive": "off"}}"#),
            path: "$.tenant.adjustments.toLowerActive", message: "expected true or false"),
        ScenarioErrorCase(
            name: "unknown tenant member", document: Documents.document(tenant: #"{"region": "eu"}"#),
            path: "$.tenant.region", message: "unknown member 'region'"),
        ScenarioErrorCase(
            name: "unsupported expression",
            document: Documents.document(
                tenant: #"{"attributes": [{"target": "displayName", "expression": "Join(\" \", [givenName])"}]}"#),
            path: "$.tenant.attributes[0].expression", message: "unsupported expression"),
        ScenarioErrorCase(
            name: "source and expression",
            document: Documents.document(
                tenant:
                    #"{"attributes": [{"target": "nickName", "source": "givenName", "expression": "SingleAppRoleAssignment([appRoleAssignments])"}]}"#
            ),
            path: "$.tenant.attributes[0]", message: "exactly one of 'source' and 'expression'"),
        ScenarioErrorCase(
            name: "unknown source attribute",
            document: Documents.document(tenant: #"{"attributes": [{"target": "nickName", "source": "nickname"}]}"#),
            path: "$.tenant.attributes[0].source", message: "'nickname' is not a directory attribute"),
        ScenarioErrorCase(
            name: "active from an attribute",
            document: Documents.document(tenant: #"{"attributes": [{"target": "active", "source": "mail"}]}"#),
            path: "$.tenant.attributes[0].expression", message: "active must come from the Switch([IsSoftDeleted]"),
        ScenarioErrorCase(
            name: "manager to another attribute",
            document: Documents.document(tenant: #"{"attributes": [{"target": "nickName", "source": "manager"}]}"#),
            path: "$.tenant.attributes[0].target", message: "manager is a reference"),
        ScenarioErrorCase(
            name: "unparsable target",
            document: Documents.document(tenant: #"{"attributes": [{"target": "emails[work]", "source": "mail"}]}"#),
            path: "$.tenant.attributes[0].target", message: "is not a SCIM attribute path"),
        ScenarioErrorCase(
            name: "custom mapping without userName",
            document: Documents.document(
                tenant: #"{"mapping": "custom", "attributes": [{"target": "displayName", "source": "displayName"}]}"#),
            path: "$.tenant.attributes", message: "no mapping writes userName"),
        ScenarioErrorCase(
            name: "matching on an unmapped attribute",
            document: Documents.document(tenant: #"{"matching": ["userName", "nickName"]}"#),
            path: "$.tenant.matching[1]", message: "'nickName' is not mapped from a directory attribute"),
        ScenarioErrorCase(
            name: "unknown shape member",
            document: Documents.document(tenant: #"{"shapes": {"manager": "urnString", "members": "omit"}}"#),
            path: "$.tenant.shapes.members", message: "unknown member 'members'"),
        ScenarioErrorCase(
            name: "unknown manager form",
            document: Documents.document(tenant: #"{"shapes": {"manager": "array"}}"#),
            path: "$.tenant.shapes.manager", message: "'array' is not one of urnString, urnObject, published"),
        ScenarioErrorCase(
            name: "unknown retryAfter policy",
            document: Documents.document(tenant: #"{"retryAfter": "sometimes"}"#),
            path: "$.tenant.retryAfter", message: "'sometimes' is not one of honour, ignore"),
        ScenarioErrorCase(
            name: "failure proportion above one",
            document: Documents.document(tenant: #"{"quarantine": {"failureProportion": 2}}"#),
            path: "$.tenant.quarantine.failureProportion", message: "expected a number from 0.0 to 1.0"),
        ScenarioErrorCase(
            name: "unknown target object action",
            document: Documents.document(tenant: #"{"targetObjectActions": {"disable": false}}"#),
            path: "$.tenant.targetObjectActions.disable", message: "unknown member 'disable'"),
    ]

    static let directoryCases = [
        ScenarioErrorCase(
            name: "app role without display name",
            document: Documents.document(appRoles: #"[{"value": "a", "displayName": "A"}, {"value": "b"}]"#),
            path: "$.appRoles[1].displayName", message: "the member 'displayName' is missing"),
        ScenarioErrorCase(
            name: "single app role",
            document: Documents.document(appRoles: #"[{"value": "a", "displayName": "A"}]"#),
            path: "$.appRoles", message: "at least two templates"),
        ScenarioErrorCase(
            name: "duplicate app role value",
            document: Documents.document(
                appRoles: #"[{"value": "a", "displayName": "A"}, {"value": "a", "displayName": "B"}]"#),
            path: "$.appRoles[1].value", message: "two app roles have the value 'a'"),
        ScenarioErrorCase(
            name: "deleted teammate without address",
            document: Documents.document(front: #"{"deletedTeammates": ["bob@contoso.example", "bob"]}"#),
            path: "$.front.deletedTeammates[1]", message: "expected an email address"),
        ScenarioErrorCase(
            name: "existing teammate without userName",
            document: Documents.document(front: #"{"existingTeammates": [{"displayName": "Carol"}]}"#),
            path: "$.front.existingTeammates[0].userName", message: "the member 'userName' is missing"),
        ScenarioErrorCase(
            name: "existing teammate blocked as string",
            document: Documents.document(
                front: #"{"existingTeammates": [{"userName": "carol@contoso.example", "blocked": "yes"}]}"#),
            path: "$.front.existingTeammates[0].blocked", message: "expected true or false"),
        ScenarioErrorCase(
            name: "fault with a status below 400",
            document: Documents.document(front: #"{"faults": [{"method": "POST", "path": "/Users", "status": 302}]}"#),
            path: "$.front.faults[0].status", message: "fault needs a 'status' from 400 to 599"),
        ScenarioErrorCase(
            name: "fault with a relative path",
            document: Documents.document(front: #"{"faults": [{"method": "GET", "path": "Users", "status": 404}]}"#),
            path: "$.front.faults[0].path", message: "fault needs a 'path' relative to the SCIM base"),
        ScenarioErrorCase(
            name: "fault with a kind",
            document: Documents.document(
                front: #"{"faults": [{"kind": "fault", "method": "GET", "path": "/Users", "status": 404}]}"#),
            path: "$.front.faults[0].kind", message: "a fault has no 'kind' member"),
        ScenarioErrorCase(
            name: "fault with zero count",
            document: Documents.document(
                front: #"{"faults": [{"method": "GET", "path": "/Users", "status": 503, "count": 0}]}"#),
            path: "$.front.faults[0].count", message: "'count' must be an integer from 1 to 1000000"),
        ScenarioErrorCase(
            name: "fault with a count that overflows",
            document: Documents.document(
                front:
                    #"{"faults": [{"method": "GET", "path": "/Users", "status": 503, "after": 1, "count": 9223372036854775807}]}"#
            ),
            path: "$.front.faults[0].count", message: "'count' must be an integer from 1 to 1000000"),
        ScenarioErrorCase(
            name: "unknown front member", document: Documents.document(front: #"{"groups": []}"#),
            path: "$.front.groups", message: "unknown member 'groups'"),
        ScenarioErrorCase(
            name: "userPrincipalName without domain",
            document: Documents.document(users: [#"{"key": "a", "objectId": "1", "userPrincipalName": "alice"}"#]),
            path: "$.directory.users[0].userPrincipalName", message: "expected user@domain"),
        ScenarioErrorCase(
            name: "user without objectId",
            document: Documents.document(users: [#"{"key": "a", "userPrincipalName": "a@contoso.example"}"#]),
            path: "$.directory.users[0].objectId", message: "the member 'objectId' is missing"),
        ScenarioErrorCase(
            name: "user with mail as number",
            document: Documents.document(
                users: [
                    Documents.alice,
                    #"{"key": "b", "objectId": "2", "userPrincipalName": "b@contoso.example", "mail": 5}"#,
                ]),
            path: "$.directory.users[1].mail", message: "expected a string, found number"),
        ScenarioErrorCase(
            name: "user with unknown member",
            document: Documents.document(
                users: [#"{"key": "a", "objectId": "1", "userPrincipalName": "a@contoso.example", "phone": "1"}"#]),
            path: "$.directory.users[0].phone", message: "unknown member 'phone'"),
        ScenarioErrorCase(
            name: "manager not in the directory",
            document: Documents.document(
                users: [#"{"key": "a", "objectId": "1", "userPrincipalName": "a@contoso.example", "manager": "b"}"#]),
            path: "$.directory.users[0].manager", message: "the manager must be the key of another user"),
        ScenarioErrorCase(
            name: "duplicate user keys", document: Documents.document(users: [Documents.alice, Documents.alice]),
            path: "$.directory.users[1].key", message: "two users have the key 'alice'"),
        ScenarioErrorCase(
            name: "group member not a user",
            document: Documents.document(
                groups: [#"{"key": "g", "objectId": "9", "displayName": "G", "members": ["alice", "zoe"]}"#]),
            path: "$.directory.groups[0].members[1]", message: "expected the key of a directory user"),
        ScenarioErrorCase(
            name: "duplicate group keys",
            document: Documents.document(
                groups: [
                    #"{"key": "g", "objectId": "9", "displayName": "G"}"#,
                    #"{"key": "g", "objectId": "8", "displayName": "H"}"#,
                ]),
            path: "$.directory.groups[1].key", message: "two groups have the key 'g'"),
    ]

    static let timelineCases = [
        ScenarioErrorCase(
            name: "unknown event", document: Documents.document(timeline: [#"{"event": "rename", "user": "alice"}"#]),
            path: "$.timeline[0].event", message: "unknown event 'rename'"),
        ScenarioErrorCase(
            name: "unknown user key",
            document: Documents.document(timeline: [
                #"{"event": "testConnection"}"#, #"{"event": "assign", "user": "mallory"}"#,
            ]),
            path: "$.timeline[1].user", message: "no directory user has the key 'mallory'"),
        ScenarioErrorCase(
            name: "unknown group key",
            document: Documents.document(timeline: [#"{"event": "assign", "group": "sales"}"#]),
            path: "$.timeline[0].group", message: "no directory group has the key 'sales'"),
        ScenarioErrorCase(
            name: "unknown app role",
            document: Documents.document(
                timeline: [#"{"event": "assign", "user": "alice", "role": "template-admin"}"#]),
            path: "$.timeline[0].role", message: "no app role has the value 'template-admin'"),
        ScenarioErrorCase(
            name: "assign to user and group",
            document: Documents.document(timeline: [#"{"event": "assign", "user": "alice", "group": "g"}"#]),
            path: "$.timeline[0]", message: "exactly one of 'user' and 'group'"),
        ScenarioErrorCase(
            name: "change of unmapped attribute",
            document: Documents.document(
                timeline: [#"{"event": "update", "user": "alice", "changes": {"objectId": "x"}}"#]),
            path: "$.timeline[0].changes.objectId", message: "'objectId' cannot change"),
        ScenarioErrorCase(
            name: "change that is not a string",
            document: Documents.document(
                timeline: [#"{"event": "update", "user": "alice", "changes": {"surname": 5}}"#]),
            path: "$.timeline[0].changes.surname", message: "expected a string, or null to clear it"),
        ScenarioErrorCase(
            name: "userPrincipalName cleared",
            document: Documents.document(
                timeline: [#"{"event": "update", "user": "alice", "changes": {"userPrincipalName": null}}"#]),
            path: "$.timeline[0].changes.userPrincipalName", message: "expected a string"),
        ScenarioErrorCase(
            name: "manager change to unknown user",
            document: Documents.document(
                timeline: [#"{"event": "update", "user": "alice", "changes": {"manager": "zoe"}}"#]),
            path: "$.timeline[0].changes.manager", message: "no directory user has the key 'zoe'"),
        ScenarioErrorCase(
            name: "update without changes",
            document: Documents.document(timeline: [#"{"event": "update", "user": "alice"}"#]),
            path: "$.timeline[0].changes", message: "the member 'changes' is missing"),
        ScenarioErrorCase(
            name: "test connection with user",
            document: Documents.document(timeline: [#"{"event": "testConnection", "user": "alice"}"#]),
            path: "$.timeline[0].user", message: "unknown member 'user'"),
        ScenarioErrorCase(
            name: "probe without principal",
            document: Documents.document(timeline: [#"{"event": "probe"}"#]),
            path: "$.timeline[0]", message: "exactly one of 'user' and 'group'"),
        ScenarioErrorCase(
            name: "cycle before start",
            document: Documents.document(timeline: [Events.assign("alice"), Events.cycle]),
            path: "$.timeline[1].event", message: "provisioning has not started"),
        ScenarioErrorCase(
            name: "restart with unknown scope",
            document: Documents.document(timeline: [Events.start, #"{"event": "restart", "resetScope": "escrows"}"#]),
            path: "$.timeline[1].resetScope", message: "resetScope 'escrows' is not supported"),
        ScenarioErrorCase(
            name: "restore without soft delete",
            document: Documents.document(timeline: [Events.event("restore", "alice")]),
            path: "$.timeline[0]", message: "'alice' is not soft-deleted"),
        ScenarioErrorCase(
            name: "event after hard delete",
            document: Documents.document(timeline: [Events.event("hardDelete", "alice"), Events.assign("alice")]),
            path: "$.timeline[1]", message: "'alice' was permanently deleted earlier"),
        ScenarioErrorCase(
            name: "member added twice",
            document: Documents.document(
                groups: [#"{"key": "g", "objectId": "9", "displayName": "G", "members": ["alice"]}"#],
                timeline: [Events.member("addMember", "g", "alice")]),
            path: "$.timeline[0]", message: "'alice' is already a member of 'g'"),
        ScenarioErrorCase(
            name: "removal of a non-member",
            document: Documents.document(
                groups: [#"{"key": "g", "objectId": "9", "displayName": "G"}"#],
                timeline: [Events.member("removeMember", "g", "alice")]),
            path: "$.timeline[0]", message: "'alice' is not a member of 'g'"),
        ScenarioErrorCase(
            name: "rename of a deleted group",
            document: Documents.document(
                groups: [#"{"key": "g", "objectId": "9", "displayName": "G"}"#],
                timeline: [
                    Events.groupEvent("deleteGroup", "g"),
                    #"{"event": "renameGroup", "group": "g", "displayName": "H"}"#,
                ]),
            path: "$.timeline[1]", message: "group 'g' was deleted earlier"),
        ScenarioErrorCase(
            name: "empty timeline", document: Documents.document(), path: "$.timeline",
            message: "the timeline is empty"),
        ScenarioErrorCase(
            name: "timeline not an array",
            document: Documents.document().replacingOccurrences(of: #""timeline": []"#, with: #""timeline": {}"#),
            path: "$.timeline", message: "expected an array, found object"),
    ]

    static let allCases: [ScenarioErrorCase] = rootCases + tenantCases + directoryCases + timelineCases

    @Test(arguments: allCases)
    func decodingErrorNamesJSONPath(testCase: ScenarioErrorCase) throws {
        let document = try JSONValue.parse(testCase.document)

        let error = scenarioError { () throws(ScenarioError) in try Scenario(json: document) }

        #expect(error?.path.description == testCase.path)
        #expect(error?.message.contains(testCase.message) == true, "message: \(error?.message ?? "none")")
    }
}

@Suite struct ScenarioDecodingDefaults {
    @Test func omittedMembersTakeDefaults() throws {
        let document = try JSONValue.parse(
            #"{"name": "minimal", "description": "", "directory": {"users": [{"key": "a", "objectId": "1", "userPrincipalName": "ann.lee@contoso.example"}]}, "timeline": [{"event": "assign", "user": "a"}]}"#
        )

        let scenario = try Scenario(json: document)

        #expect(scenario.seed == 1)
        #expect(scenario.startTime == Scenario.defaultStartTime)
        #expect(scenario.tenant == Tenant())
        #expect(scenario.tenant.aadOptscim062020)
        #expect(scenario.tenant.actions == TargetObjectActions(create: true, update: true, delete: true))
        #expect(scenario.tenant.mapping == .preset(.front))
        #expect(scenario.tenant.matching == ["userName"])
        #expect(scenario.tenant.shapes == RequestShapes())
        #expect(scenario.users.first?.mailNickname == "ann.lee")
        #expect(scenario.users.first?.accountEnabled == true)
        #expect(scenario.timeline == [.assign(.user("a"), role: nil)])
        #expect(scenario.front.preconditions.isEmpty)
    }

    @Test func everyEventKindDecodes() throws {
        let group = #"{"key": "g", "objectId": "9", "displayName": "G", "members": []}"#
        let timeline = [
            Events.testConnection,
            #"{"event": "assign", "user": "alice", "role": "template-support"}"#,
            Events.assignGroup("g", role: nil),
            Events.start,
            #"{"event": "update", "user": "alice", "changes": {"surname": "Smith", "jobTitle": null}}"#,
            #"{"event": "changeRole", "user": "alice", "role": "template-sales"}"#,
            #"{"event": "unassign", "user": "alice", "role": "template-sales"}"#,
            #"{"event": "unassign", "group": "g"}"#,
            Events.cycle,
            Events.restart(),
            Events.restart(full: true),
            Events.event("provisionOnDemand", "alice"),
            Events.event("disableAccount", "alice"),
            Events.event("enableAccount", "alice"),
            Events.member("addMember", "g", "alice"),
            Events.member("removeMember", "g", "alice"),
            #"{"event": "renameGroup", "group": "g", "displayName": "H"}"#,
            Events.event("softDelete", "alice"),
            Events.event("restore", "alice"),
            Events.event("hardDelete", "alice"),
            Events.event("probe", "alice"),
            Events.groupEvent("probe", "g"),
            Events.groupEvent("deleteGroup", "g"),
        ]

        let scenario = try ScenarioDocuments.scenario(groups: [group], timeline: timeline)

        #expect(
            scenario.timeline == [
                .testConnection,
                .assign(.user("alice"), role: "template-support"),
                .assign(.group("g"), role: nil),
                .startProvisioning,
                .update(user: "alice", changes: ["surname": "Smith", "jobTitle": String?.none]),
                .changeRole(.user("alice"), role: "template-sales"),
                .unassign(.user("alice"), role: "template-sales"),
                .unassign(.group("g"), role: nil),
                .cycle,
                .restart(breakLinks: false),
                .restart(breakLinks: true),
                .provisionOnDemand(user: "alice"),
                .setAccountEnabled(user: "alice", enabled: false),
                .setAccountEnabled(user: "alice", enabled: true),
                .addMember(group: "g", user: "alice"),
                .removeMember(group: "g", user: "alice"),
                .renameGroup(group: "g", displayName: "H"),
                .softDelete(user: "alice"),
                .restore(user: "alice"),
                .hardDelete(user: "alice"),
                .probe(.user("alice")),
                .probe(.group("g")),
                .deleteGroup(group: "g"),
            ])
    }

    @Test func tenantSettingsAreRead() throws {
        let tenant = #"""
            {"aadOptscim062020": false, "targetObjectActions": {"delete": false}, "templateMapping": "always",
             "adjustments": {"toLowerActive": false, "workEmailFromUserPrincipalName": false,
                             "mailNicknameOnCreateOnly": false, "externalIdRequired": false},
             "matching": ["userName", "externalId"], "provisionGroups": false, "retryAfter": "ignore",
             "roleChoice": "last", "quarantine": {"minimumFailures": 2, "failureProportion": 0.5},
             "shapes": {"readBeforeDisable": false, "foldSingleReplace": false, "manager": "published",
                        "memberReference": "omit", "groupSchemas": "core", "testConnectionGroups": false,
                        "createActive": "mapped"}}
            """#

        let scenario = try ScenarioDocuments.scenario(tenant: tenant, timeline: [Events.testConnection])

        let tenantValue = scenario.tenant
        #expect(tenantValue.dialectName == "legacy")
        #expect(tenantValue.actions == TargetObjectActions(create: true, update: true, delete: false))
        #expect(
            tenantValue.mapping
                == .preset(
                    .front,
                    adjustments: AttributeMapping.Adjustments(
                        toLowerActive: false, workEmailFromUserPrincipalName: false, mailNicknameOnCreateOnly: false,
                        externalIdRequired: false),
                    template: .always))
        #expect(tenantValue.matching == ["userName", "externalId"])
        #expect(tenantValue.provisionGroups == false)
        #expect(tenantValue.retryAfter == .ignore)
        #expect(tenantValue.roleChoice == .last)
        #expect(tenantValue.quarantine == QuarantinePolicy(minimumFailures: 2, failureProportion: 0.5))
        #expect(tenantValue.shapes.readBeforeDisable == false)
        #expect(tenantValue.shapes.foldSingleReplace == false)
        #expect(tenantValue.shapes.manager == .published)
        #expect(tenantValue.shapes.memberReference == .omit)
        #expect(tenantValue.shapes.groupSchemas == .core)
        #expect(tenantValue.shapes.testConnectionGroups == false)
        #expect(tenantValue.shapes.createActive == .mapped)
    }

    @Test func customAttributesExtendPreset() throws {
        let tenant = #"""
            {"mapping": "entra-default", "attributes": [
                {"target": "nickName", "source": "givenName"},
                {"target": "active", "expression": "ToLower(Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\"), )"},
                {"target": "externalId", "source": "objectId", "apply": "creationOnly"}]}
            """#

        let scenario = try ScenarioDocuments.scenario(tenant: tenant, timeline: [Events.testConnection])

        let mapping = scenario.tenant.mapping
        #expect(mapping.preset == .entraDefault)
        #expect(
            mapping.entry(for: "nickName")
                == AttributeMapping.Entry(target: "nickName", source: .attribute("givenName")))
        #expect(mapping.entry(for: "active")?.source == .active(toLower: true))
        #expect(
            mapping.entry(for: "externalId")
                == AttributeMapping.Entry(target: "externalId", source: .attribute("objectId"), apply: .creationOnly))
        #expect(mapping.entry(for: AttributeMapping.managerPath)?.source == .manager)
        #expect(mapping.entry(for: AttributeMapping.templatePath) == nil)
    }

    @Test func frontStateBecomesPreconditions() throws {
        let front = #"""
            {"deletedTeammates": ["bob@contoso.example"],
             "existingTeammates": [{"userName": "carol@contoso.example", "blocked": true}],
             "faults": [{"method": "POST", "path": "/Users", "status": 429, "retryAfter": 2, "after": 1, "count": 3}]}
            """#

        let scenario = try ScenarioDocuments.scenario(front: front, timeline: [Events.testConnection])

        #expect(
            scenario.front.preconditions == [
                .deletedTeammate(email: "bob@contoso.example"),
                .existingTeammate(user: JSONObject([("userName", "carol@contoso.example")]), blocked: true),
                .fault(InjectedFault(method: "POST", path: "/Users", status: 429, retryAfter: 2, after: 1, count: 3)),
            ])
    }
}

@Suite struct ScenarioFileLoading {
    /// A file under the system temporary directory. Each test removes it with `remove()`.
    struct TemporaryFile {
        let path: String

        init(_ text: String) throws {
            path = NSTemporaryDirectory() + "scimtape-scenario-" + UUID().uuidString + ".json"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }

        func remove() {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    @Test func validFileLoads() throws {
        let file = try TemporaryFile(ScenarioDocuments.document(timeline: [#"{"event": "testConnection"}"#]))
        defer { file.remove() }

        let scenario = try Scenario.load(path: file.path)

        #expect(scenario.name == "simulator-test")
        #expect(scenario.timeline == [.testConnection])
    }

    @Test func truncatedFileNamesFileAndLine() throws {
        let text = ScenarioDocuments.document(timeline: [#"{"event": "testConnection"}"#])
        let file = try TemporaryFile(String(text.prefix(text.count / 2)))
        defer { file.remove() }

        let error = scenarioError { () throws(ScenarioError) in try Scenario.load(path: file.path) }

        #expect(error?.file == file.path)
        #expect(error?.description.hasPrefix("\(file.path): error: ") == true)
        #expect(error?.message.contains("invalid JSON at line 1") == true, "message: \(error?.message ?? "none")")
    }

    @Test func invalidEventNamesFileAndPath() throws {
        let file = try TemporaryFile(ScenarioDocuments.document(timeline: [#"{"event": "rename", "user": "alice"}"#]))
        defer { file.remove() }

        let error = scenarioError { () throws(ScenarioError) in try Scenario.load(path: file.path) }

        #expect(error?.file == file.path)
        #expect(
            error?.description
                == "\(file.path): error: $.timeline[0].event: unknown event 'rename'; expected one of testConnection, "
                + "startProvisioning, cycle, restart, provisionOnDemand, assign, unassign, changeRole, update, "
                + "renameGroup, disableAccount, enableAccount, softDelete, restore, hardDelete, addMember, "
                + "removeMember, deleteGroup, probe")
    }

    @Test func missingFileIsError() {
        let path = NSTemporaryDirectory() + "scimtape-missing-" + UUID().uuidString + ".json"

        let error = scenarioError { () throws(ScenarioError) in try Scenario.load(path: path) }

        #expect(error?.file == path)
        #expect(error?.message.hasPrefix("cannot read the file") == true)
    }
}
