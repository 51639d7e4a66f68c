import HTTP
import Testing

@Suite("Header lookup")
struct HeaderLookupTests {
    static let headers: HTTPHeaders = [
        ("Content-Type", "application/scim+json"), ("ETag", "W/\"1\""), ("X-Trace", "a"), ("x-trace", "b"),
    ]

    @Test(arguments: ["Content-Type", "content-type", "CONTENT-TYPE", "cOnTeNt-TyPe"])
    func nameMatchesInAnyCase(name: String) {
        #expect(Self.headers[name] == "application/scim+json")
    }

    @Test func allValuesInOrder() {
        #expect(Self.headers.values(named: "X-TRACE") == ["a", "b"])
    }

    /// `-` and carriage return differ only in the bit that separates ASCII letter cases, so a
    /// case-folding comparison that is not limited to letters would equate them.
    @Test(arguments: ["Content\rType", "Content-Typ", "Content-Types", "etag\u{0}", "ETAG "])
    func otherNamesDoNotMatch(name: String) {
        #expect(Self.headers[name] == nil)
        #expect(!Self.headers.contains(name))
    }

    static let listed = HeaderNameSet(["Authorization", "x-api-key", "Cookie"])

    @Test(arguments: ["authorization", "AUTHORIZATION", "Authorization", "X-Api-Key", "cookie"])
    func nameSetMatchesInAnyCase(name: String) {
        #expect(Self.listed.contains(name))
    }

    /// A name that is not ASCII is lowercased in full: the Kelvin sign lowercases to `k`.
    @Test func nameSetLowercasesOtherNames() {
        #expect(Self.listed.contains("X-Api-\u{212A}ey"))
    }

    @Test(arguments: ["authorizatio", "authorization ", "x-api_key", "Cookie\r", "set-cookie", ""])
    func nameSetRejectsOtherNames(name: String) {
        #expect(!Self.listed.contains(name))
    }

    @Test(arguments: [
        ("AuthorizationTOKEN", "authorization"), ("Cookiesid=x", "cookie"), ("x-API-keyabc", "x-api-key"),
        ("Authorization\u{212A}", "authorization"),
    ])
    func nameSetFindsListedPrefix(name: String, listed: String) {
        #expect(Self.listed.listedPrefix(of: name) == listed)
    }

    @Test(arguments: ["Authorization", "cookie", "X-Other", "Authorizatio", "Authentication-Info"])
    func nameSetFindsNoPrefix(name: String) {
        #expect(Self.listed.listedPrefix(of: name) == nil)
    }
}
