/// A query result as RFC 7644 section 3.4.2 defines it.
public struct ListResponse: Sendable {
    public var totalResults: Int
    public var resources: [JSONValue]
    /// The 1-based index of the first result in this page.
    public var startIndex: Int

    public init(totalResults: Int, resources: [JSONValue], startIndex: Int = 1) {
        self.totalResults = totalResults
        self.resources = resources
        self.startIndex = startIndex
    }

    /// The response body. `Resources` is always present, as an empty array when nothing matched,
    /// because some clients treat a missing key as a malformed response.
    public var json: JSONValue {
        [
            "schemas": [.string(SCIMURN.listResponse)],
            "totalResults": .number(JSONNumber(totalResults)),
            "Resources": .array(resources),
            "startIndex": .number(JSONNumber(startIndex)),
            "itemsPerPage": .number(JSONNumber(resources.count)),
        ]
    }
}
