import HTTP
import SCIM
import Testing
import Transcript

/// Personal values that a URL, a query, a header or a form body spells with `%XX` escapes or with
/// `+` for a space get the pseudonym of the plain value, encoded the same way.
@Suite struct EncodedPersonalData {
    static let user: JSONValue = [
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "dora.fischer@fabrikam.example",
        "displayName": "Dora Fischer",
        "name": ["givenName": "Dora", "familyName": "Müller"],
        "phoneNumbers": [["value": "+44 20 7946 0000", "type": "work"]],
    ]

    /// Pseudonyms that the user's values got, read from the redacted body.
    struct Pseudonyms {
        let userName: String
        let displayName: String
        let familyName: String
        let phone: String
    }

    /// Redacts a transcript that creates `user` and then sends `request`, and returns the
    /// redacted request, its response and the pseudonyms.
    private func redact(
        _ request: Exchange.Request, response: Exchange.Response = Exchange.Response(status: 200)
    ) throws -> (exchange: Exchange, pseudonyms: Pseudonyms, text: String) {
        let transcript = Transcript(
            name: "encoded", description: "", source: Transcript.Source(kind: .proxied),
            exchanges: [
                Exchange(
                    request: Exchange.Request(method: "POST", path: "/Users", body: .json(Self.user)),
                    response: Exchange.Response(status: 201, body: .json(Self.user))),
                Exchange(request: request, response: response),
            ])

        let (redacted, _) = PersonalDataRedaction.redact(transcript)

        let created = try #require(redacted.exchanges.first?.request.body.json)
        let pseudonyms = Pseudonyms(
            userName: try #require(created["userName"]?.stringValue),
            displayName: try #require(created["displayName"]?.stringValue),
            familyName: try #require(created["name"]?["familyName"]?.stringValue),
            phone: try #require(created["phoneNumbers"]?.arrayValue?.first?["value"]?.stringValue))
        return (try #require(redacted.exchanges.last), pseudonyms, redacted.json.serialized())
    }

    /// Checks that no spelling of the user's values, plain or decoded, is left in `text`.
    private func expectNoOriginals(in text: String) {
        let decoded = RequestTarget.percentDecode(text, plusIsSpace: true).lowercased()
        for original in ["dora", "fischer", "fabrikam", "müller", "7946"] {
            #expect(!text.lowercased().contains(original), "\(original) is still in the text")
            #expect(!decoded.contains(original), "\(original) is still in the decoded text")
        }
    }

    @Test func headerEscapesGetPseudonyms() throws {
        let request = Exchange.Request(
            method: "GET", path: "/Users",
            headers: [
                ("X-User", "dora.fischer%40fabrikam.example"),
                ("X-Debug", "user=DORA.FISCHER%40FABRIKAM.EXAMPLE; name=Dora%20Fischer"),
                ("X-Family", "family=M%C3%BCller, m%c3%bcller"),
                ("X-Phone", "tel=%2B44%2020%207946%200000; fax=%2b44%2020%207946%200000"),
                ("X-Plain", "call +44 20 7946 0000 or Dora+Fischer"),
            ])

        let (exchange, pseudonyms, text) = try redact(request)

        let email = RequestTarget.encodeQueryValue(pseudonyms.userName)
        let phone = RequestTarget.encodeQueryValue(pseudonyms.phone)
        let headers = exchange.request.headers
        #expect(headers["X-User"] == email)
        #expect(
            headers["X-Debug"]
                == "user=\(email.uppercased()); name=\(RequestTarget.encodeQueryValue(pseudonyms.displayName))")
        #expect(headers["X-Family"] == "family=\(pseudonyms.familyName), \(pseudonyms.familyName.lowercased())")
        #expect(headers["X-Phone"] == "tel=\(phone); fax=\(phone.replacingOccurrences(of: "%2B", with: "%2b"))")
        #expect(
            headers["X-Plain"]
                == "call \(pseudonyms.phone) or \(RequestTarget.encodeFormValue(pseudonyms.displayName))")
        expectNoOriginals(in: text)
    }

    @Test func refererQueryGetsPseudonyms() throws {
        let request = Exchange.Request(
            method: "GET", path: "/Users",
            headers: [
                ("Referer", "https://portal.example/users?email=dora.fischer%40fabrikam.example&name=Dora+Fischer")
            ])

        let (exchange, pseudonyms, text) = try redact(request)

        let email = RequestTarget.encodeQueryValue(pseudonyms.userName)
        let name = RequestTarget.encodeFormValue(pseudonyms.displayName)
        #expect(
            exchange.request.headers["Referer"] == "https://scim.example.invalid/users?email=\(email)&name=\(name)")
        expectNoOriginals(in: text)
    }

    @Test func requestQueryGetsPseudonyms() throws {
        let request = Exchange.Request(
            method: "GET", path: "/Users?attributes=displayName&login=dora.fischer%40fabrikam.example&count=10")

        let (exchange, pseudonyms, text) = try redact(request)

        let email = RequestTarget.encodeQueryValue(pseudonyms.userName)
        #expect(exchange.request.path == "/Users?attributes=displayName&login=\(email)&count=10")
        expectNoOriginals(in: text)
    }

    @Test func formBodyGetsPseudonyms() throws {
        let request = Exchange.Request(
            method: "POST", path: "/Users", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: .text("userName=dora.fischer%40fabrikam.example&displayName=Dora+Fischer&family=m%c3%bcller"))
        let response = Exchange.Response(
            status: 415, body: .json(["detail": "unsupported body userName=dora.fischer%40fabrikam.example"]))

        let (exchange, pseudonyms, text) = try redact(request, response: response)

        let email = RequestTarget.encodeQueryValue(pseudonyms.userName)
        let name = RequestTarget.encodeFormValue(pseudonyms.displayName)
        let family = pseudonyms.familyName.lowercased()
        #expect(exchange.request.body == .text("userName=\(email)&displayName=\(name)&family=\(family)"))
        #expect(exchange.response.body.json?["detail"] == .string("unsupported body userName=\(email)"))
        expectNoOriginals(in: text)
    }

    /// An escape sequence that is not UTF-8 stays, and a match may not end inside a character
    /// that escapes spell.
    @Test func invalidEscapesStay() throws {
        let request = Exchange.Request(
            method: "GET", path: "/Users", headers: [("X-Debug", "a=%FF%zz%C3 dora.fischer%40fabrikam.example%")])

        let (exchange, pseudonyms, _) = try redact(request)

        let email = RequestTarget.encodeQueryValue(pseudonyms.userName)
        #expect(exchange.request.headers["X-Debug"] == "a=%FF%zz%C3 \(email)%")
    }
}
