import Foundation
import SCIM
import Simulator

/// Builders for scenario documents. The defaults make a valid flagged Front tenant with Alice.
enum ScenarioDocuments {
    static let flaggedTenant = #"{"aadOptscim062020": true, "mapping": "front", "templateMapping": "creationOnly"}"#
    static let legacyTenant = #"{"aadOptscim062020": false, "mapping": "front", "templateMapping": "creationOnly"}"#

    static let appRoles =
        #"[{"value": "template-support", "displayName": "Support agent"}, {"value": "template-sales", "displayName": "Sales"}]"#

    static let alice =
        #"{"key": "alice", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a01", "userPrincipalName": "alice.example@contoso.example", "mailNickname": "alice.example", "givenName": "Alice", "surname": "Example", "displayName": "Alice Example"}"#

    static let bob =
        #"{"key": "bob", "objectId": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a02", "userPrincipalName": "bob.builder@contoso.example", "mailNickname": "bob.builder", "givenName": "Bob", "surname": "Builder", "displayName": "Bob Builder"}"#

    static let header = #""format": "scimtape.scenario", "version": 1, "#

    static func document(
        header: String = header, name: String = "simulator-test", tenant: String = flaggedTenant,
        appRoles: String = appRoles, front: String? = nil, users: [String] = [alice], groups: [String] = [],
        timeline: [String] = [], members: String = ""
    ) -> String {
        var text = "{" + header + #""name": "\#(name)", "description": "A test scenario", "#
        text += members
        text += #""tenant": \#(tenant), "appRoles": \#(appRoles), "#
        if let front {
            text += #""front": \#(front), "#
        }
        text += #""directory": {"users": [\#(users.joined(separator: ", "))]"#
        if !groups.isEmpty {
            text += #", "groups": [\#(groups.joined(separator: ", "))]"#
        }
        text += "}, "
        text += #""timeline": [\#(timeline.joined(separator: ", "))]}"#
        return text
    }

    static func scenario(
        name: String = "simulator-test", tenant: String = flaggedTenant, front: String? = nil,
        users: [String] = [alice], groups: [String] = [], timeline: [String]
    ) throws -> Scenario {
        try Scenario(
            json: try JSONValue.parse(
                document(name: name, tenant: tenant, front: front, users: users, groups: groups, timeline: timeline)))
    }
}

/// Timeline events in the scenario format.
enum Events {
    static let testConnection = #"{"event": "testConnection"}"#
    static let start = #"{"event": "startProvisioning"}"#
    static let cycle = #"{"event": "cycle"}"#

    static func assign(_ user: String, role: String? = "template-support") -> String {
        guard let role else {
            return #"{"event": "assign", "user": "\#(user)"}"#
        }
        return #"{"event": "assign", "user": "\#(user)", "role": "\#(role)"}"#
    }

    static func assignGroup(_ group: String, role: String? = "template-support") -> String {
        guard let role else {
            return #"{"event": "assign", "group": "\#(group)"}"#
        }
        return #"{"event": "assign", "group": "\#(group)", "role": "\#(role)"}"#
    }

    static func event(_ kind: String, _ user: String) -> String {
        #"{"event": "\#(kind)", "user": "\#(user)"}"#
    }

    static func groupEvent(_ kind: String, _ group: String) -> String {
        #"{"event": "\#(kind)", "group": "\#(group)"}"#
    }

    static func member(_ kind: String, _ group: String, _ user: String) -> String {
        #"{"event": "\#(kind)", "group": "\#(group)", "user": "\#(user)"}"#
    }

    static func update(_ user: String, _ changes: String) -> String {
        #"{"event": "update", "user": "\#(user)", "changes": \#(changes)}"#
    }

    static func changeRole(_ user: String, _ role: String) -> String {
        #"{"event": "changeRole", "user": "\#(user)", "role": "\#(role)"}"#
    }

    static func restart(full: Bool = false) -> String {
        full ? #"{"event": "restart", "resetScope": "full"}"# : #"{"event": "restart"}"#
    }
}
