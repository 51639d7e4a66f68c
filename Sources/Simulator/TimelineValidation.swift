import SCIM

/// Checks that a timeline names existing users, groups and app roles and that its events can
/// happen in that order, so that a scenario mistake is reported with its path before anything
/// is sent.
struct TimelineValidation {
    let scenario: Scenario

    func check(at path: JSONPath) throws(ScenarioError) {
        let userKeys = Set(scenario.users.map(\.key))
        let groupKeys = Set(scenario.groups.map(\.key))
        var members = Dictionary(uniqueKeysWithValues: scenario.groups.map { ($0.key, Set($0.members)) })
        var started = false
        var softDeleted = Set<String>()
        var hardDeleted = Set<String>()
        var deletedGroups = Set<String>()

        for (index, event) in scenario.timeline.enumerated() {
            let eventPath = path.appending(index: index)
            for principal in event.principals {
                switch principal {
                case .user(let key):
                    guard userKeys.contains(key) else {
                        throw ScenarioError(
                            path: eventPath.appending(key: "user"), message: "no directory user has the key '\(key)'")
                    }
                    guard !hardDeleted.contains(key) || event == .probe(.user(key)) else {
                        throw ScenarioError(
                            path: eventPath, message: "'\(key)' was permanently deleted earlier in the timeline")
                    }
                case .group(let key):
                    guard groupKeys.contains(key) else {
                        throw ScenarioError(
                            path: eventPath.appending(key: "group"), message: "no directory group has the key '\(key)'")
                    }
                    guard !deletedGroups.contains(key) || event == .probe(.group(key)) else {
                        throw ScenarioError(
                            path: eventPath, message: "group '\(key)' was deleted earlier in the timeline")
                    }
                }
            }
            if let role = event.role, !scenario.appRoles.contains(where: { $0.value == role }) {
                throw ScenarioError(
                    path: eventPath.appending(key: "role"), message: "no app role has the value '\(role)'")
            }
            switch event {
            case .startProvisioning:
                started = true
            case .cycle, .restart:
                guard started else {
                    throw ScenarioError(
                        path: eventPath.appending(key: "event"),
                        message: "provisioning has not started; add a startProvisioning event before it")
                }
            case .update(_, let changes):
                if case .some(.some(let manager)) = changes["manager"], !userKeys.contains(manager) {
                    throw ScenarioError(
                        path: eventPath.appending(key: "changes").appending(key: "manager"),
                        message: "no directory user has the key '\(manager)'")
                }
            case .softDelete(let key):
                guard softDeleted.insert(key).inserted else {
                    throw ScenarioError(path: eventPath, message: "'\(key)' is already soft-deleted")
                }
            case .restore(let key):
                guard softDeleted.remove(key) != nil else {
                    throw ScenarioError(
                        path: eventPath, message: "'\(key)' is not soft-deleted, so it cannot be restored")
                }
            case .hardDelete(let key):
                hardDeleted.insert(key)
            case .addMember(let group, let user):
                guard members[group, default: []].insert(user).inserted else {
                    throw ScenarioError(path: eventPath, message: "'\(user)' is already a member of '\(group)'")
                }
            case .removeMember(let group, let user):
                guard members[group, default: []].remove(user) != nil else {
                    throw ScenarioError(path: eventPath, message: "'\(user)' is not a member of '\(group)'")
                }
            case .deleteGroup(let group):
                deletedGroups.insert(group)
            default:
                break
            }
        }
    }
}
