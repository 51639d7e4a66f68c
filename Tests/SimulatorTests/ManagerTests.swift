import Foundation
import SCIM
import Simulator
import Testing
import Transcript

/// The manager reference: set by its own PATCH once the manager exists in the target.
@Suite struct SimulatedManager {
    static let henry =
        #"{"key": "henry", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a08", "userPrincipalName": "henry.ford@contoso.example", "givenName": "Henry", "surname": "Ford", "displayName": "Henry Ford", "manager": "ivy"}"#
    static let ivy =
        #"{"key": "ivy", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a09", "userPrincipalName": "ivy.chen@contoso.example", "givenName": "Ivy", "surname": "Chen", "displayName": "Ivy Chen"}"#

    func run(shapes: String = "{}", flagged: Bool = true, _ timeline: [String]) throws -> Simulation.Result {
        let tenant = #"{"aadOptscim062020": \#(flagged), "mapping": "entra-default", "shapes": \#(shapes)}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, users: [Self.henry, Self.ivy], timeline: timeline)
        return try simulate(scenario)
    }

    /// Expected bodies; `MANAGER-ID` and `BASE` stand for the manager's id and the SCIM base URL.
    static let forms: [(shapes: String, flagged: Bool, body: String)] = [
        (
            "{}", true,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"MANAGER-ID"}]}"#
        ),
        (
            "{}", false,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"MANAGER-ID"}]}"#
        ),
        (
            #"{"manager": "urnObject"}"#, true,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"MANAGER-ID"}}]}"#
        ),
        (
            #"{"manager": "published"}"#, false,
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"manager","value":[{"$ref":"BASE/Users/MANAGER-ID","value":"MANAGER-ID"}]}]}"#
        ),
    ]

    @Test(arguments: forms)
    func managerIsSetAfterBothExist(shapes: String, flagged: Bool, body: String) throws {
        let result = try run(
            shapes: shapes, flagged: flagged,
            [Events.assign("henry", role: nil), Events.assign("ivy", role: nil), Events.start])

        let creates = result.transcript.exchanges(step: "create")
        let henryId = try #require(creates.first?.response.body.json?["id"]?.stringValue)
        let ivyId = try #require(creates.last?.response.body.json?["id"]?.stringValue)
        let location = try #require(creates.first?.response.headers["Location"])
        let base = String(location.dropLast("/Users/\(henryId)".count))
        let reference = try #require(result.transcript.exchanges.last)
        #expect(result.transcript.steps == ["match", "create", "match", "create", "reference"])
        #expect(creates.first?.request.body.json?["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] == nil)
        #expect(reference.request.path == "/Users/\(henryId)")
        #expect(
            reference.request.body.json?.serialized()
                == body.replacingOccurrences(of: "MANAGER-ID", with: ivyId).replacingOccurrences(of: "BASE", with: base)
        )
    }

    @Test func stringFormIsStoredAsManagerValue() throws {
        let result = try run([Events.assign("henry", role: nil), Events.assign("ivy", role: nil), Events.start])

        let ivyId = try #require(
            result.transcript.exchanges(step: "create").last?.response.body.json?["id"]?.stringValue)
        let reference = try #require(result.transcript.exchanges.last)
        #expect(reference.response.status == 200)
        #expect(
            reference.response.body.json?["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]?["manager"]
                == ["value": .string(ivyId)])
        #expect(result.log.entries.last?.steps.contains { $0.type == "referenceResolution" } == true)
    }

    @Test func lateManagerWaitsForRestart() throws {
        let result = try run(
            flagged: false,
            [
                Events.assign("henry", role: nil), Events.start, Events.assign("ivy", role: nil), Events.cycle,
                Events.restart(),
            ])

        #expect(result.transcript.steps == ["match", "create", "match", "create", "read", "read", "reference"])
        #expect(
            result.notes.first
                == "henry.ford@contoso.example: the manager ivy.chen@contoso.example is not provisioned, so the reference stays unset until a restart evaluates the user again"
        )
    }

    @Test func managerChangeReplacesReference() throws {
        let jack =
            #"{"key": "jack", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a10", "userPrincipalName": "jack.ryan@contoso.example"}"#
        let tenant = #"{"mapping": "entra-default"}"#
        let scenario = try ScenarioDocuments.scenario(
            tenant: tenant, users: [Self.henry, Self.ivy, jack],
            timeline: [
                Events.assign("henry", role: nil), Events.assign("ivy", role: nil), Events.assign("jack", role: nil),
                Events.start, Events.update("henry", #"{"manager": "jack"}"#), Events.cycle,
            ])

        let transcript = try simulate(scenario).transcript

        #expect(Array(transcript.steps.suffix(2)) == ["read", "reference"])
        #expect(transcript.patchBodies.last?.contains(#""op":"replace""#) == true)
    }

    @Test func clearedManagerIsNotSent() throws {
        let result = try run([
            Events.assign("henry", role: nil), Events.assign("ivy", role: nil), Events.start,
            Events.update("henry", #"{"manager": null}"#), Events.cycle,
        ])

        #expect(Array(result.transcript.steps.suffix(2)) == ["reference", "read"])
    }

    @Test func rejectedPublishedFormIsReferenceFailure() throws {
        let result = try run(
            shapes: #"{"manager": "published"}"#,
            [Events.assign("henry", role: nil), Events.assign("ivy", role: nil), Events.start])

        let reference = try #require(result.transcript.exchanges.last)
        let cycle = try #require(result.log.cycles.first)
        #expect(reference.response.status == 400, "the reference endpoint has no core attribute named manager")
        #expect(cycle.failures == 1)
        #expect(cycle.referenceFailures == 1)
    }
}
