/// The kinds of personal data that `PersonalDataRedaction` replaces, with the SCIM attributes
/// (RFC 7643 sections 4.1 and 4.3) that hold them.
enum PersonalAttribute: String, Sendable, CaseIterable {
    case userName
    case email
    case emailDomain
    case givenName
    case familyName
    case middleName
    case formattedName
    case displayName
    case nickName
    case externalId
    case phoneNumber
    case employeeNumber
    case streetAddress
    case locality
    case postalCode
    case formattedAddress

    /// Normalised attribute paths (see `normalize`) and their kinds. `members.display` is the
    /// display name of a group member and `manager.displayname` the enterprise extension's manager.
    static let byPath: [String: PersonalAttribute] = [
        "username": .userName,
        "emails.value": .email,
        "emails": .email,
        "email": .email,
        "name.givenname": .givenName,
        "name.familyname": .familyName,
        "name.middlename": .middleName,
        "name.formatted": .formattedName,
        "displayname": .displayName,
        "nickname": .nickName,
        "externalid": .externalId,
        "phonenumbers.value": .phoneNumber,
        "phonenumbers": .phoneNumber,
        "employeenumber": .employeeNumber,
        "manager.displayname": .displayName,
        "members.display": .displayName,
        "groups.display": .displayName,
        "addresses.streetaddress": .streetAddress,
        "addresses.locality": .locality,
        "addresses.postalcode": .postalCode,
        "addresses.formatted": .formattedAddress,
    ]

    /// Returns the kind of the attribute at a normalised path, or `nil` when it is not personal.
    static func at(_ normalizedPath: String) -> PersonalAttribute? {
        byPath[normalizedPath]
    }

    /// Normalises an attribute path for lookups: lowercased, without a schema URN prefix and
    /// without value filters, so `urn:...:enterprise:2.0:User:manager.displayName` becomes
    /// `manager.displayname` and `emails[type eq "work"].value` becomes `emails.value`.
    static func normalize(_ path: String) -> String {
        var text = path
        if text.lowercased().hasPrefix("urn:") {
            // The attribute starts after the last colon outside a value filter.
            let beforeFilter = text.firstIndex(of: "[") ?? text.endIndex
            if let colon = text[..<beforeFilter].lastIndex(of: ":") {
                text = String(text[text.index(after: colon)...])
            }
        }
        var result = ""
        var depth = 0
        var inString = false
        var previous: Character = " "
        for character in text {
            if inString {
                if character == "\"" && previous != "\\" {
                    inString = false
                }
            } else if character == "\"" && depth > 0 {
                inString = true
            } else if character == "[" {
                depth += 1
            } else if character == "]" {
                depth = max(0, depth - 1)
            } else if depth == 0 {
                result.append(character)
            }
            previous = character
        }
        return result.lowercased()
    }

    /// Joins a context path and a member name.
    static func join(_ context: String, _ name: String) -> String {
        let normalized = normalize(name)
        return context.isEmpty ? normalized : context + "." + normalized
    }
}
