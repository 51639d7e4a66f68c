import Foundation
import HTTP
import SCIM
import Transcript

/// Negative checks generated from a replay with `--derive`: what must fail, sent after the
/// transcript, against the same target.
///
/// - A second POST of the first user the transcript created must fail with 409 `uniqueness`.
/// - A userName filter in another case must find exactly that user.
/// - GET, PATCH and DELETE of an id that does not exist must return 404 with a SCIM error.
/// - A query without the bearer token must return 401, when the run uses a token.
struct DerivedChecks {
    let replay: TranscriptReplay

    func run() -> [Finding] {
        var findings: [Finding] = []
        if let creation = replay.replayed.first(where: {
            $0.method == "POST" && $0.segments == ["Users"] && $0.status == 201 && $0.requestBody != nil
        }), let id = creation.responseBody?["id"]?.stringValue, let current = currentRepresentation(of: id) {
            findings += duplicateCreate(creation, current: current)
            findings += caseVariantFilter(current)
        }
        findings += unknownId()
        if replay.target.token != nil {
            findings += missingToken()
        }
        return findings
    }

    /// The user as the target has it now, or `nil` when it is gone (removed by a DELETE in the
    /// entra and rfc profiles), in which case there is nothing to conflict with.
    private func currentRepresentation(of id: String) -> JSONObject? {
        let request = HTTPRequest(
            method: .get, target: "/Users/" + RequestTarget.encodePathSegment(id), headers: replay.authorized([]))
        guard let response = try? replay.send(request, number: nil), response.status.code == 200 else {
            return nil
        }
        return (try? JSONValue.parse(bytes: response.body))?.objectValue
    }

    private func duplicateCreate(_ creation: ReplayedExchange, current: JSONObject) -> [Finding] {
        guard var request = creation.request, var duplicate = creation.requestBody?.objectValue,
            let userName = current.value(matching: "userName")
        else {
            return []
        }
        // The user may have been renamed since it was created; the duplicate uses its name now.
        duplicate[duplicate.key(matching: "userName") ?? "userName"] = userName
        request.body = JSONValue.object(duplicate).serializedBytes()
        let response = try? replay.send(request, number: nil)
        let status = response?.status.code ?? 0
        let body = response.flatMap { try? JSONValue.parse(bytes: $0.body) }
        if status == 201, let id = body?["id"]?.stringValue {
            replay.created.append(("Users", id))
        }
        guard status == 409, body?["scimType"]?.stringValue == "uniqueness" else {
            return [
                finding(
                    "derived-duplicate-create",
                    "POST /Users with the body of exchange \(creation.number) and the user's current userName must fail with 409 uniqueness",
                    expected: "409 uniqueness",
                    actual: "\(status)" + (body?["scimType"]?.stringValue.map { " \($0)" } ?? ""))
            ]
        }
        return []
    }

    private func caseVariantFilter(_ current: JSONObject) -> [Finding] {
        guard let userName = current.value(matching: "userName")?.stringValue,
            let id = current.value(matching: "id")?.stringValue
        else {
            return []
        }
        let variant = userName.uppercased() == userName ? userName.lowercased() : userName.uppercased()
        let target =
            "/Users?filter=" + RequestTarget.encodeFormValue("userName eq \(JSONValue.string(variant).serialized())")
        let response = try? replay.send(
            HTTPRequest(method: .get, target: target, headers: replay.authorized([])), number: nil)
        let body = response.flatMap { try? JSONValue.parse(bytes: $0.body) }
        let ids = (body?["Resources"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        guard response?.status.code == 200, ids == [id] else {
            return [
                finding(
                    "derived-username-case",
                    "the filter userName eq \"\(variant)\" must find exactly the user \(userName)",
                    expected: "one result with id \(id)", actual: "\(response?.status.code ?? 0) with ids \(ids)")
            ]
        }
        return []
    }

    private func unknownId() -> [Finding] {
        let path = "/Users/" + UUID().uuidString.lowercased()
        let patch: JSONValue = [
            "schemas": [.string(SCIMURN.patchOp)],
            "Operations": [["op": "replace", "path": "displayName", "value": "x"]],
        ]
        var findings: [Finding] = []
        for (method, body) in [(HTTPMethod.get, nil), (.patch, patch), (.delete, nil)] as [(HTTPMethod, JSONValue?)] {
            var headers: HTTPHeaders = []
            if body != nil {
                headers.add(name: "Content-Type", value: SCIMMediaType.scimJSON)
            }
            let request = HTTPRequest(
                method: method, target: path, headers: replay.authorized(headers), body: body?.serializedBytes() ?? [])
            let response = try? replay.send(request, number: nil)
            let parsed = response.flatMap { try? JSONValue.parse(bytes: $0.body) }
            let isError = parsed?["schemas"]?.arrayValue?.contains(.string(SCIMURN.error)) == true
            if response?.status.code != 404 || !isError {
                findings.append(
                    finding(
                        "derived-unknown-id",
                        "\(method) of an id that does not exist must return 404 with a SCIM error",
                        expected: "404 with an Error body",
                        actual: "\(response?.status.code ?? 0) \(excerpt(parsed, limit: 120))"))
            }
        }
        return findings
    }

    private func missingToken() -> [Finding] {
        var headers = replay.authorized([])
        headers.remove(name: "Authorization")
        let response = try? replay.send(
            HTTPRequest(method: .get, target: "/Users?count=1", headers: headers), number: nil)
        guard response?.status.code == 401 else {
            return [
                finding(
                    "derived-missing-token", "a query without the bearer token must return 401", expected: "401",
                    actual: "\(response?.status.code ?? 0)")
            ]
        }
        return []
    }

    private func finding(_ rule: String, _ message: String, expected: String, actual: String) -> Finding {
        Finding(rule: rule, exchange: nil, message: "derived check: \(message)", expected: expected, actual: actual)
    }
}
