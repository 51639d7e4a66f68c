import HTTP
import SCIM
import Transcript

extension TranscriptReplay {
    /// Creates the resources exchange `index` uses that the transcript never created, such as a
    /// user that existed before a capture started, from their recorded representation.
    func bootstrap(before index: Int, preconditions: [Precondition]) {
        let exchange = transcript.exchanges[index]
        for (collection, recordedId) in referencedResources(exchange) {
            guard correlation.live(for: recordedId) == nil, !createdByTranscript.keys.contains(recordedId),
                let (representation, source) = recordedRepresentation(of: recordedId)
            else {
                continue
            }
            if let liveId = preconditionResource(matching: representation, preconditions: preconditions) {
                correlation.learn(recorded: recordedId, live: liveId)
                continue
            }
            create(representation, recordedId: recordedId, collection: collection, source: source, before: index + 1)
        }
    }

    /// Ids a transcript creates itself, with the exchange that creates each: those in the recorded
    /// 201 response to a POST on a collection.
    var createdByTranscript: [String: Int] {
        var result: [String: Int] = [:]
        for (index, exchange) in transcript.exchanges.enumerated()
        where exchange.request.method == "POST" && exchange.response.status == 201 {
            if let id = exchange.response.body.json?["id"]?.stringValue {
                result[id] = index
            }
        }
        return result
    }

    /// The (collection, recorded id) pairs an exchange uses: the id in its path and the ids its
    /// successful recorded response shows.
    private func referencedResources(_ exchange: Exchange) -> [(String, String)] {
        guard exchange.response.status / 100 == 2 else {
            return []
        }
        var result: [(String, String)] = []
        let segments = RequestTarget.split(exchange.request.path).path.split(separator: "/").map {
            RequestTarget.percentDecode(String($0))
        }
        if segments.count == 2, ["Users", "Groups"].contains(segments[0]), exchange.request.method != "POST" {
            result.append((segments[0], segments[1]))
        }
        let collection = segments.first ?? "Users"
        if exchange.request.method != "POST" || segments.count != 1 {
            for id in Self.ids(in: exchange.response.body.json) {
                result.append((["Users", "Groups"].contains(collection) ? collection : "Users", id))
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0.1).inserted }
    }

    /// The first recorded representation of a resource and the exchange it is in.
    private func recordedRepresentation(of id: String) -> (JSONObject, Int)? {
        for (index, exchange) in transcript.exchanges.enumerated() where exchange.response.status / 100 == 2 {
            guard let body = exchange.response.body.json?.objectValue else {
                continue
            }
            let candidates = [body] + (body["Resources"]?.arrayValue ?? []).compactMap(\.objectValue)
            if let match = candidates.first(where: { $0["id"]?.stringValue == id }) {
                return (match, index + 1)
            }
        }
        return nil
    }

    /// The live id of an `existingTeammate` precondition with the same userName, if any.
    private func preconditionResource(matching representation: JSONObject, preconditions: [Precondition]) -> String? {
        guard let userName = representation.value(matching: "userName")?.stringValue else {
            return nil
        }
        var teammateIndex = 0
        for precondition in preconditions {
            guard case .existingTeammate(let user, _) = precondition else {
                continue
            }
            defer { teammateIndex += 1 }
            guard let name = user.value(matching: "userName")?.stringValue,
                name.equalsIgnoringCase(isolation?.apply(userName) ?? userName)
            else {
                continue
            }
            if teammateIndex < preconditionIds.count {
                return preconditionIds[teammateIndex]
            }
            return lookUp(userName: name)
        }
        return nil
    }

    private func create(
        _ representation: JSONObject, recordedId: String, collection: String, source: Int, before number: Int
    ) {
        var body = representation
        body.removeValue(forKey: body.key(matching: "id") ?? "id")
        body.removeValue(forKey: body.key(matching: "meta") ?? "meta")
        body.removeValue(forKey: body.key(matching: "groups") ?? "groups")
        let prepared = correlation.substitute(isolation?.apply(.object(body)) ?? .object(body))
        let request = HTTPRequest(
            method: .post, target: "/\(collection)", headers: authorized([("Content-Type", SCIMMediaType.scimJSON)]),
            body: prepared.serializedBytes())
        let kind = collection == "Groups" ? "Group" : "User"
        do {
            let response = try send(request, number: number)
            if response.status.code == 201,
                let liveId = (try? JSONValue.parse(bytes: response.body))?["id"]?.stringValue
            {
                correlation.learn(recorded: recordedId, live: liveId)
                created.append((collection, liveId))
                findings.append(
                    Finding(
                        rule: "bootstrap", severity: .note, exchange: number,
                        message:
                            "created \(kind) \(recordedId) as \(liveId) from its recorded representation in exchange \(source), because the transcript uses it without creating it"
                    ))
                return
            }
            if response.status.code == 409, let userName = prepared["userName"]?.stringValue,
                let liveId = lookUp(userName: userName)
            {
                correlation.learn(recorded: recordedId, live: liveId)
                findings.append(
                    Finding(
                        rule: "bootstrap", severity: .note, exchange: number,
                        message: "\(kind) \(recordedId) exists on the target as \(liveId); it was matched by userName"))
                return
            }
            findings.append(
                Finding(
                    rule: "bootstrap", exchange: number,
                    message:
                        "creating \(kind) \(recordedId) from its recorded representation failed with \(response.status.code)",
                    actual: String(response.bodyText.prefix(200))))
        } catch {
            findings.append(
                Finding(
                    rule: "bootstrap", exchange: number,
                    message: "creating \(kind) \(recordedId) failed: \(error.message)"))
        }
    }

    /// Finds a user's live id by a userName filter.
    func lookUp(userName: String) -> String? {
        let target =
            "/Users?filter=" + RequestTarget.encodeFormValue("userName eq \(JSONValue.string(userName).serialized())")
        guard let response = try? send(HTTPRequest(method: .get, target: target, headers: authorized([])), number: nil),
            response.status.code == 200
        else {
            return nil
        }
        return (try? JSONValue.parse(bytes: response.body))?["Resources"]?.arrayValue?.first?["id"]?.stringValue
    }
}
