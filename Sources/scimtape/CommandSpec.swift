/// The description of one verb: what `--help` prints and what the parser accepts.
struct CommandSpec {
    struct Option {
        /// The long name without dashes, such as `target`.
        let name: String
        /// The placeholder for the value, such as `url`; `nil` for a flag.
        let valueName: String?
        let help: String
        var repeating = false
    }

    struct Argument {
        let name: String
        let help: String
    }

    let name: String
    let abstract: String
    let usage: String
    var arguments: [Argument] = []
    var options: [Option] = []
    var discussion: String?

    /// The text `--help` prints, with `USAGE:`, `ARGUMENTS:` and `OPTIONS:` sections.
    var helpText: String {
        var lines = ["OVERVIEW: \(abstract)", "", "USAGE: \(usage)"]
        if !arguments.isEmpty {
            lines += ["", "ARGUMENTS:"]
            for argument in arguments {
                lines += CommandSpec.row("<\(argument.name)>", argument.help)
            }
        }
        lines += ["", "OPTIONS:"]
        for option in options {
            var label = "--\(option.name)"
            if let valueName = option.valueName {
                label += " <\(valueName)>"
            }
            lines += CommandSpec.row(label, option.help)
        }
        lines += CommandSpec.row("--version", "Show the version.")
        lines += CommandSpec.row("-h, --help", "Show help information.")
        if let discussion {
            lines += ["", discussion]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ label: String, _ help: String) -> [String] {
        let indent = String(repeating: " ", count: 28)
        var rows: [String] = []
        var first = "  " + label
        var helpLines = wrap(help, width: 72)
        if first.count < 26 {
            first +=
                String(repeating: " ", count: 28 - first.count) + (helpLines.isEmpty ? "" : helpLines.removeFirst())
            rows.append(first)
        } else {
            rows.append(first)
        }
        rows += helpLines.map { indent + $0 }
        return rows
    }

    private static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if current.count + word.count + 1 > width, !current.isEmpty {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty {
            lines.append(current)
        }
        return lines
    }
}

/// A command line that does not match the verb's spec.
struct UsageError: Error {
    let message: String
    /// Whether the command's usage lines follow the message. An invalid input file, such as a
    /// baseline, is no command-line mistake, so its error is printed alone.
    var showsUsage = true
}

/// Parsed arguments of one verb.
struct ParsedArguments {
    var positionals: [String] = []
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    var wantsHelp = false
    var wantsVersion = false

    init(_ arguments: [String], spec: CommandSpec) throws(UsageError) {
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            if argument == "-h" || argument == "--help" {
                wantsHelp = true
                continue
            }
            if argument == "--version" {
                wantsVersion = true
                continue
            }
            guard argument.hasPrefix("--") else {
                throw UsageError(message: "unknown option '\(argument)'")
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw UsageError(message: "unknown option '--\(name)'")
            }
            guard option.valueName != nil else {
                guard inlineValue == nil else {
                    throw UsageError(message: "'--\(name)' takes no value")
                }
                flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw UsageError(message: "'--\(name)' needs a value <\(option.valueName!)>")
                }
                value = arguments[index]
                index += 1
            }
            if !option.repeating, values[name] != nil {
                throw UsageError(message: "'--\(name)' is given more than once")
            }
            values[name, default: []].append(value)
        }
    }

    func value(_ name: String) -> String? {
        values[name]?.last
    }

    func allValues(_ name: String) -> [String] {
        values[name] ?? []
    }

    func flag(_ name: String) -> Bool {
        flags.contains(name)
    }
}
