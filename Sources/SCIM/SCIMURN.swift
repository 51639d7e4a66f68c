/// Schema and message URNs from RFC 7643 and RFC 7644, and Front's teammate extension.
public enum SCIMURN {
    public static let user = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let group = "urn:ietf:params:scim:schemas:core:2.0:Group"
    public static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    /// Front's teammate extension; its `template` attribute picks a teammate template at creation.
    public static let frontTeammate = "urn:ietf:params:scim:schemas:extension:frontapp:teammate"
    /// Front's teammate custom fields; each attribute name is the id of a custom field.
    public static let frontCustomFields = "urn:ietf:params:scim:schemas:extension:frontapp:teammate_custom_fields"
    public static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    public static let error = "urn:ietf:params:scim:api:messages:2.0:Error"
    public static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    public static let searchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
    public static let serviceProviderConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    public static let resourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
    public static let schema = "urn:ietf:params:scim:schemas:core:2.0:Schema"
}

/// The SCIM media type from RFC 7644 section 3.1.
public enum SCIMMediaType {
    public static let scimJSON = "application/scim+json"
    public static let json = "application/json"
    static let scimJSONUTF8 = "application/scim+json; charset=utf-8"

    /// Returns whether a `Content-Type` value names SCIM JSON or plain JSON, with any parameters.
    public static func isJSON(_ contentType: String) -> Bool {
        // The common spellings, without splitting, trimming or lowercasing.
        if contentType == scimJSON || contentType == json || contentType == scimJSONUTF8 {
            return true
        }
        let essence = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? contentType
        let trimmed = essence.trimmingWhitespace().lowercased()
        return trimmed == scimJSON || trimmed == json
    }
}

extension String {
    /// Returns the string without leading and trailing spaces, tabs and line breaks.
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else {
            return ""
        }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
