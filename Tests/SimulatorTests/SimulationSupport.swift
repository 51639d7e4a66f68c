import Foundation
import HTTP
import ReferenceServer
import SCIM
import Simulator
import Testing
import Transcript

/// A reference endpoint on a free loopback port, stopped when the value is released.
final class LoopbackEndpoint {
    let server: ReferenceServer

    init(profile: ServerProfile = .front, token: String? = nil) throws {
        server = try ReferenceServer(configuration: ReferenceServerConfiguration(profile: profile, token: token))
        try server.start()
    }

    deinit {
        server.stop()
    }
}

/// Runs the scenario against a fresh reference endpoint in the given profile.
func simulate(_ scenario: Scenario, profile: ServerProfile = .front, token: String? = nil) throws
    -> Simulation.Result
{
    let endpoint = try LoopbackEndpoint(profile: profile, token: token)
    let options = Simulation.Options(
        baseURL: endpoint.server.baseURL, token: token, scenarioPath: "Recordings/scenarios/test.json",
        profile: profile.rawValue, tool: "scimtape-tests")
    return try withExtendedLifetime(endpoint) {
        try Simulation.run(scenario, options: options)
    }
}

extension Transcript {
    var steps: [String] {
        exchanges.map { $0.step ?? "" }
    }

    /// The compact text of every PATCH body, in the order sent.
    var patchBodies: [String] {
        exchanges.filter { $0.request.method == "PATCH" }.map { $0.request.body.json?.serialized() ?? "" }
    }

    func exchanges(step: String) -> [Exchange] {
        exchanges.filter { $0.step == step }
    }
}

extension SimulationError {
    var isTargetUnreachable: Bool {
        if case .targetUnreachable = self { true } else { false }
    }
}
