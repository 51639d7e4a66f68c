import Foundation

/// Checks on the files a command will write, made before it sends anything, so that a result
/// that took a run against a target is not lost at the end.
enum OutputPath {
    /// Returns why a file cannot be written at `path` by an atomic rename from a temporary file in
    /// its folder, or `nil` when a probe file could be created there. Missing folders are created
    /// here, as the writers would create them, so the probe goes to the folder they will use.
    static func problem(writing path: String) -> String? {
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                break
            case S_IFDIR:
                return "is a folder, not a file"
            default:
                return "is not a regular file (a pipe, socket or device)"
            }
        }

        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            return
                "cannot be written, because its folder \(folder.path) cannot be created: \(error.localizedDescription)"
        }

        // The final rename resolves `path` as written, where a `..` after a missing folder fails,
        // so the probe goes through the folder as written and not through the standardized `folder`.
        let writtenFolder = (path as NSString).deletingLastPathComponent
        let probeFolder = writtenFolder.isEmpty ? "." : writtenFolder
        let probe =
            "\(probeFolder)/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).write-check"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            return "cannot be written, because no file can be created in \(probeFolder): \(reason)"
        }
        close(descriptor)
        unlink(probe)
        return nil
    }

    /// Returns whether two paths name the same file: the same inode when both exist, otherwise the
    /// same absolute path once the symbolic links of the existing folders are followed.
    static func sameFile(_ first: String, _ second: String) -> Bool {
        var firstInfo = stat()
        var secondInfo = stat()
        if stat(first, &firstInfo) == 0, stat(second, &secondInfo) == 0 {
            return firstInfo.st_dev == secondInfo.st_dev && firstInfo.st_ino == secondInfo.st_ino
        }
        return canonical(first) == canonical(second)
    }

    /// Returns the absolute path with the symbolic links, `.` and `..` of its longest existing
    /// prefix resolved by `realpath`, and `.` and `..` removed from the rest. The prefix is
    /// resolved before any `..` is removed, because `link/..` is the link target's parent, not the
    /// folder that contains the link.
    private static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let components = absolute.split(separator: "/").map(String.init)
        var existingCount = components.count
        while existingCount > 0 {
            let prefix = "/" + components[0..<existingCount].joined(separator: "/")
            if let resolved = realpath(prefix, nil) {
                defer { free(resolved) }
                var url = URL(fileURLWithPath: String(cString: resolved))
                for component in components[existingCount...] {
                    url.appendPathComponent(component)
                }
                return url.standardized.path
            }
            existingCount -= 1
        }
        return URL(fileURLWithPath: absolute).standardized.path
    }
}
