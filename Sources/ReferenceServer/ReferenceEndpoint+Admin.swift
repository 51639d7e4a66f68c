import HTTP
import SCIM

extension ReferenceEndpoint {
    /// Handles the admin route `/_scimtape/state`, outside the SCIM base, which sets state that SCIM
    /// cannot create.
    ///
    /// - `GET` returns the profile, deviations, deleted-teammate registry and resource counts.
    /// - `POST {"preconditions": [...]}` applies preconditions and returns the ids it created.
    /// - `DELETE` empties the store and the registry and removes injected faults.
    ///
    /// It takes the same bearer token as the SCIM routes.
    func handleAdmin(_ request: HTTPRequest) -> HTTPResponse {
        do {
            switch request.method {
            case .get, .head:
                return jsonResponse(.ok, adminState())
            case .post:
                return try applyPreconditions(
                    try jsonBody(request), context: RequestContext(request: request, baseURL: baseURL(for: request)))
            case .delete:
                try store.reset()
                faults.reset()
                logger.info("state reset through the admin route")
                return HTTPResponse(status: .noContent)
            default:
                var response = errorResponse(
                    SCIMError(status: 405, detail: "use GET, HEAD, POST or DELETE on \(Self.adminPath)"))
                response.headers.add(name: "Allow", value: "GET, HEAD, POST, DELETE")
                return response
            }
        } catch {
            return errorResponse(error, redacting: secrets(of: request))
        }
    }

    private func adminState() -> JSONValue {
        [
            "profile": .string(profile.rawValue),
            "deviations": .array(configuration.deviations.map(\.rawValue).sorted().map { .string($0) }),
            "deletedTeammates": .array(store.deletedTeammateEmails.map { .string($0) }),
            "users": .number(JSONNumber(store.count(type: "User"))),
            "groups": .number(JSONNumber(store.count(type: "Group"))),
        ]
    }

    private func applyPreconditions(_ body: JSONValue, context: RequestContext) throws(SCIMError) -> HTTPResponse {
        guard let list = body.objectValue?["preconditions"]?.arrayValue else {
            throw SCIMError.invalidSyntax("send {\"preconditions\": [...]} to \(Self.adminPath)")
        }
        var preconditions: [Precondition] = []
        for (index, item) in list.enumerated() {
            do {
                preconditions.append(try Precondition(json: item))
            } catch {
                throw SCIMError.invalidValue(
                    "preconditions[\(index)]\(error.path.description.dropFirst()): \(error.message)")
            }
        }
        var applied: [JSONValue] = []
        for precondition in preconditions {
            switch precondition {
            case .deletedTeammate(let email):
                try store.addDeletedTeammate(email: email)
                applied.append(["kind": .string(precondition.kind), "email": .string(email)])
            case .existingTeammate(let user, let blocked):
                var input = user
                if input.value(matching: "schemas") == nil {
                    input["schemas"] = [.string(SCIMURN.user)]
                }
                var attributes = try normalizer(for: UserSchemas.resourceType).normalize(.object(input))
                attributes["active"] = .bool(!blocked)
                let resource = try store.create(type: "User", attributes: attributes, now: Self.now())
                applied.append(["kind": .string(precondition.kind), "id": .string(resource.id)])
            case .fault(let fault):
                faults.add(fault)
                applied.append(precondition.json)
            }
            logger.info("precondition applied", metadata: ["precondition.kind": precondition.kind])
        }
        return jsonResponse(.ok, ["applied": .array(applied)])
    }
}
