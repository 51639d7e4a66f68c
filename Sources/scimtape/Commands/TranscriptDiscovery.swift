import Foundation
import Transcript

/// Finds transcript candidates: files named on the command line, and `*.json` files under
/// folders, sorted. A folder named on the command line may be a symbolic link, but symbolic links
/// to folders inside it are not followed, so a link cannot make the walk loop. Published JSON
/// Schemas (`*.schema.json`) are not candidates. A file reached twice, by the same path, through a
/// link or through its folder, is a candidate once, at the place it was first reached.
enum TranscriptDiscovery {
    struct Candidate {
        let path: String
        /// Named on the command line, so it must be a transcript.
        let named: Bool
    }

    static func files(in paths: [String]) -> (files: [Candidate], problems: [String]) {
        var files: [Candidate] = []
        var problems: [String] = []
        var seen = Set<String>()
        let manager = FileManager.default
        func add(_ path: String, named: Bool) {
            if seen.insert(resolved(path)).inserted {
                files.append(Candidate(path: path, named: named))
            }
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(
                    "\(path): error: \(FileCheck.problem(readingRegularFile: path) ?? "no such file or folder")")
                continue
            }
            guard isDirectory.boolValue else {
                add(path, named: true)
                continue
            }
            // The enumerator does not descend into a folder given as a symbolic link, so the walk
            // starts at the link's resolved folder and the paths keep the form given.
            var found: [String] = []
            if let enumerator = manager.enumerator(atPath: resolved(path)) {
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
            for file in found.sorted() {
                add(file, named: false)
            }
        }
        return (files, problems)
    }

    /// Returns the absolute path with every symbolic link followed, or `path` itself when it
    /// cannot be resolved.
    private static func resolved(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else {
            return path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
