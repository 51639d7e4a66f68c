import SCIM

/// A resource as the store keeps it: the client-settable attributes plus server metadata.
struct StoredResource: Sendable {
    let id: String
    let resourceType: String
    /// Normalized attributes including `schemas`, without `id` and `meta`.
    var attributes: JSONObject
    /// Seconds since the epoch.
    let created: Double
    var lastModified: Double
    /// Incremented on every change; exposed as `meta.version` and the `ETag`.
    var version: Int
    /// Creation order, which list responses follow.
    let sequence: Int

    var entityTag: String {
        "W/\"\(version)\""
    }

    var userName: String? {
        attributes["userName"]?.stringValue
    }

    var externalId: String? {
        attributes["externalId"]?.stringValue
    }

    var displayName: String? {
        attributes["displayName"]?.stringValue
    }

    var isActive: Bool {
        attributes["active"]?.boolValue ?? true
    }

    /// Every email address of a user, lowercased.
    var emailAddresses: [String] {
        (attributes["emails"]?.arrayValue ?? []).compactMap { $0.objectValue?["value"]?.stringValue?.lowercased() }
    }

    /// The full representation: `schemas`, `id`, the attributes, then `meta`.
    func representation(baseURL: String, endpoint: String) -> JSONObject {
        var object = JSONObject()
        object["schemas"] = attributes["schemas"] ?? .array([])
        object["id"] = .string(id)
        for (key, value) in attributes where key != "schemas" {
            object[key] = value
        }
        object["meta"] = [
            "resourceType": .string(resourceType),
            "created": .string(SCIMDateTime.format(created)),
            "lastModified": .string(SCIMDateTime.format(lastModified)),
            "location": .string("\(baseURL)\(endpoint)/\(id)"),
            "version": .string(entityTag),
        ]
        return object
    }
}
