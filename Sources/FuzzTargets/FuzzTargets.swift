import SCIM
import Transcript

/// The code each coverage-guided fuzzer runs on one input. The fuzzers in `Tests/Fuzz` call these
/// from `LLVMFuzzerTestOneInput`, and `FuzzRegressionTests` runs every saved crash input through
/// them, so a fixed crash stays fixed.
///
/// Each function must return normally for every input; a trap (a failed precondition, an
/// out-of-range index, an overflow) is the crash the fuzzer looks for. Properties that must hold
/// are checked with `check`, which traps.
public enum FuzzTargets {
    /// Parses JSON; whatever parses must serialize and parse back to an equal value.
    public static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONValue.parse(bytes: bytes) else {
            return
        }
        for formatting in [JSONFormatting.compact, .pretty] {
            let again = try? JSONValue.parse(bytes: value.serializedBytes(formatting))
            check(again == value, "a serialized value parses back to itself")
        }
    }

    /// Reads a transcript; whatever reads must encode and read back to an equal transcript.
    public static func transcript(_ bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes: bytes), let transcript = try? Transcript(json: json) else {
            return
        }
        let encoded = try? JSONValue.parse(bytes: transcript.encoded())
        let again = encoded.flatMap { try? Transcript(json: $0) }
        check(again == transcript, "an encoded transcript reads back to itself")
    }

    /// Imports a HAR file as `scimtape import` does, with the secret scan that runs before it
    /// writes. Whatever imports must encode and read back to an equal transcript, because `import`
    /// writes it for `verify` and `lint` to read.
    public static func har(_ bytes: [UInt8]) {
        let options = HARImport.Options(name: "fuzz", sourceFile: "fuzz.har", tool: "scimtape fuzz")
        guard let result = try? HARImport.parse(bytes: bytes, options: options) else {
            return
        }
        _ = SecretScan.scan(result.transcript)
        let encoded = try? JSONValue.parse(bytes: result.transcript.encoded())
        let again = encoded.flatMap { try? Transcript(json: $0) }
        check(again == result.transcript, "an imported transcript reads back to itself")
    }

    /// Parses a filter and evaluates it against a user and a group.
    public static func filter(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for type in [UserSchemas.resourceType, GroupSchemas.resourceType] {
            guard let filter = try? FilterParser.parse(text, knownSchemas: type.schemaURNs) else {
                continue
            }
            let evaluator = FilterEvaluator(resourceType: type)
            guard (try? evaluator.validate(filter)) != nil else {
                continue
            }
            _ = try? evaluator.matches(filter, resource: type.name == "User" ? sampleUser : sampleGroup)
        }
    }

    /// Parses a PATCH body and applies it to a user and a group under every immutable handling.
    public static func patch(_ bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes: bytes), let request = try? PatchRequest.parse(json) else {
            return
        }
        for (type, resource) in [(UserSchemas.resourceType, sampleUser), (GroupSchemas.resourceType, sampleGroup)] {
            for handling in [PatchApplier.ImmutableHandling.ignore, .reject, .overwrite] {
                let applier = PatchApplier(resourceType: type, immutableHandling: handling)
                guard let result = try? applier.apply(request, to: resource) else {
                    continue
                }
                // A patched resource is still a valid representation of its type.
                let normalized = try? ResourceNormalizer(resourceType: type).normalize(.object(result.resource))
                check(normalized != nil, "a patched \(type.name) normalizes again")
            }
        }
    }

    static let sampleUser: JSONObject = {
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser), .string(SCIMURN.frontTeammate)],
            "userName": "alice@example.com", "externalId": "a-1", "active": true, "displayName": "Alice Example",
            "name": ["givenName": "Alice", "familyName": "Example"],
            "emails": [
                ["value": "alice@example.com", "type": "work", "primary": true],
                ["value": "a@home.example", "type": "home"],
            ],
            .init(stringLiteral: SCIMURN.enterpriseUser): ["employeeNumber": "7", "manager": ["value": "m-1"]],
            .init(stringLiteral: SCIMURN.frontTeammate): ["template": "t-1"],
        ]
        return (try? ResourceNormalizer(resourceType: UserSchemas.resourceType).normalize(body)) ?? JSONObject()
    }()

    static let sampleGroup: JSONObject = {
        let body: JSONValue = [
            "schemas": [.string(SCIMURN.group)], "displayName": "Support",
            "members": [["value": "u-1", "display": "Alice"], ["value": "u-2"]],
        ]
        return (try? ResourceNormalizer(resourceType: GroupSchemas.resourceType).normalize(body)) ?? JSONObject()
    }()

    private static func check(_ condition: Bool, _ property: String) {
        guard condition else {
            fatalError("fuzz property failed: \(property)")
        }
    }
}
