import Foundation
import HTTP
import Logging
import SCIM
import Transcript

/// Runs a scenario against a SCIM endpoint and records a transcript of what Entra would send,
/// with the provisioning log Entra would show.
public struct Simulation {
    public struct Options: Sendable {
        /// The SCIM base URL, such as `http://127.0.0.1:8080/scim/v2`.
        public var baseURL: String
        public var token: String?
        /// The scenario file as it should appear in the transcript's `source.scenario`.
        public var scenarioPath: String?
        /// The server profile the target follows, recorded in `source.profile` when known.
        public var profile: String?
        public var tool: String
        public var logger: Logger
        public var client: HTTPClientConfiguration
        /// Headers added to every request, such as a gateway's API key. Like the token, they are
        /// sent but not written to the transcript.
        public var extraHeaders: HTTPHeaders

        public init(
            baseURL: String, token: String? = nil, scenarioPath: String? = nil, profile: String? = nil,
            tool: String = "scimtape", logger: Logger = .disabled,
            client: HTTPClientConfiguration = HTTPClientConfiguration(), extraHeaders: HTTPHeaders = []
        ) {
            self.baseURL = baseURL
            self.token = token
            self.scenarioPath = scenarioPath
            self.profile = profile
            self.tool = tool
            self.logger = logger
            self.client = client
            self.extraHeaders = extraHeaders
        }
    }

    public struct Result: Sendable {
        public var transcript: Transcript
        /// The provisioning log Entra would show for the run.
        public var log: ProvisioningLog

        /// Remarks for the person running the scenario, such as an EntryConflict or a quarantine.
        public var notes: [String] {
            log.notes
        }
    }

    public static func run(_ scenario: Scenario, options: Options) throws -> Result {
        let base: BaseURL
        do {
            base = try BaseURL(options.baseURL)
        } catch {
            throw SimulationError.invalidTarget(error.description)
        }
        let target = SCIMTarget(
            base: base, token: options.token, extraHeaders: options.extraHeaders,
            client: HTTPClient(configuration: options.client, logger: options.logger),
            logger: options.logger)
        do {
            try target.applyPreconditions(scenario.front.preconditions)
        } catch let error as HTTPClientError {
            throw SimulationError.targetUnreachable(error)
        }
        let engine = ProvisioningEngine(scenario: scenario, target: target, logger: options.logger)
        do {
            try engine.run()
        } catch {
            throw SimulationError.targetUnreachable(error)
        }
        let source = Transcript.Source(
            kind: .simulated, tool: options.tool, scenario: options.scenarioPath, dialect: scenario.tenant.dialectName,
            profile: options.profile, recordedAt: SCIMDateTime.format(Date().timeIntervalSince1970))
        let transcript = Transcript(
            name: scenario.name, description: scenario.description, source: source,
            preconditions: scenario.front.preconditions, exchanges: target.exchanges)
        var log = engine.log
        log.scenario = options.scenarioPath
        log.targetSystem = scenario.tenant.mapping.preset == .front ? "Front" : "SCIM endpoint"
        return Result(transcript: transcript, log: log)
    }
}
