import SCIM
import Testing

@testable import Verifier

/// The excerpt of a value in a finding: short values whole, long ones cut at the limit.
@Suite struct Excerpt {
    @Test func shortValueShownWhole() {
        let value: JSONValue = ["userName": "ann@example.com", "active": true]

        #expect(excerpt(value) == value.serialized())
    }

    @Test func longStringCutAtLimit() {
        let value = JSONValue.string(String(repeating: "x", count: 10_000_000))

        let text = excerpt(value, limit: 20)

        #expect(text == "\"" + String(repeating: "x", count: 19) + "… (cut at 20 characters)")
    }

    @Test func longArrayCutAtLimit() {
        let value = JSONValue.array((0..<100_000).map { .number(JSONNumber($0)) })

        let text = excerpt(value, limit: 10)

        #expect(text == "[0,1,2,3,4… (cut at 10 characters)")
    }

    /// A value whose strings and members are within the limit, but whose text is not, is cut too.
    @Test func longTextOfShortPartsCut() {
        let value: JSONValue = ["a": "12345", "b": "67890"]

        #expect(excerpt(value, limit: 12) == "{\"a\":\"12345\"… (cut at 12 characters)")
    }
}
