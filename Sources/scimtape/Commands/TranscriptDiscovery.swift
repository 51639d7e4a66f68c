import Foundation
import Transcript

/// Finds transcript candidates: files named on the command line, and `*.json` files under
/// folders, sorted. Symbolic links inside folders are not followed, and published JSON Schemas
/// (`*.schema.json`) are not candidates.
enum TranscriptDiscovery {
    struct Candidate {
        let path: String
        /// Named on the command line, so it must be a transcript.
        let named: Bool
    }

    static func files(in paths: [String]) -> (files: [Candidate], problems: [String]) {
        var files: [Candidate] = []
        var problems: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(
                    "\(path): error: \(FileCheck.problem(readingRegularFile: path) ?? "no such file or folder")")
                continue
            }
            guard isDirectory.boolValue else {
                files.append(Candidate(path: path, named: true))
                continue
            }
            var found: [String] = []
            if let enumerator = manager.enumerator(atPath: path) {
                while let relative = enumerator.nextObject() as? String {
                    let full = (path as NSString).appendingPathComponent(relative)
                    var isFolder: ObjCBool = false
                    if relative.hasSuffix(".json"), !relative.hasSuffix(".schema.json"),
                        manager.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue
                    {
                        found.append(full)
                    }
                }
            }
            files += found.sorted().map { Candidate(path: $0, named: false) }
        }
        return (files, problems)
    }
}
