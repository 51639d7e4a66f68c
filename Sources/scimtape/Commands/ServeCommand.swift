import Foundation
import HTTP
import Logging
import ReferenceServer
import SCIM

enum ServeCommand: Command {
    static let spec = CommandSpec(
        name: "serve", abstract: "Run the Front-compatible reference SCIM endpoint.",
        usage: "scimtape serve [--port N] [--profile front|rfc] [--token-file FILE] [--deviation NAME ...]",
        options: [
            .init(name: "host", valueName: "address", help: "IPv4 or IPv6 address to listen on. (default: 127.0.0.1)"),
            .init(name: "port", valueName: "port", help: "TCP port; 0 picks a free one. (default: 0)"),
            .init(
                name: "profile", valueName: "profile",
                help: "front blocks on DELETE; rfc removes, as RFC 7644 says. (default: front)"),
            .init(name: "base-path", valueName: "path", help: "Path of the SCIM base. (default: /scim/v2)"),
            .init(
                name: "token-file", valueName: "file",
                help:
                    "File holding the bearer token clients must send. SCIMTAPE_TOKEN works too; without either, no token is required."
            ),
            .init(
                name: "strict-booleans", valueName: nil,
                help:
                    "Accept only lowercase \"true\"/\"false\" strings for booleans, as Front's ToLower adjustment expects."
            ),
            .init(
                name: "deviation", valueName: "name",
                help: "Switch on a named fault; repeat for several. See --list-deviations.", repeating: true),
            .init(name: "list-deviations", valueName: nil, help: "Print the named faults, one per line, and exit."),
            .init(
                name: "max-body-size", valueName: "bytes",
                help: "Largest request body accepted; larger ones get 413. (default: 1048576)"),
            .init(
                name: "store", valueName: "file",
                help:
                    "Keep users, groups and the deleted-teammate registry in this SQLite file, so they survive restarts. Without it, everything is in memory."
            ),
            .init(
                name: "store-sync", valueName: "mode",
                help:
                    "normal: a write survives the process being killed; full: it also survives power loss, at the cost of an fsync per write. (default: normal)"
            ),
            .init(
                name: "id-seed", valueName: "number",
                help:
                    "Give new resources ids from a fixed sequence for this seed instead of random ones, so that the same requests in the same order get the same ids."
            ),
            .init(name: "threads", valueName: "count", help: "Worker threads. (default: the number of processors)"),
            .init(
                name: "max-connections", valueName: "count",
                help:
                    "Simultaneous connections accepted; more wait in the listen queue until one closes. (default: 1000)"
            ),
            .init(
                name: "idle-timeout", valueName: "seconds",
                help: "Seconds a connection may stay silent before it is closed. (default: 30)"),
            .init(
                name: "log-level", valueName: "level",
                help: "trace, debug, info, notice, warning or error. (default: info)"),
        ],
        discussion: """
            The first line of standard output is the SCIM base URL. Logs go to standard error. The admin route
            /_scimtape/state (same token) sets state SCIM cannot create, such as a teammate deleted in Front.
            SIGINT or SIGTERM stops the server.
            """)

    static func run(_ arguments: ParsedArguments) -> ExitCode {
        if arguments.flag("list-deviations") {
            for deviation in Deviation.allCases {
                Terminal.out("\(deviation.rawValue)  \(deviation.summary)")
            }
            return .success
        }
        guard arguments.positionals.isEmpty else {
            return usageFailure("serve takes no arguments, but got '\(arguments.positionals[0])'", spec: spec)
        }
        var configuration = ReferenceServerConfiguration()
        var http = HTTPServerConfiguration()
        do throws(UsageError) {
            if let text = arguments.value("profile") {
                guard let profile = ServerProfile(rawValue: text) else {
                    throw UsageError(message: "unknown profile '\(text)'; expected front or rfc")
                }
                configuration.profile = profile
            }
            for name in arguments.allValues("deviation") {
                guard let deviation = Deviation(rawValue: name) else {
                    throw UsageError(message: "unknown deviation '\(name)'; run 'scimtape serve --list-deviations'")
                }
                configuration.deviations.insert(deviation)
            }
            if let path = arguments.value("base-path") {
                guard path.isEmpty || (path.hasPrefix("/") && !path.hasSuffix("/")) else {
                    throw UsageError(message: "--base-path must start with '/' and not end with one, such as /scim/v2")
                }
                configuration.basePath = path
            }
            configuration.token = try TokenSource.read(file: arguments.value("token-file"))
            if arguments.flag("strict-booleans") {
                configuration.booleanStrings = .lowercaseOnly
            }
            http.host = arguments.value("host") ?? "127.0.0.1"
            if let text = arguments.value("port") {
                guard let port = UInt16(text) else {
                    throw UsageError(message: "--port must be a number from 0 to 65535, not '\(text)'")
                }
                http.port = port
            }
            configuration.storePath = arguments.value("store")
            switch arguments.value("store-sync") {
            case nil, "normal":
                configuration.storeSurvivesPowerLoss = false
            case "full":
                configuration.storeSurvivesPowerLoss = true
            case let other?:
                throw UsageError(message: "--store-sync must be normal or full, not '\(other)'")
            }
            if arguments.value("store-sync") != nil && configuration.storePath == nil {
                throw UsageError(message: "--store-sync needs --store FILE")
            }
            let limits = try ServerLimitOptions(arguments)
            http.maximumBodySize = limits.maximumBodySize ?? http.maximumBodySize
            http.connectionLimit = limits.connectionLimit ?? http.connectionLimit
            http.connectionTimeout = limits.connectionTimeout ?? http.connectionTimeout
            if let text = arguments.value("id-seed") {
                guard let seed = UInt64(text) else {
                    throw UsageError(
                        message: "--id-seed must be a whole number from 0 to 18446744073709551615, not '\(text)'")
                }
                configuration.idSeed = seed
            }
            let threads = arguments.value("threads").map { Int($0) } ?? ProcessInfo.processInfo.activeProcessorCount
            guard let threads, threads > 0, threads <= 256 else {
                throw UsageError(message: "--threads must be a number from 1 to 256")
            }
            http.threading = .pool(threads)
            var level = Logger.Level.info
            if let text = arguments.value("log-level") {
                guard let parsed = Logger.Level(name: text) else {
                    throw UsageError(message: "unknown log level '\(text)'")
                }
                level = parsed
            }
            configuration.logger = Logger(label: "scimtape.serve", level: level)
        } catch {
            return usageFailure(error.message, spec: spec)
        }
        configuration.http = http

        let server: ReferenceServer
        do {
            server = try ReferenceServer(configuration: configuration)
            try server.start()
        } catch {
            Terminal.error("Error: \(error)")
            return .usageOrInput
        }
        // Signal handling is in place before the URL is printed, so a client that stops the server
        // as soon as it reads the URL cannot race it.
        let termination = TerminationHandler {
            server.stop()
            return .success
        }
        Terminal.out(server.baseURL)
        configuration.logger.notice(
            "serving",
            metadata: [
                "server.base_url": server.baseURL, "server.profile": configuration.profile.rawValue,
                "server.deviations": configuration.deviations.map(\.rawValue).sorted().joined(separator: ","),
                "server.authentication": configuration.token == nil ? "none" : "bearer",
            ])
        termination.wait()
    }
}
