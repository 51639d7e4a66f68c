import ReferenceServer

/// The contract a verify run holds an endpoint to.
public enum VerificationProfile: String, Sendable, CaseIterable {
    /// Front's behaviour: DELETE blocks, the template is create-only, deleted teammates conflict.
    case front
    /// Any endpoint Entra can drive: Entra's requirements plus RFC 7644, with DELETE removing.
    case entra
    /// RFC 7643 and RFC 7644 only.
    case rfc

    /// The reference endpoint profile that plays a known-good target for this contract.
    public var serverProfile: ServerProfile {
        switch self {
        case .front: .front
        case .entra, .rfc: .rfc
        }
    }

    /// Keys of `expect.profiles` consulted, first match wins.
    var expectationKeys: [String] {
        switch self {
        case .front: ["front"]
        case .entra: ["entra", "rfc"]
        case .rfc: ["rfc"]
        }
    }
}
