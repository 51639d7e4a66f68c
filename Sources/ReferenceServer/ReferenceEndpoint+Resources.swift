import HTTP
import SCIM

extension ReferenceEndpoint {
    func normalizer(for type: ResourceType) -> ResourceNormalizer {
        ResourceNormalizer(resourceType: type, coercion: ValueCoercion(booleanStrings: configuration.booleanStrings))
    }

    /// The representation sent to clients, with the `attributes` and `excludedAttributes`
    /// selection of RFC 7644 section 3.9 applied.
    func render(_ resource: StoredResource, type: ResourceType, context: RequestContext, projection: Projection? = nil)
        -> JSONValue
    {
        var object = resource.representation(baseURL: context.baseURL, endpoint: type.endpoint)
        // Attributes with `returned: never`, such as password, are stored but never sent
        // (RFC 7643 section 7).
        for attribute in type.schema.attributes where attribute.returned == .never {
            object[attribute.name] = nil
        }
        if has(.activeAsString), let active = object["active"]?.boolValue {
            object["active"] = .string(active ? "true" : "false")
        }
        if let projection {
            object = projection.apply(to: object, type: type)
        }
        return .object(object)
    }

    private func resourceHeaders(_ resource: StoredResource, type: ResourceType, context: RequestContext) -> HTTPHeaders
    {
        let location =
            has(.locationMismatch)
            ? "\(context.baseURL)\(type.endpoint)" : "\(context.baseURL)\(type.endpoint)/\(resource.id)"
        return [("Location", location), ("ETag", resource.entityTag)]
    }

    private func projection(for request: HTTPRequest) -> Projection? {
        let query = QueryParameters(queryItems: request.queryItems)
        return Projection(attributes: query.attributes, excludedAttributes: query.excludedAttributes)
    }

    // MARK: - Create

    func create(_ type: ResourceType, context: RequestContext) throws(SCIMError) -> HTTPResponse {
        var attributes = try normalizer(for: type).normalize(try jsonBody(context.request))
        if type.name == "User" {
            let candidates = [attributes["userName"]?.stringValue ?? ""] + emails(of: attributes)
            if let email = store.deletedTeammateEmail(among: candidates) {
                if has(.deletedTeammate500) {
                    return HTTPResponse(
                        status: .internalServerError, headers: [("Content-Type", "text/plain; charset=utf-8")],
                        body: Array("Internal Server Error\n".utf8))
                }
                if !has(.deletedTeammateDuplicate) {
                    throw SCIMError.uniqueness(
                        "\(email) belongs to a teammate that was deleted in Front. A deleted teammate's email cannot be "
                            + "used by a new teammate; ask Front support to release it, or provision the user with "
                            + "another email.")
                }
            }
            if attributes["active"] == nil {
                attributes["active"] = true
            }
        }
        let resource = try store.create(type: type.name, attributes: attributes, now: Self.now())
        logger.debug("resource created", metadata: ["scim.type": type.name, "scim.id": resource.id])
        return jsonResponse(
            .created, render(resource, type: type, context: context, projection: projection(for: context.request)),
            headers: resourceHeaders(resource, type: type, context: context))
    }

    private func emails(of attributes: JSONObject) -> [String] {
        (attributes["emails"]?.arrayValue ?? []).compactMap { $0.objectValue?["value"]?.stringValue }
    }

    // MARK: - Read

    func get(_ type: ResourceType, id: String, context: RequestContext) throws(SCIMError) -> HTTPResponse {
        guard let resource = store.resource(id: id, type: type.name) else {
            throw SCIMError.notFound("\(type.name) \(id) not found")
        }
        if try EntityTagConditions(context.request.headers).isNotModified(current: resource.entityTag) {
            return HTTPResponse(status: HTTPStatus(code: 304), headers: [("ETag", resource.entityTag)])
        }
        return jsonResponse(
            .ok, render(resource, type: type, context: context, projection: projection(for: context.request)),
            headers: resourceHeaders(resource, type: type, context: context))
    }

    // MARK: - Replace

    func replace(_ type: ResourceType, id: String, context: RequestContext) throws(SCIMError) -> HTTPResponse {
        var attributes = try normalizer(for: type).normalize(try jsonBody(context.request))
        let reapply = has(.reapplyTemplate)
        let conditions = EntityTagConditions(context.request.headers)
        let updated = try store.update(id: id, type: type.name, now: Self.now()) { current throws(SCIMError) in
            try conditions.checkChange(current: current.entityTag)
            if type.name == "User" && attributes["active"] == nil {
                attributes["active"] = current.attributes["active"]
            }
            if !reapply {
                // The template is create-only: PUT keeps whatever the teammate was created with.
                attributes[SCIMURN.frontTeammate] = current.attributes[SCIMURN.frontTeammate]
                ResourceNormalizer.syncSchemas(&attributes, resourceType: type)
            }
            return attributes
        }
        return jsonResponse(
            .ok, render(updated, type: type, context: context, projection: projection(for: context.request)),
            headers: resourceHeaders(updated, type: type, context: context))
    }

    // MARK: - Patch

    func patch(_ type: ResourceType, id: String, context: RequestContext) throws(SCIMError) -> HTTPResponse {
        let body = try jsonBody(context.request)
        if has(.lowercaseOpOnly) {
            for operation in body.objectValue?.value(matching: "Operations")?.arrayValue ?? [] {
                if let op = operation.objectValue?.value(matching: "op")?.stringValue, op != op.lowercased() {
                    throw SCIMError.invalidSyntax("unsupported op '\(op)'")
                }
            }
        }
        let request = try PatchRequest.parse(body)
        let applier = PatchApplier(
            resourceType: type, coercion: ValueCoercion(booleanStrings: configuration.booleanStrings),
            immutableHandling: has(.reapplyTemplate) ? .overwrite : .ignore)
        var ignored: [String] = []
        let conditions = EntityTagConditions(context.request.headers)
        var partialFailure: SCIMError?
        let updated = try store.update(id: id, type: type.name, now: Self.now()) { current throws(SCIMError) in
            try conditions.checkChange(current: current.entityTag)
            if has(.patchNotAtomic) {
                // The fault: operations are applied one by one and those before a failure stay.
                var attributes = current.attributes
                for operation in request.operations {
                    do throws(SCIMError) {
                        attributes = try applier.apply(PatchRequest(operations: [operation]), to: attributes).resource
                    } catch {
                        partialFailure = error
                        break
                    }
                }
                return attributes
            }
            let result = try applier.apply(request, to: current.attributes)
            ignored = result.ignoredPaths
            return result.resource
        }
        if let partialFailure {
            throw partialFailure
        }
        if !ignored.isEmpty {
            logger.info(
                "ignored a change to a create-only attribute",
                metadata: ["scim.id": id, "scim.paths": ignored.joined(separator: ",")])
        }
        let headers = resourceHeaders(updated, type: type, context: context)
        if type.name == "Group" && context.request.queryItems.isEmpty {
            // Entra expects 204 for group updates, and member lists can be large.
            var response = HTTPResponse(status: .noContent)
            for field in headers {
                response.headers.add(name: field.name, value: field.value)
            }
            return response
        }
        return jsonResponse(
            .ok, render(updated, type: type, context: context, projection: projection(for: context.request)),
            headers: headers)
    }

    // MARK: - Delete

    func delete(_ type: ResourceType, id: String, context: RequestContext) throws(SCIMError) -> HTTPResponse {
        let now = Self.now()
        let conditions = EntityTagConditions(context.request.headers)
        if has(.deleteUnknown204), store.resource(id: id, type: type.name) == nil {
            return HTTPResponse(status: .noContent)
        }
        if type.name == "User" && profile == .front && !has(.hardDelete) {
            // Front never deletes a teammate through SCIM: DELETE blocks it.
            _ = try store.update(id: id, type: type.name, now: now) { current throws(SCIMError) in
                try conditions.checkChange(current: current.entityTag)
                var attributes = current.attributes
                attributes["active"] = false
                return attributes
            }
            logger.debug("user blocked by DELETE", metadata: ["scim.id": id])
            return HTTPResponse(status: .noContent)
        }
        guard
            try store.delete(
                id: id, type: type.name,
                check: { (resource: StoredResource) throws(SCIMError) in
                    try conditions.checkChange(current: resource.entityTag)
                }) != nil
        else {
            throw SCIMError.notFound("\(type.name) \(id) not found")
        }
        try store.removeMemberships(of: id, now: now)
        logger.debug("resource deleted", metadata: ["scim.type": type.name, "scim.id": id])
        return HTTPResponse(status: .noContent)
    }
}
