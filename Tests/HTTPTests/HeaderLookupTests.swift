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
}
