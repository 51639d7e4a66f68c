import SCIM
import Testing

@Suite("JSON object")
struct JSONObjectTests {
    /// Sizes on both sides of the point where the object starts keeping a position index.
    static let sizes = [0, 1, 16, 17, 200]

    static func numbered(_ count: Int) -> JSONObject {
        JSONObject((0..<count).map { ("key\($0)", .number(JSONNumber($0))) })
    }

    @Test(arguments: sizes)
    func keepsInsertionOrderAndValues(count: Int) {
        let object = Self.numbered(count)
        #expect(object.count == count)
        #expect(object.keys == (0..<count).map { "key\($0)" })
        for index in 0..<count {
            #expect(object["key\(index)"] == .number(JSONNumber(index)))
        }
        #expect(object["missing"] == nil)
    }

    @Test(arguments: sizes)
    func removalKeepsOrderAndLookups(count: Int) {
        var object = Self.numbered(count)
        for index in stride(from: 0, to: count, by: 2) {
            #expect(object.removeValue(forKey: "key\(index)") == .number(JSONNumber(index)))
        }
        let oddKeys = stride(from: 1, to: count, by: 2).map { "key\($0)" }
        #expect(object.keys == oddKeys)
        for key in oddKeys {
            #expect(object[key] != nil)
        }
        #expect(object.removeValue(forKey: "key0") == nil)
    }

    @Test(arguments: sizes)
    func replacingKeepsPosition(count: Int) {
        var object = Self.numbered(count)
        object["key0"] = "changed"
        object["added"] = true
        #expect(object.count == max(count, 1) + 1)
        #expect(object.keys.last == "added")
        if count > 0 {
            #expect(object.keys.first == "key0")
            #expect(object["key0"] == "changed")
        }
    }

    @Test(arguments: sizes)
    func equalityAndHashIgnoreOrder(count: Int) {
        let forward = Self.numbered(count)
        let backward = JSONObject((0..<count).reversed().map { ("key\($0)", .number(JSONNumber($0))) })
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        var changed = backward
        changed["key0"] = "other"
        #expect(count == 0 || changed != forward)
    }

    @Test func caseInsensitiveLookupPrefersExactKey() {
        let object = JSONObject([("userName", "exact"), ("USERNAME", "upper"), ("Active", true)])
        #expect(object.value(matching: "USERNAME") == "upper")
        #expect(object.value(matching: "username") == "exact")
        #expect(object.key(matching: "active") == "Active")
        #expect(object.value(matching: "emails") == nil)
    }

    @Test func repeatedKeyKeepsFirstPositionAndLastValue() {
        let object = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
    }
}
