import HTTP
import SCIM

extension ReferenceEndpoint {
    /// Answers `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas` (RFC 7644 section 4), or
    /// returns `nil` for other paths.
    func discoveryResponse(_ request: HTTPRequest, segments: [String], context: RequestContext) throws(SCIMError)
        -> HTTPResponse?
    {
        guard let first = segments.first,
            ["ServiceProviderConfig", "ResourceTypes", "Schemas"].contains(first)
        else {
            return nil
        }
        guard request.method == .get || request.method == .head else {
            var response = errorResponse(
                SCIMError(status: 405, detail: "\(request.method) is not supported here; use GET or HEAD"))
            response.headers.add(name: "Allow", value: "GET, HEAD")
            return response
        }
        let base = context.baseURL
        switch (first, segments.count) {
        case ("ServiceProviderConfig", 1):
            return jsonResponse(.ok, serviceProviderConfig(baseURL: base))
        case ("ResourceTypes", 1):
            let all = Self.resourceTypes.map { $0.json(baseURL: base) }
            return jsonResponse(.ok, ListResponse(totalResults: all.count, resources: all).json)
        case ("ResourceTypes", 2):
            guard let type = Self.resourceTypes.first(where: { $0.name == segments[1] }) else {
                throw SCIMError.notFound("no resource type named \(segments[1])")
            }
            return jsonResponse(.ok, type.json(baseURL: base))
        case ("Schemas", 1):
            let all = Self.schemas.map { $0.json(baseURL: base) }
            return jsonResponse(.ok, ListResponse(totalResults: all.count, resources: all).json)
        case ("Schemas", 2):
            guard let schema = Self.schemas.first(where: { $0.id.equalsIgnoringCase(segments[1]) }) else {
                throw SCIMError.notFound("no schema with id \(segments[1])")
            }
            return jsonResponse(.ok, schema.json(baseURL: base))
        default:
            throw SCIMError.notFound("no route for \(configuration.basePath)/\(segments.joined(separator: "/"))")
        }
    }

    static var schemas: [Schema] {
        var all: [Schema] = []
        for type in resourceTypes {
            all.append(type.schema)
            all += type.extensions.map(\.schema)
        }
        return all
    }

    /// What this endpoint supports, stated as it actually behaves (RFC 7643 section 5).
    private func serviceProviderConfig(baseURL: String) -> JSONValue {
        [
            "schemas": [.string(SCIMURN.serviceProviderConfig)],
            "documentationUri": "https://github.com/scimtape/scimtape#reference-endpoint",
            "patch": ["supported": true],
            "bulk": ["supported": false, "maxOperations": 0, "maxPayloadSize": 0],
            "filter": ["supported": true, "maxResults": .number(JSONNumber(configuration.maximumPageSize))],
            "changePassword": ["supported": false],
            "sort": ["supported": true],
            "etag": ["supported": true],
            "authenticationSchemes": [
                [
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description":
                        "A static bearer token from --token-file or SCIMTAPE_TOKEN, sent as Authorization: Bearer.",
                    "primary": true,
                ]
            ],
            "meta": [
                "resourceType": "ServiceProviderConfig",
                "location": .string("\(baseURL)/ServiceProviderConfig"),
            ],
        ]
    }
}
