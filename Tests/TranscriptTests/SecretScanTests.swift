import HTTP
import SCIM
import Testing
import Transcript

@Suite struct SecretScanRules {
    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLXRlc3Q"
    /// A JWT whose payload is {"iss":"front","sub":"api"}.
    static let frontToken = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJmcm9udCIsInN1YiI6ImFwaSJ9.c2lnbmF0dXJlLWZyb250LXRva2Vu"

    private func exchange(requestHeaders: HTTPHeaders = [], path: String = "/Users", body: RecordedBody = .none)
        -> Exchange
    {
        Exchange(
            request: Exchange.Request(method: "GET", path: path, headers: requestHeaders, body: body),
            response: Exchange.Response(status: 200))
    }

    @Test(arguments: [
        ("Authorization", "Bearer abcdefgh12345678", SecretFinding.Kind.bearerToken),
        ("X-Token", jwt, .jsonWebToken),
        ("X-Token", frontToken, .frontAPIToken),
        ("X-Api-Key", "k8Zq2Lm9Xw4Rt7Vb1Nc6Hy3Jd5Gf0Ps", .randomHeaderValue),
        ("X-Api-Key", "3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e", .randomHeaderValue),
    ])
    func headerSecretIsFound(name: String, value: String, kind: SecretFinding.Kind) {
        let findings = SecretScan.scan(exchange(requestHeaders: [(name, value)]), number: 4)

        #expect(findings.count == 1)
        #expect(findings.first?.kind == kind)
        #expect(findings.first?.exchange == 4)
        #expect(findings.first?.headerName == name)
        #expect(findings.first.map { !$0.description.contains(value) } == true)
    }

    @Test(arguments: [
        ("Authorization", "Bearer [redacted]"),
        ("X-Request-Id", "3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e"),
        ("client-request-id", "0f8fad5b-d9cb-469f-a165-70867728950e"),
        ("ETag", "W/\"k8Zq2Lm9Xw4Rt7Vb1Nc6Hy3Jd5Gf0Ps\""),
        ("Location", "https://scim.example.com/scim/v2/Users/0f8fad5b-d9cb-469f-a165-70867728950e"),
        ("User-Agent", "Microsoft.Identity.ProvisioningService/1.0 (compatible)"),
        ("X-Correlation", "0f8fad5b-d9cb-469f-a165-70867728950e"),
        ("Content-Type", "application/scim+json; charset=utf-8"),
    ])
    func ordinaryHeaderIsNotASecret(name: String, value: String) {
        #expect(SecretScan.scan(exchange(requestHeaders: [(name, value)]), number: 1).isEmpty)
    }

    @Test func bodyAndPathTokensAreFound() {
        let body = RecordedBody.json(["token": .string(Self.jwt), "note": "Bearer abcdefgh12345678 was sent"])
        let findings = SecretScan.scan(
            exchange(path: "/Users?access_token=\(Self.jwt)", body: body), number: 2)

        #expect(findings.map(\.location).sorted() == ["request body $.note", "request body $.token", "request path"])
    }

    @Test func redactFindingsReplacesEveryValue() {
        let original = exchange(
            requestHeaders: [("X-Api-Key", "k8Zq2Lm9Xw4Rt7Vb1Nc6Hy3Jd5Gf0Ps"), ("Accept", "application/scim+json")],
            path: "/Users?access_token=\(Self.jwt)", body: .json(["token": .string(Self.jwt)]))

        let (redacted, findings) = SecretScan.redactFindings(in: original, number: 1)

        #expect(findings.count == 3)
        #expect(redacted.request.headers["X-Api-Key"] == SecretRedaction.placeholder)
        #expect(redacted.request.headers["Accept"] == "application/scim+json")
        #expect(redacted.request.path == "/Users?access_token=%5Bredacted%5D")
        #expect(redacted.request.body.json?["token"] == .string(SecretRedaction.placeholder))
        #expect(SecretScan.scan(redacted, number: 1).isEmpty)
    }

    @Test func redactFindingsReplacesEveryCopy() {
        let token = "tok/COPY+0123456789abc"
        let detail = "bad token \(token); encoded tok%2FCOPY%2B0123456789abc; header Bearer \(token)"
        let original = exchange(body: .json(["detail": .string(detail)]))

        let (redacted, findings) = SecretScan.redactFindings(in: original, number: 1)

        #expect(findings.count == 1)
        #expect(SecretScan.flaggedValues(in: original) == [token])
        #expect(
            redacted.request.body.json?["detail"]
                == "bad token [redacted]; encoded [redacted]; header Bearer [redacted]")
    }

    @Test(arguments: [
        ("/Users?sig=tokSECRETabcdef0123456789XYZ", "/Users?sig=%5Bredacted%5D"),
        ("/Users?count=1&key=tok%2BSECRETabcdef0123456789XYZ", "/Users?count=1&key=%5Bredacted%5D"),
    ])
    func randomQueryValueIsFlagged(path: String, redactedPath: String) {
        let findings = SecretScan.scan(exchange(path: path), number: 1)
        let (redacted, _) = SecretScan.redactFindings(in: exchange(path: path), number: 1)

        #expect(findings.map(\.location) == ["request path"])
        #expect(findings.first?.kind == .randomHeaderValue)
        #expect(redacted.request.path == redactedPath)
        #expect(SecretScan.redactCredentials(inPath: path) == redactedPath)
    }

    /// SCIM's own query parameters carry filters and attribute names, which may contain long
    /// random-looking ids.
    @Test func scimQueryParametersAreNotFlagged() {
        let path =
            "/Users?filter=externalId+eq+%22k8Zq2Lm9Xw4Rt7Vb1Nc6Hy3Jd5Gf0Ps%22&attributes=k8Zq2Lm9Xw4Rt7Vb1Nc6Hy3Jd5Gf0Ps"

        #expect(SecretScan.scan(exchange(path: path), number: 1).isEmpty)
        #expect(SecretScan.redactCredentials(inPath: path) == path)
    }
}

@Suite struct SecretPolicyRules {
    @Test func passwordAndExtraNamesAreReplaced() {
        let policy = SecretPolicy(extraHeaders: ["X-Api-Key"], extraJSONFields: ["clientSecret"])
        let patch: JSONValue = [
            "Operations": [["op": "replace", "path": "password", "value": "new-password"]],
            "Password": "created-password", "nested": ["ClientSecret": ["a": 1]], "userName": "kept",
        ]
        let exchange = Exchange(
            request: Exchange.Request(
                method: "PATCH", path: "/Users/1", headers: [("X-API-KEY", "abc"), ("Cookie", "s=1")],
                body: .json(patch)),
            response: Exchange.Response(status: 200, headers: [("Set-Cookie", "s=2")]))

        let redacted = policy.apply(to: exchange)

        let body = redacted.request.body.json
        #expect(body?["Operations"]?.arrayValue?.first?["value"] == .string(SecretRedaction.placeholder))
        #expect(body?["Password"] == .string(SecretRedaction.placeholder))
        #expect(body?["nested"]?["ClientSecret"] == .string(SecretRedaction.placeholder))
        #expect(body?["userName"] == "kept")
        #expect(redacted.request.headers["x-api-key"] == SecretRedaction.placeholder)
        #expect(redacted.request.headers["Cookie"] == SecretRedaction.placeholder)
        #expect(redacted.response.headers["Set-Cookie"] == SecretRedaction.placeholder)
    }

    @Test(arguments: [
        ("/Users?access_token=\(SecretScanRules.jwt)", "/Users?access_token=%5Bredacted%5D"),
        (
            "/Users?filter=userName+eq+%22a%40b.example%22&token=\(SecretScanRules.jwt)&count=2",
            "/Users?filter=userName+eq+%22a%40b.example%22&token=%5Bredacted%5D&count=2"
        ),
        ("/Users?auth=Bearer%20abcdefgh12345678", "/Users?auth=Bearer+%5Bredacted%5D"),
        ("/Users?auth=Bearer+abcdefgh12345678&count=1", "/Users?auth=Bearer+%5Bredacted%5D&count=1"),
        ("/Users?filter=userName+eq+%22alice%22", "/Users?filter=userName+eq+%22alice%22"),
    ])
    func queryTokensAreReplaced(path: String, expected: String) {
        let exchange = Exchange(
            request: Exchange.Request(method: "GET", path: path), response: Exchange.Response(status: 200))

        let redacted = SecretPolicy().apply(to: exchange)

        #expect(redacted.request.path == expected)
        #expect(SecretScan.scan(redacted, number: 1).isEmpty)
    }

    @Test func jsonFindingNamesItsMember() {
        let exchange = Exchange(
            request: Exchange.Request(
                method: "POST", path: "/Users",
                body: .json(["token": .string(SecretScanRules.jwt), "keys": [.string(SecretScanRules.jwt)]])),
            response: Exchange.Response(status: 201))

        let findings = SecretScan.scan(exchange, number: 1)

        #expect(findings.compactMap(\.jsonMember).sorted() == ["keys", "token"])
    }
}
