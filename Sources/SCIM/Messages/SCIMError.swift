/// The `scimType` values of RFC 7644 section 3.12, Table 9.
public enum SCIMErrorType: String, Sendable, CaseIterable {
    case invalidFilter
    case tooMany
    case uniqueness
    case mutability
    case invalidSyntax
    case invalidPath
    case noTarget
    case invalidValue
    case invalidVers
    case sensitive
}

/// An error a SCIM service provider returns, rendered as the RFC 7644 section 3.12 error body.
public struct SCIMError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let scimType: SCIMErrorType?
    public let detail: String

    public init(status: Int, scimType: SCIMErrorType? = nil, detail: String) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }

    /// The error body: `status` is a JSON string, as RFC 7644 section 3.12 requires.
    public var json: JSONValue {
        var object = JSONObject()
        object["schemas"] = [.string(SCIMURN.error)]
        object["status"] = .string(String(status))
        if let scimType {
            object["scimType"] = .string(scimType.rawValue)
        }
        object["detail"] = .string(detail)
        return .object(object)
    }

    public var description: String {
        if let scimType {
            return "\(status) \(scimType.rawValue): \(detail)"
        }
        return "\(status): \(detail)"
    }

    public static func badRequest(_ type: SCIMErrorType, _ detail: String) -> SCIMError {
        SCIMError(status: 400, scimType: type, detail: detail)
    }

    public static func invalidFilter(_ detail: String) -> SCIMError {
        badRequest(.invalidFilter, detail)
    }

    public static func invalidSyntax(_ detail: String) -> SCIMError {
        badRequest(.invalidSyntax, detail)
    }

    public static func invalidPath(_ detail: String) -> SCIMError {
        badRequest(.invalidPath, detail)
    }

    public static func invalidValue(_ detail: String) -> SCIMError {
        badRequest(.invalidValue, detail)
    }

    public static func noTarget(_ detail: String) -> SCIMError {
        badRequest(.noTarget, detail)
    }

    public static func mutability(_ detail: String) -> SCIMError {
        badRequest(.mutability, detail)
    }

    public static func uniqueness(_ detail: String) -> SCIMError {
        SCIMError(status: 409, scimType: .uniqueness, detail: detail)
    }

    public static func notFound(_ detail: String) -> SCIMError {
        SCIMError(status: 404, detail: detail)
    }
}
