import Foundation
import HTTP
import SCIM
import Simulator
import Testing
import Transcript

/// Request bodies Microsoft publishes for Entra's SCIM client, transcribed by hand with their
/// values, and the scenarios that must make the simulator send exactly them.
///
/// Sources (learn.microsoft.com/entra/identity/app-provisioning/):
/// - `application-provisioning-config-problem-scim-compatibility`, "Flags to alter the SCIM
///   behavior": each request without and with `aadOptscim062020`.
/// - `use-scim-to-provision-users-and-groups`, "SCIM protocol requests and responses" and
///   "Example 5" (the manager update).
///
/// Object ids come from the endpoint, so the published ids (`u1091`, `f648f8d5ea4e4cd38e9c`, ...)
/// are replaced by the ids the reference endpoint returned. Every other value is Microsoft's.
@Suite struct GoldenBodies {
    // MARK: - Disable (compatibility page, "Requests made to disable users")

    static let disableLegacy = """
        {
            "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
            ],
            "Operations": [
                {
                    "op": "Replace",
                    "path": "active",
                    "value": "False"
                }
            ]
        }
        """

    static let disableFlagged = """
        {
            "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
            ],
            "Operations": [
                {
                    "op": "replace",
                    "path": "active",
                    "value": false
                }
            ]
        }
        """

    /// Re-enabling is documented as happening but not shown; these are the disable bodies with
    /// the value inverted, the shape the simulator infers.
    static let enableLegacy = disableLegacy.replacingOccurrences(of: #""False""#, with: #""True""#)
    static let enableFlagged = disableFlagged.replacingOccurrences(of: "false", with: "true")

    static let disableCases: [(flagged: Bool, disable: String, enable: String)] = [
        (false, disableLegacy, enableLegacy),
        (true, disableFlagged, enableFlagged),
    ]

    @Test(arguments: disableCases)
    func disableAndEnableMatchPublished(flagged: Bool, disable: String, enable: String) throws {
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"aadOptscim062020": \#(flagged), "mapping": "entra-default"}"#,
            timeline: [
                Events.assign("alice", role: nil), Events.start, Events.event("unassign", "alice"), Events.cycle,
                Events.assign("alice", role: nil), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        let patches = transcript.exchanges.filter { $0.request.method == "PATCH" }
        #expect(patches.count == 2)
        #expect(patches.first?.request.body.json == (try JSONValue.parse(disable)))
        #expect(patches.last?.request.body.json == (try JSONValue.parse(enable)))
    }

    // MARK: - Single-value add (compatibility page, "Requests to add a single-value string attribute")

    static let addLegacy = """
        {
            "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
            ],
            "Operations": [
              {
                "op": "Add",
                "path": "nickName",
                "value": "Babs"
              }
            ]
        }
        """

    static let addFlagged = """
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
              {
                "op": "add",
                "path": "nickName",
                "value": "Babs"
              }
            ]
        }
        """

    @Test(arguments: [(false, addLegacy), (true, addFlagged)])
    func singleValueAddMatchesPublished(flagged: Bool, expected: String) throws {
        let tenant = #"""
            {"aadOptscim062020": \#(flagged), "mapping": "custom", "attributes": [
                {"target": "userName", "source": "userPrincipalName"},
                {"target": "active", "expression": "Switch([IsSoftDeleted], , \"False\", \"True\", \"True\", \"False\")"},
                {"target": "nickName", "source": "givenName"}]}
            """#
        let barbara = #"{"key": "barbara", "objectId": "1", "userPrincipalName": "bjensen@contoso.example"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, users: [barbara],
            timeline: [
                Events.assign("barbara", role: nil), Events.start,
                Events.update("barbara", #"{"givenName": "Babs"}"#), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.exchanges.last?.request.body.json == (try JSONValue.parse(expected)))
        #expect(transcript.exchanges.last?.response.body.json?["nickName"] == "Babs")
    }

    // MARK: - Multi-attribute replace (compatibility page, "Requests to replace multiple attributes")

    static let replaceLegacy = """
        {
            "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
            ],
            "Operations": [
                {
                    "op": "Replace",
                    "path": "displayName",
                    "value": "Pvlo"
                },
                {
                    "op": "Replace",
                    "path": "emails[type eq \\"work\\"].value",
                    "value": "TestBcwqnm@test.microsoft.com"
                },
                {
                    "op": "Replace",
                    "path": "name.givenName",
                    "value": "Gtfd"
                },
                {
                    "op": "Replace",
                    "path": "name.familyName",
                    "value": "Pkqf"
                },
                {
                    "op": "Replace",
                    "path": "externalId",
                    "value": "Eqpj"
                },
                {
                    "op": "Replace",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
                    "value": "Eqpj"
                }
            ]
        }
        """

    static let replaceFlagged = """
        {
            "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
            ],
            "Operations": [
                {
                    "op": "replace",
                    "path": "emails[type eq \\"work\\"].value",
                    "value": "TestMhvaes@test.microsoft.com"
                },
                {
                    "op": "replace",
                    "value": {
                        "displayName": "Bjfe",
                        "name.givenName": "Kkom",
                        "name.familyName": "Unua",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"
                    }
                }
            ]
        }
        """

    static let replaceCases: [(flagged: Bool, changes: String, expected: String)] = [
        (
            false,
            #"{"displayName": "Pvlo", "mail": "TestBcwqnm@test.microsoft.com", "givenName": "Gtfd", "surname": "Pkqf", "mailNickname": "Eqpj", "employeeId": "Eqpj"}"#,
            replaceLegacy
        ),
        (
            true,
            #"{"displayName": "Bjfe", "mail": "TestMhvaes@test.microsoft.com", "givenName": "Kkom", "surname": "Unua", "employeeId": "Aklq"}"#,
            replaceFlagged
        ),
    ]

    @Test(arguments: replaceCases)
    func multiAttributeReplaceMatchesPublished(flagged: Bool, changes: String, expected: String) throws {
        let user =
            #"{"key": "test", "objectId": "1", "userPrincipalName": "test@test.microsoft.com", "mail": "old@test.microsoft.com", "mailNickname": "old", "givenName": "Old", "surname": "Name", "displayName": "Old Name", "employeeId": "0"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"aadOptscim062020": \#(flagged), "mapping": "entra-default"}"#, users: [user],
            timeline: [Events.assign("test", role: nil), Events.start, Events.update("test", changes), Events.cycle])

        let transcript = try simulate(scenario).transcript

        #expect(transcript.exchanges.last?.request.body.json == (try JSONValue.parse(expected)))
        #expect(transcript.exchanges.last?.response.status == 200)
    }

    // MARK: - Member removal (compatibility page, "Requests made to remove a group member")

    static let removeLegacy = """
        {
            "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
            ],
            "Operations": [
                {
                    "op": "Remove",
                    "path": "members",
                    "value": [
                        {
                            "value": "u1091"
                        }
                    ]
                }
            ]
        }
        """

    static let removeFlagged = """
        {
            "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
            ],
            "Operations": [
                {
                    "op": "remove",
                    "path": "members[value eq \\"7f4bc1a3-285e-48ae-8202-5accb43efb0e\\"]"
                }
            ]
        }
        """

    static let removalCases: [(flagged: Bool, expected: String, publishedId: String)] = [
        (false, removeLegacy, "u1091"),
        (true, removeFlagged, "7f4bc1a3-285e-48ae-8202-5accb43efb0e"),
    ]

    @Test(arguments: removalCases)
    func memberRemovalMatchesPublished(flagged: Bool, expected: String, publishedId: String) throws {
        let group = #"{"key": "g", "objectId": "2", "displayName": "Group", "members": ["alice"]}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"aadOptscim062020": \#(flagged)}"#, groups: [group],
            timeline: [
                Events.assign("alice"), Events.assignGroup("g"), Events.start,
                Events.member("removeMember", "g", "alice"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        let userId = try #require(transcript.exchanges(step: "create").first?.response.body.json?["id"]?.stringValue)
        let removal = try #require(transcript.exchanges.last)
        #expect(removal.step == "members")
        #expect(
            removal.request.body.json
                == (try JSONValue.parse(expected.replacingOccurrences(of: publishedId, with: userId))))
        #expect(removal.response.status == 204)
    }

    // MARK: - Manager set (tutorial, "Example 5. Request from Microsoft Entra ID to an SCIM endpoint to update a user")

    static let managerPublished = """
        {
            "schemas":
            [
              "urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations":
            [
              {
                "op":"Add",
                "path":"manager",
                "value":
                  [
                    {
                      "$ref":"http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
                      "value":"00aa00aa-bb11-cc22-dd33-44ee44ee44ee"}]}]}
        """

    @Test func managerSetMatchesPublished() throws {
        let employee =
            #"{"key": "employee", "objectId": "1", "userPrincipalName": "employee@contoso.example", "manager": "boss"}"#
        let boss = #"{"key": "boss", "objectId": "2", "userPrincipalName": "boss@contoso.example"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: #"{"aadOptscim062020": false, "mapping": "entra-default", "shapes": {"manager": "published"}}"#,
            users: [employee, boss],
            timeline: [Events.assign("employee", role: nil), Events.assign("boss", role: nil), Events.start])

        let transcript = try simulate(scenario).transcript

        let boss201 = try #require(transcript.exchanges(step: "create").last)
        let bossId = try #require(boss201.response.body.json?["id"]?.stringValue)
        let base = try #require(boss201.response.headers["Location"]).replacingOccurrences(
            of: "/Users/\(bossId)", with: "")
        let expected = Self.managerPublished
            .replacingOccurrences(of: "http://.../scim", with: base)
            .replacingOccurrences(of: "00aa00aa-bb11-cc22-dd33-44ee44ee44ee", with: bossId)
        #expect(transcript.exchanges.last?.step == "reference")
        #expect(transcript.exchanges.last?.request.body.json == (try JSONValue.parse(expected)))
    }

    // MARK: - Test Connection (tutorial, Test Connection note and "Get User by query")

    @Test func testConnectionMatchesPublished() throws {
        let scenario = try ScenarioDocuments.scenario(timeline: [Events.testConnection])

        let exchange = try #require(try simulate(scenario).transcript.exchanges.first)

        let query = RequestTarget.split(exchange.request.path)
        let filter = RequestTarget.queryItems(query.query ?? "").first { $0.name == "filter" }?.value ?? ""
        #expect(exchange.request.method == "GET")
        #expect(query.path == "/Users")
        #expect(
            filter.wholeMatch(of: /userName eq "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"/)
                != nil)
        #expect(exchange.request.body == RecordedBody.none)
        #expect(exchange.response.status == 200)
        #expect(exchange.response.body.json?["totalResults"] == 0)
    }

    // MARK: - Hard delete (tutorial, "Delete User")

    @Test func hardDeleteMatchesPublished() throws {
        let scenario = try ScenarioDocuments.scenario(
            timeline: [
                Events.assign("alice"), Events.start, Events.event("softDelete", "alice"), Events.cycle,
                Events.event("hardDelete", "alice"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        let id = try #require(transcript.exchanges(step: "create").first?.response.body.json?["id"]?.stringValue)
        let delete = try #require(transcript.exchanges.last)
        #expect(delete.request.method == "DELETE")
        #expect(delete.request.path == "/Users/\(id)")
        #expect(delete.request.body == RecordedBody.none)
        #expect(delete.response.status == 204)
    }

    // MARK: - Groups (tutorial, "Group Operations")

    static let createGroupPublished = """
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "displayName",
            "meta": {
                "resourceType": "Group"
            }
        }
        """

    static let addMembersPublished = """
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{
                "op": "Add",
                "path": "members",
                "value": [{
                    "$ref": null,
                    "value": "f648f8d5ea4e4cd38e9c"
                }]
            }]
        }
        """

    static let renameGroupPublished = """
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{
                "op": "Replace",
                "path": "displayName",
                "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
            }]
        }
        """

    @Test func groupRequestsMatchPublished() throws {
        let group =
            #"{"key": "g", "objectId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName", "members": ["alice"]}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: ScenarioDocuments.legacyTenant, groups: [group],
            timeline: [
                Events.assignGroup("g"), Events.start,
                #"{"event": "renameGroup", "group": "g", "displayName": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}"#,
                Events.cycle, Events.groupEvent("deleteGroup", "g"), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        let userId = try #require(transcript.exchanges(step: "create").first?.response.body.json?["id"]?.stringValue)
        let groupCreate = try #require(transcript.exchanges.first { $0.request.path == "/Groups" })
        let groupId = try #require(groupCreate.response.body.json?["id"]?.stringValue)
        let query = try #require(transcript.exchanges.first { $0.request.path.hasPrefix("/Groups?") })
        let read = try #require(
            transcript.exchanges.first { $0.request.path.hasPrefix("/Groups/") && $0.request.method == "GET" })
        let patches = transcript.exchanges.filter {
            $0.request.path == "/Groups/\(groupId)" && $0.request.method == "PATCH"
        }
        #expect(query.request.path == "/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22")
        #expect(groupCreate.request.body.json == (try JSONValue.parse(Self.createGroupPublished)))
        #expect(read.request.path == "/Groups/\(groupId)?excludedAttributes=members")
        #expect(
            patches.first?.request.body.json
                == (try JSONValue.parse(
                    Self.addMembersPublished.replacingOccurrences(of: "f648f8d5ea4e4cd38e9c", with: userId))))
        #expect(patches.last?.request.body.json == (try JSONValue.parse(Self.renameGroupPublished)))
        #expect(patches.map(\.response.status) == [204, 204])
        #expect(transcript.exchanges.last?.request.method == "DELETE")
        #expect(transcript.exchanges.last?.request.path == "/Groups/\(groupId)")
        #expect(transcript.exchanges.last?.response.status == 204)
    }
}
