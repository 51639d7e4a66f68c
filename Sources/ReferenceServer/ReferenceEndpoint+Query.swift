import HTTP
import SCIM

extension ReferenceEndpoint {
    func list(_ type: ResourceType, query: QueryParameters, context: RequestContext) throws(SCIMError) -> HTTPResponse {
        var matches = try matchingResources(type, filter: query.filter)
        if let sortBy = query.sortBy {
            matches = try sorted(matches, type: type, by: sortBy, order: query.sortOrder)
        }
        if has(.noMatch404), query.filter != nil, matches.isEmpty {
            throw SCIMError.notFound("no \(type.name) matches the filter")
        }
        return page(matches.map { ($0, type) }, query: query, context: context)
    }

    /// `POST /.search` at the SCIM base: a search across every resource type (RFC 7644 section
    /// 3.4.3). A type for which the filter names unknown attributes contributes no results;
    /// results come in the order Users, Groups, because `sortBy` is not applied across types.
    func searchAllTypes(context: RequestContext) throws(SCIMError) -> HTTPResponse {
        let body = try searchRequestBody(context.request)
        let query = try QueryParameters(searchRequest: body)
        var matches: [(StoredResource, ResourceType)] = []
        var filterError: SCIMError?
        var searchedTypes = 0
        for type in Self.resourceTypes {
            do {
                matches += try matchingResources(type, filter: query.filter).map { ($0, type) }
                searchedTypes += 1
            } catch {
                guard error.scimType == .invalidFilter else {
                    throw error
                }
                filterError = error
            }
        }
        if searchedTypes == 0, let filterError {
            throw filterError
        }
        return page(matches, query: query, context: context)
    }

    /// Applies `startIndex`, `count` and the attribute selection, and builds the ListResponse.
    private func page(_ matches: [(StoredResource, ResourceType)], query: QueryParameters, context: RequestContext)
        -> HTTPResponse
    {
        // RFC 7644 section 3.4.2.4: startIndex is 1-based and values below 1 mean 1; a negative
        // count means 0.
        let startIndex = max(1, query.startIndex ?? 1)
        let count = min(configuration.maximumPageSize, max(0, query.count ?? configuration.defaultPageSize))
        let selected = matches.dropFirst(startIndex - 1).prefix(count)
        let projection = Projection(attributes: query.attributes, excludedAttributes: query.excludedAttributes)
        let resources = selected.map { render($0.0, type: $0.1, context: context, projection: projection) }
        let body = ListResponse(totalResults: matches.count, resources: resources, startIndex: startIndex).json
        return jsonResponse(.ok, body)
    }

    private func searchRequestBody(_ request: HTTPRequest) throws(SCIMError) -> JSONValue {
        let body = try jsonBody(request)
        guard let schemas = body.objectValue?.value(matching: "schemas")?.arrayValue,
            schemas.contains(where: { $0.stringValue?.equalsIgnoringCase(SCIMURN.searchRequest) == true })
        else {
            throw SCIMError.invalidSyntax("a SearchRequest needs 'schemas' listing \(SCIMURN.searchRequest)")
        }
        return body
    }

    func search(_ type: ResourceType, context: RequestContext) throws(SCIMError) -> HTTPResponse {
        let body = try searchRequestBody(context.request)
        return try list(type, query: try QueryParameters(searchRequest: body), context: context)
    }

    /// Resources matching a filter, in creation order. An equality on `id`, `userName`,
    /// `displayName` (groups) or `externalId` at the top of the filter, alone or in an `and`
    /// chain, is answered from an index; other filters scan.
    private func matchingResources(_ type: ResourceType, filter text: String?) throws(SCIMError) -> [StoredResource] {
        guard let text, !text.trimmingWhitespace().isEmpty else {
            return store.resources(type: type.name)
        }
        let filter = try FilterParser.parse(text, knownSchemas: type.schemaURNs)
        let evaluator = FilterEvaluator(resourceType: type)
        try evaluator.validate(filter)

        var candidateIds: [String]?
        for (path, value) in Self.topLevelEqualities(filter) where candidateIds == nil {
            guard path.subAttribute == nil, path.schemaURN == nil || path.schemaURN == type.schema.id,
                let literal = value.stringValue
            else {
                continue
            }
            candidateIds = store.indexedIds(type: type.name, attribute: path.name, value: literal)
        }
        // Formatting meta timestamps for every scanned resource is costly, so it happens only for
        // filters that mention meta.
        let needsMeta = text.lowercased().contains("meta")
        var matches: [StoredResource] = []
        for resource in store.resources(type: type.name, ids: candidateIds) {
            let object = resource.attributes.adding(id: resource.id, meta: needsMeta ? resource : nil)
            if try evaluator.matches(filter, resource: object) {
                matches.append(resource)
            }
        }
        if has(.hideBlocked) {
            matches.removeAll { !$0.isActive }
        }
        if has(.caseSensitiveUserName) {
            for (path, value) in Self.topLevelEqualities(filter) where path.name.equalsIgnoringCase("userName") {
                matches.removeAll { $0.userName != value.stringValue }
            }
        }
        return matches
    }

    private static func topLevelEqualities(_ filter: FilterExpression) -> [(AttributePath, JSONValue)] {
        switch filter {
        case .comparison(let path, .equal, let value):
            return [(path, value)]
        case .and(let lhs, let rhs):
            return topLevelEqualities(lhs) + topLevelEqualities(rhs)
        default:
            return []
        }
    }

    private func sorted(_ resources: [StoredResource], type: ResourceType, by sortBy: String, order: String?)
        throws(SCIMError)
        -> [StoredResource]
    {
        let path: AttributePath
        let resolved: ResolvedAttribute
        do {
            path = try AttributePath.parse(sortBy, knownSchemas: type.schemaURNs)
            resolved = try type.resolve(path)
        } catch {
            throw SCIMError.invalidValue("sortBy '\(sortBy)' is not an attribute of \(type.name)")
        }
        let descending = order?.lowercased() == "descending"
        let keyed = resources.map { resource in
            (resource, SortKey(value: sortValue(resource, path: path, resolved: resolved)))
        }
        // Resources without a value sort last in either order (RFC 7644 section 3.4.2.3).
        return keyed.sorted { lhs, rhs in
            switch (lhs.1.value, rhs.1.value) {
            case (nil, nil): return lhs.0.sequence < rhs.0.sequence
            case (nil, _): return false
            case (_, nil): return true
            default:
                if lhs.1 == rhs.1 {
                    return lhs.0.sequence < rhs.0.sequence
                }
                return descending ? rhs.1 < lhs.1 : lhs.1 < rhs.1
            }
        }.map(\.0)
    }

    private func sortValue(_ resource: StoredResource, path: AttributePath, resolved: ResolvedAttribute) -> SortKey
        .Value?
    {
        let object = resource.attributes.adding(id: resource.id, meta: resource)
        var container = object
        if let urn = resolved.extensionURN {
            container = object[urn]?.objectValue ?? JSONObject()
        }
        guard var value = container[resolved.attribute.name] else {
            return nil
        }
        if let array = value.arrayValue {
            // A multi-valued attribute sorts by its primary value, or its first.
            value = array.first { $0.objectValue?["primary"]?.boolValue == true } ?? array.first ?? .null
        }
        let leaf = resolved.subAttribute ?? resolved.attribute.subAttribute(named: "value")
        if let leaf, let inner = value.objectValue?[leaf.name] {
            value = inner
        }
        let caseExact = (resolved.subAttribute ?? resolved.attribute).caseExact
        switch value {
        case .string(let text):
            if resolved.leaf.type == .dateTime, let instant = SCIMDateTime.parse(text) {
                return .number(instant)
            }
            return .text(caseExact ? text : text.lowercased())
        case .number(let number):
            return .number(number.doubleValue)
        case .bool(let flag):
            return .number(flag ? 1 : 0)
        default:
            return nil
        }
    }
}

private struct SortKey: Equatable, Comparable {
    enum Value: Equatable {
        case text(String)
        case number(Double)
    }

    let value: Value?

    static func < (lhs: SortKey, rhs: SortKey) -> Bool {
        switch (lhs.value, rhs.value) {
        case (.text(let left)?, .text(let right)?): left < right
        case (.number(let left)?, .number(let right)?): left < right
        case (.number?, .text?): true
        default: false
        }
    }
}

extension JSONObject {
    /// The attributes with `id` and, when `resource` is given, `meta` added, so that filters and
    /// sorting can use them.
    func adding(id: String, meta resource: StoredResource?) -> JSONObject {
        var object = self
        object["id"] = .string(id)
        guard let resource else {
            return object
        }
        object["meta"] = [
            "resourceType": .string(resource.resourceType),
            "created": .string(SCIMDateTime.format(resource.created)),
            "lastModified": .string(SCIMDateTime.format(resource.lastModified)),
            "version": .string(resource.entityTag),
        ]
        return object
    }
}
