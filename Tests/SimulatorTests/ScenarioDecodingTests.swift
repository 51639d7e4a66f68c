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
            name: "negative seed", document: Documents.document(members: #""seed": -1, "#), path: "$.seed",
            message: "expected a non-negative integer"),
    ]

    static let tenantCases = [
        ScenarioErrorCase(
            name: "tenant not an object", document: Documents.document(tenant: "true"), path: "$.tenant",
            message: "expected an object, found boolean"),
        ScenarioErrorCase(
            name: "flag as string", document: Documents.document(tenant: #"{"aadOptscim062020": "yes"}"#),
            path: "$.tenant.aadOptscim062020", message: #"expected true or false, found "yes""#),
        ScenarioErrorCase(
            name: "unknown mapping preset", document: Documents.document(tenant: #"{"mapping": "custom"}"#),
            path: "$.tenant.mapping", message: "unknown mapping preset 'custom'; expected front"),
        ScenarioErrorCase(
            name: "unknown template mapping",
            document: Documents.document(tenant: #"{"templateMapping": "sometimes"}"#),
            path: "$.tenant.templateMapping",
            message: "templateMapping 'sometimes' is not one of none, creationOnly, always"),
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
    ]

    static let directoryCases = [
        ScenarioErrorCase(
            name: "app role without display name",
            document: Documents.document(appRoles: #"[{"value": "a", "displayName": "A"}, {"value": "b"}]"#),
            path: "$.appRoles[1].displayName", message: "the member 'displayName' is missing"),
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
                users: [#"{"key": "a", "objectId": "1", "userPrincipalName": "a@contoso.example", "manager": "b"}"#]),
            path: "$.directory.users[0].manager", message: "unknown member 'manager'"),
        ScenarioErrorCase(
            name: "duplicate user keys", document: Documents.document(users: [Documents.alice, Documents.alice]),
            path: "$.directory.users", message: "two users have the same key"),
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
            name: "unknown app role",
            document: Documents.document(
                timeline: [#"{"event": "assign", "user": "alice", "role": "template-admin"}"#]),
            path: "$.timeline[0].role", message: "no app role has the value 'template-admin'"),
        ScenarioErrorCase(
            name: "change of unmapped attribute",
            document: Documents.document(
                timeline: [#"{"event": "update", "user": "alice", "changes": {"objectId": "x"}}"#]),
            path: "$.timeline[0].changes.objectId", message: "'objectId' cannot change"),
        ScenarioErrorCase(
            name: "change that is not a string",
            document: Documents.document(
                timeline: [#"{"event": "update", "user": "alice", "changes": {"surname": 5}}"#]),
            path: "$.timeline[0].changes.surname", message: "expected a string"),
        ScenarioErrorCase(
            name: "update without changes",
            document: Documents.document(timeline: [#"{"event": "update", "user": "alice"}"#]),
            path: "$.timeline[0].changes", message: "the member 'changes' is missing"),
        ScenarioErrorCase(
            name: "unassign with role",
            document: Documents.document(
                timeline: [#"{"event": "unassign", "user": "alice", "role": "template-sales"}"#]),
            path: "$.timeline[0].role", message: "unknown member 'role'"),
        ScenarioErrorCase(
            name: "test connection with user",
            document: Documents.document(timeline: [#"{"event": "testConnection", "user": "alice"}"#]),
            path: "$.timeline[0].user", message: "unknown member 'user'"),
        ScenarioErrorCase(
            name: "event without user",
            document: Documents.document(timeline: [#"{"event": "probe"}"#]),
            path: "$.timeline[0].user", message: "the member 'user' is missing"),
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
        #expect(scenario.tenant == Tenant())
        #expect(scenario.tenant.aadOptscim062020)
        #expect(scenario.tenant.deleteAction)
        #expect(scenario.tenant.mapping == .front)
        #expect(scenario.users.first?.mailNickname == "ann.lee")
        #expect(scenario.timeline == [.assign(user: "a", role: nil)])
        #expect(scenario.front.preconditions.isEmpty)
    }

    @Test func everyEventKindDecodes() throws {
        let timeline = [
            #"{"event": "testConnection"}"#,
            #"{"event": "assign", "user": "alice", "role": "template-support"}"#,
            #"{"event": "update", "user": "alice", "changes": {"surname": "Smith", "jobTitle": "Lead"}}"#,
            #"{"event": "changeRole", "user": "alice", "role": "template-sales"}"#,
            #"{"event": "unassign", "user": "alice"}"#,
            #"{"event": "softDelete", "user": "alice"}"#,
            #"{"event": "restore", "user": "alice"}"#,
            #"{"event": "hardDelete", "user": "alice"}"#,
            #"{"event": "probe", "user": "alice"}"#,
        ]

        let scenario = try ScenarioDocuments.scenario(timeline: timeline)

        #expect(
            scenario.timeline == [
                .testConnection,
                .assign(user: "alice", role: "template-support"),
                .update(user: "alice", changes: ["surname": "Smith", "jobTitle": "Lead"]),
                .changeRole(user: "alice", role: "template-sales"),
                .unassign(user: "alice"),
                .softDelete(user: "alice"),
                .restore(user: "alice"),
                .hardDelete(user: "alice"),
                .probe(user: "alice"),
            ])
    }

    @Test func tenantSettingsAreRead() throws {
        let tenant =
            #"{"aadOptscim062020": false, "deleteAction": false, "templateMapping": "always", "adjustments": {"toLowerActive": false, "workEmailFromUserPrincipalName": false, "mailNicknameOnCreateOnly": false}}"#

        let scenario = try ScenarioDocuments.scenario(tenant: tenant, timeline: [#"{"event": "testConnection"}"#])

        #expect(scenario.tenant.dialectName == "legacy")
        #expect(scenario.tenant.deleteAction == false)
        #expect(
            scenario.tenant.mapping
                == AttributeMapping(
                    toLowerActive: false, workEmailFromUserPrincipalName: false, mailNicknameOnCreateOnly: false,
                    template: .always))
    }

    @Test func frontStateBecomesPreconditions() throws {
        let front =
            #"{"deletedTeammates": ["bob@contoso.example"], "existingTeammates": [{"userName": "carol@contoso.example", "blocked": true}]}"#

        let scenario = try ScenarioDocuments.scenario(front: front, timeline: [#"{"event": "testConnection"}"#])

        #expect(
            scenario.front.preconditions == [
                .deletedTeammate(email: "bob@contoso.example"),
                .existingTeammate(user: JSONObject([("userName", "carol@contoso.example")]), blocked: true),
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
                == "\(file.path): error: $.timeline[0].event: unknown event 'rename'; expected testConnection, assign, "
                + "update, unassign, softDelete, restore, hardDelete, changeRole or probe")
    }

    @Test func missingFileIsError() {
        let path = NSTemporaryDirectory() + "scimtape-missing-" + UUID().uuidString + ".json"

        let error = scenarioError { () throws(ScenarioError) in try Scenario.load(path: path) }

        #expect(error?.file == path)
        #expect(error?.message.hasPrefix("cannot read the file") == true)
    }
}
