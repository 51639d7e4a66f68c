import SCIM
import Testing

@Suite("Case-insensitive comparison")
struct CaseInsensitiveTests {
    @Test(arguments: [
        ("userName", "USERNAME"), ("emails", "Emails"), ("", ""), ("a-b_c1", "A-B_C1"),
        ("\u{212A}elvin", "kelvin"), ("É", "e\u{301}"),
        ("Straße", "straße"),
    ])
    func equalPairs(first: String, second: String) {
        #expect(first.equalsIgnoringCase(second))
        #expect(second.equalsIgnoringCase(first))
    }

    @Test(arguments: [
        ("userName", "userNames"), ("a", ""), ("a-b", "a\rb"), ("[", "{"), ("@", "`"), ("a\u{301}", "a"),
        ("id", "ID2"),
    ])
    func unequalPairs(first: String, second: String) {
        #expect(!first.equalsIgnoringCase(second))
        #expect(!second.equalsIgnoringCase(first))
    }

    @Test func attributeNamesAreASCII() {
        #expect(AttributePath.isAttributeName("userName"))
        #expect(AttributePath.isAttributeName("x-custom_field2"))
        #expect(AttributePath.isAttributeName("$ref"))
        #expect(!AttributePath.isAttributeName("2fa"))
        #expect(!AttributePath.isAttributeName("_id"))
        #expect(!AttributePath.isAttributeName("émail"))
        #expect(!AttributePath.isAttributeName("na me"))
        #expect(!AttributePath.isAttributeName(""))
    }
}
