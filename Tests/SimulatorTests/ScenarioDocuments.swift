import Foundation
import SCIM
import Simulator

/// Builders for scenario documents. The defaults make a valid flagged tenant with Alice.
enum ScenarioDocuments {
    static let flaggedTenant = #"{"aadOptscim062020": true, "mapping": "front", "templateMapping": "creationOnly"}"#
    static let legacyTenant = #"{"aadOptscim062020": false, "mapping": "front", "templateMapping": "creationOnly"}"#

    static let appRoles =
        #"[{"value": "template-support", "displayName": "Support agent"}, {"value": "template-sales", "displayName": "Sales"}]"#

    static let alice =
        #"{"key": "alice", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a01", "userPrincipalName": "alice.example@contoso.example", "mailNickname": "alice.example", "givenName": "Alice", "surname": "Example", "displayName": "Alice Example"}"#

    static let header = #""format": "scimtape.scenario", "version": 1, "#

    static func document(
        header: String = header, name: String = "simulator-test", tenant: String = flaggedTenant,
        appRoles: String = appRoles, front: String? = nil, users: [String] = [alice], timeline: [String] = [],
        members: String = ""
    ) -> String {
        var text = "{" + header + #""name": "\#(name)", "description": "A test scenario", "#
        text += members
        text += #""tenant": \#(tenant), "appRoles": \#(appRoles), "#
        if let front {
            text += #""front": \#(front), "#
        }
        text += #""directory": {"users": [\#(users.joined(separator: ", "))]}, "#
        text += #""timeline": [\#(timeline.joined(separator: ", "))]}"#
        return text
    }

    static func scenario(
        name: String = "simulator-test", tenant: String = flaggedTenant, front: String? = nil,
        users: [String] = [alice], timeline: [String]
    ) throws -> Scenario {
        try Scenario(
            json: try JSONValue.parse(
                document(name: name, tenant: tenant, front: front, users: users, timeline: timeline)))
    }
}
