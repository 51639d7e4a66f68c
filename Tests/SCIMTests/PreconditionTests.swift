import SCIM
import Testing

/// Reading preconditions: a misspelt member is an error that names it, not a silent default.
@Suite struct PreconditionReading {
    @Test(arguments: [
        (#"{"kind":"fault","method":"POST","path":"/Users","status":500,"countt":3}"#, "countt"),
        (#"{"kind":"fault","method":"POST","path":"/Users","status":500,"afterr":1}"#, "afterr"),
        (#"{"kind":"deletedTeammate","email":"a@example.com","blockd":true}"#, "blockd"),
        (#"{"kind":"existingTeammate","user":{"userName":"a"},"bloked":true}"#, "bloked"),
    ])
    func unknownMemberIsRejected(text: String, member: String) throws {
        let json = try JSONValue.parse(text)

        let error = #expect(throws: PreconditionError.self) { try Precondition(json: json) }

        #expect(error?.path == JSONPath([.key(member)]))
        #expect(error?.message.contains("unknown member '\(member)'") == true, "\(error?.message ?? "")")
    }

    @Test func knownMembersAreRead() throws {
        let json = try JSONValue.parse(
            #"{"kind":"fault","method":"POST","path":"/Users","status":429,"retryAfter":2,"after":1,"count":3,"detail":"x"}"#
        )

        guard case .fault(let fault) = try Precondition(json: json) else {
            Issue.record("not a fault")
            return
        }

        #expect(fault.after == 1)
        #expect(fault.count == 3)
        #expect(fault.retryAfter == 2)
    }
}
