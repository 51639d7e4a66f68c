import HTTP
import Logging
import SCIM

/// Settings for `ReferenceServer`.
public struct ReferenceServerConfiguration: Sendable {
    public var profile: ServerProfile
    public var deviations: Set<Deviation>
    /// The bearer token clients must send; `nil` accepts requests without one.
    public var token: String?
    /// Path of the SCIM base under the origin, such as `/scim/v2`.
    public var basePath: String
    /// How strings for boolean attributes are accepted; `.lowercaseOnly` is the strict mode.
    public var booleanStrings: BooleanStringPolicy
    /// Page size used when a query gives no `count`.
    public var defaultPageSize: Int
    /// Largest page a query may ask for; larger `count` values are lowered to it.
    public var maximumPageSize: Int
    public var http: HTTPServerConfiguration
    public var logger: Logger
    /// A SQLite file that keeps users, groups and the deleted-teammate registry across restarts;
    /// `nil` keeps everything in memory.
    public var storePath: String?
    /// Whether a commit to `storePath` also waits for the disk (`full`, which survives power loss)
    /// or only for the operating system (`normal`, which survives the process being killed).
    public var storeSurvivesPowerLoss: Bool
    /// Makes the ids of new resources a fixed sequence derived from this number, so that the same
    /// requests in the same order get the same ids; `nil` gives random ids.
    public var idSeed: UInt64?

    public init(
        profile: ServerProfile = .front, deviations: Set<Deviation> = [], token: String? = nil,
        basePath: String = "/scim/v2", booleanStrings: BooleanStringPolicy = .anyCase, defaultPageSize: Int = 100,
        maximumPageSize: Int = 1000, http: HTTPServerConfiguration = HTTPServerConfiguration(),
        logger: Logger = .disabled, storePath: String? = nil, storeSurvivesPowerLoss: Bool = false,
        idSeed: UInt64? = nil
    ) {
        self.profile = profile
        self.deviations = deviations
        self.token = token
        self.basePath = basePath
        self.booleanStrings = booleanStrings
        self.defaultPageSize = defaultPageSize
        self.maximumPageSize = maximumPageSize
        self.http = http
        self.logger = logger
        self.storePath = storePath
        self.storeSurvivesPowerLoss = storeSurvivesPowerLoss
        self.idSeed = idSeed
    }
}
