import HTTP
import SCIM
import Transcript

/// Compares an expected response body with the live one using SCIM's own tolerances.
///
/// - Members of the expected body must be present; extra members in the live body are fine.
/// - Attribute names match without regard to case (RFC 7643 section 2.1).
/// - Strings of `caseExact: false` attributes compare ignoring case; other strings exactly.
/// - Multi-valued attributes, `schemas` and `Resources` compare without regard to order, unless
///   the query asked for an order with `sortBy`; other arrays compare in order.
/// - Explicit matchers from the transcript replace the comparison at the paths they name.
/// - Server-generated values are checked for form, not value: `meta.created` and
///   `meta.lastModified` must be RFC 3339 timestamps, `meta.location` must end with the id,
///   `meta.version` must be a string, `itemsPerPage` an integer, and an error's `detail` text.
struct BodyMatcher {
    var matchers: [MatcherEntry] = []
    /// Whether `Resources` must come in the recorded order, as after `sortBy`.
    var orderedResources = false

    struct Mismatch: Equatable {
        let path: JSONPath
        let message: String
        let expected: String
        let actual: String
    }

    private static let resourceTypes: [ResourceType] = [UserSchemas.resourceType, GroupSchemas.resourceType]

    func compare(expected: JSONValue, actual: JSONValue) -> [Mismatch] {
        var mismatches: [Mismatch] = []
        for entry in matchers where entry.matcher != .unordered {
            for (path, value) in entry.pattern.resolve(in: actual) {
                if let problem = entry.matcher.problem(with: value) {
                    mismatches.append(
                        Mismatch(
                            path: path, message: "\(problem) (matcher \(entry.pattern))",
                            expected: excerpt(entry.matcher.json),
                            actual: excerpt(value)))
                }
            }
        }
        compare(expected, actual, path: .root, context: .document, into: &mismatches)
        return mismatches
    }

    /// Whether an explicit matcher other than `unordered` covers `path`, so the default
    /// comparison skips it.
    private func isCovered(_ path: JSONPath) -> Bool {
        matchers.contains { $0.matcher != .unordered && $0.pattern.matches(path) }
    }

    /// What the compared value is, which decides its tolerances.
    private indirect enum Context {
        case document
        case resource(ResourceType)
        case attribute(SchemaAttribute, parent: ResourceType?)
        case element(SchemaAttribute, parent: ResourceType?)
        case unknown
    }

    private func compare(
        _ expected: JSONValue, _ actual: JSONValue?, path: JSONPath, context: Context, into mismatches: inout [Mismatch]
    ) {
        if isCovered(path) {
            return
        }
        guard let actual else {
            if !expected.isNull {
                mismatches.append(
                    Mismatch(path: path, message: "is missing", expected: excerpt(expected), actual: "(absent)"))
            }
            return
        }
        switch expected {
        case .object(let expectedObject):
            guard let actualObject = actual.objectValue else {
                mismatches.append(typeMismatch(path, expected, actual))
                return
            }
            compareObjects(expectedObject, actualObject, path: path, context: context, into: &mismatches)
        case .array(let expectedElements):
            guard let actualElements = actual.arrayValue else {
                mismatches.append(typeMismatch(path, expected, actual))
                return
            }
            compareArrays(expectedElements, actualElements, path: path, context: context, into: &mismatches)
        case .string(let expectedText):
            guard let actualText = actual.stringValue else {
                mismatches.append(typeMismatch(path, expected, actual))
                return
            }
            if let attribute = attribute(of: context), attribute.type == .dateTime {
                if SCIMDateTime.parse(actualText) == nil {
                    mismatches.append(
                        Mismatch(
                            path: path, message: "is not an RFC 3339 timestamp", expected: "a timestamp",
                            actual: excerpt(actual)))
                }
                return
            }
            let caseExact = attribute(of: context)?.caseExact ?? true
            let equal = caseExact ? expectedText == actualText : expectedText.equalsIgnoringCase(actualText)
            if !equal {
                mismatches.append(
                    Mismatch(path: path, message: "differs", expected: excerpt(expected), actual: excerpt(actual)))
            }
        case .null:
            if !actual.isNull {
                mismatches.append(
                    Mismatch(path: path, message: "should be null or absent", expected: "null", actual: excerpt(actual))
                )
            }
        default:
            if expected != actual {
                let sameType = expected.typeName == actual.typeName
                mismatches.append(
                    sameType
                        ? Mismatch(path: path, message: "differs", expected: excerpt(expected), actual: excerpt(actual))
                        : typeMismatch(path, expected, actual))
            }
        }
    }

    private func compareObjects(
        _ expected: JSONObject, _ actual: JSONObject, path: JSONPath, context: Context,
        into mismatches: inout [Mismatch]
    ) {
        var objectContext = context
        if case .document = context, let type = resourceType(of: expected) {
            objectContext = .resource(type)
        } else if case .document = context, expected["Resources"] != nil || expected["totalResults"] != nil {
            objectContext = .document
        }
        let isError = expected["schemas"]?.arrayValue?.contains(.string(SCIMURN.error)) == true

        for (key, expectedValue) in expected {
            let actualKey = actual.key(matching: key)
            let actualValue = actualKey.flatMap { actual[$0] }
            let childPath = path.appending(key: key)
            switch (objectContext, key) {
            case (_, "schemas"):
                compareSchemas(expectedValue, actualValue, path: childPath, into: &mismatches)
                continue
            case (.document, "itemsPerPage"):
                if actualValue?.intValue == nil {
                    mismatches.append(
                        Mismatch(
                            path: childPath, message: "must be an integer", expected: "an integer",
                            actual: excerpt(actualValue)))
                }
                continue
            case (.document, "Resources"):
                compare(
                    expectedValue, actualValue ?? (expected["totalResults"] == 0 ? .array([]) : nil), path: childPath,
                    context: .document, into: &mismatches)
                continue
            case (.document, "detail") where isError:
                if let actualValue, actualValue.stringValue == nil {
                    mismatches.append(typeMismatch(childPath, expectedValue, actualValue))
                }
                continue
            case (.resource, "meta"):
                compareMeta(
                    expectedValue, actualValue, resourceId: actual.value(matching: "id")?.stringValue, path: childPath,
                    into: &mismatches)
                continue
            default:
                break
            }
            compare(
                expectedValue, actualValue, path: childPath, context: childContext(objectContext, key: key),
                into: &mismatches)
        }
    }

    private func compareArrays(
        _ expected: [JSONValue], _ actual: [JSONValue], path: JSONPath, context: Context,
        into mismatches: inout [Mismatch]
    ) {
        let elementContext: Context
        switch context {
        case .attribute(let attribute, let parent):
            elementContext = .element(attribute, parent: parent)
        default:
            elementContext = .document
        }
        guard expected.count == actual.count else {
            mismatches.append(
                Mismatch(
                    path: path,
                    message:
                        "has \(actual.count) \(actual.count == 1 ? "value" : "values") instead of \(expected.count)",
                    expected: excerpt(.array(expected)), actual: excerpt(.array(actual))))
            return
        }
        guard isUnordered(path, context: context) else {
            for index in expected.indices {
                compare(
                    expected[index], actual[index], path: path.appending(index: index), context: elementContext,
                    into: &mismatches)
            }
            return
        }
        // Pair elements without regard to order; report by position only when no pairing works.
        var remaining = Array(actual.indices)
        var unpaired: [Int] = []
        for (index, element) in expected.enumerated() {
            if let match = remaining.first(where: { candidate in
                var scratch: [Mismatch] = []
                compare(
                    element, actual[candidate], path: path.appending(index: candidate), context: elementContext,
                    into: &scratch)
                return scratch.isEmpty
            }) {
                remaining.removeAll { $0 == match }
            } else {
                unpaired.append(index)
            }
        }
        for (index, actualIndex) in zip(unpaired, remaining) {
            compare(
                expected[index], actual[actualIndex], path: path.appending(index: actualIndex), context: elementContext,
                into: &mismatches)
        }
    }

    /// Whether an array compares without regard to order: a multi-valued attribute, `Resources`
    /// of an unsorted query, or a path with an `unordered` matcher.
    private func isUnordered(_ path: JSONPath, context: Context) -> Bool {
        if matchers.contains(where: { $0.matcher == .unordered && $0.pattern.matches(path) }) {
            return true
        }
        if case .attribute(let attribute, _) = context, attribute.multiValued {
            return true
        }
        if path == JSONPath.root.appending(key: "Resources") {
            return !orderedResources
        }
        return false
    }

    private func compareSchemas(
        _ expected: JSONValue, _ actual: JSONValue?, path: JSONPath, into mismatches: inout [Mismatch]
    ) {
        let expectedSet = Set((expected.arrayValue ?? []).compactMap { $0.stringValue?.lowercased() })
        guard let actualList = actual?.arrayValue else {
            mismatches.append(
                Mismatch(
                    path: path, message: "is missing or not an array", expected: excerpt(expected),
                    actual: excerpt(actual)))
            return
        }
        let actualSet = Set(actualList.compactMap { $0.stringValue?.lowercased() })
        if expectedSet != actualSet {
            mismatches.append(
                Mismatch(
                    path: path, message: "lists other schemas", expected: excerpt(expected), actual: excerpt(actual)))
        }
    }

    private func compareMeta(
        _ expected: JSONValue, _ actual: JSONValue?, resourceId: String?, path: JSONPath,
        into mismatches: inout [Mismatch]
    ) {
        guard let expectedMeta = expected.objectValue else {
            return
        }
        guard let actualMeta = actual?.objectValue else {
            mismatches.append(
                Mismatch(path: path, message: "is missing", expected: excerpt(expected), actual: excerpt(actual)))
            return
        }
        for (key, expectedValue) in expectedMeta {
            let actualValue = actualMeta.value(matching: key)
            let childPath = path.appending(key: key)
            switch key {
            case "created", "lastModified":
                if actualValue?.stringValue.flatMap(SCIMDateTime.parse) == nil {
                    mismatches.append(
                        Mismatch(
                            path: childPath, message: "is not an RFC 3339 timestamp", expected: "a timestamp",
                            actual: excerpt(actualValue)))
                }
            case "location":
                guard let location = actualValue?.stringValue else {
                    mismatches.append(
                        Mismatch(
                            path: childPath, message: "is missing", expected: "a URI", actual: excerpt(actualValue)))
                    continue
                }
                if let resourceId,
                    !location.hasSuffix("/" + resourceId)
                        && !location.hasSuffix("/" + RequestTarget.encodePathSegment(resourceId))
                {
                    mismatches.append(
                        Mismatch(
                            path: childPath, message: "does not end with the resource id", expected: "…/\(resourceId)",
                            actual: location))
                }
            case "version":
                if actualValue?.stringValue == nil {
                    mismatches.append(
                        Mismatch(
                            path: childPath, message: "must be a string", expected: "a version string",
                            actual: excerpt(actualValue)))
                }
            case "resourceType":
                if actualValue?.stringValue?.equalsIgnoringCase(expectedValue.stringValue ?? "") != true {
                    mismatches.append(
                        Mismatch(
                            path: childPath, message: "differs", expected: excerpt(expectedValue),
                            actual: excerpt(actualValue)))
                }
            default:
                compare(expectedValue, actualValue, path: childPath, context: .unknown, into: &mismatches)
            }
        }
    }

    private func childContext(_ context: Context, key: String) -> Context {
        switch context {
        case .resource(let type):
            if let extensionSchema = type.extensionSchema(urn: key) {
                return .attribute(
                    SchemaAttribute(extensionSchema.id, type: .complex, subAttributes: extensionSchema.attributes),
                    parent: type)
            }
            if let attribute = type.coreAttribute(named: key) {
                return .attribute(attribute, parent: type)
            }
            return .unknown
        case .attribute(let attribute, let parent), .element(let attribute, let parent):
            if let sub = attribute.subAttribute(named: key) {
                return .attribute(sub, parent: parent)
            }
            return .unknown
        case .document:
            return .document
        case .unknown:
            return .unknown
        }
    }

    private func attribute(of context: Context) -> SchemaAttribute? {
        switch context {
        case .attribute(let attribute, _), .element(let attribute, _):
            attribute
        default:
            nil
        }
    }

    private func resourceType(of object: JSONObject) -> ResourceType? {
        let schemas = (object["schemas"]?.arrayValue ?? []).compactMap(\.stringValue)
        return BodyMatcher.resourceTypes.first { type in schemas.contains { $0.equalsIgnoringCase(type.schema.id) } }
    }

    private func typeMismatch(_ path: JSONPath, _ expected: JSONValue, _ actual: JSONValue) -> Mismatch {
        Mismatch(
            path: path,
            message:
                "is \(article(actual.typeName)) \(actual.typeName), not \(article(expected.typeName)) \(expected.typeName)",
            expected: excerpt(expected), actual: excerpt(actual))
    }

    private func article(_ word: String) -> String {
        ["array", "object"].contains(word) ? "an" : "a"
    }
}
