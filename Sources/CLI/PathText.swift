import Foundation

extension CommandLine {
    /// The absolute path of the running binary (what a Slurm job runs).
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? URL(fileURLWithPath: arguments[0]).standardizedFileURL.path
    }
}

/// Path of `url` relative to `root` when inside it.
func relative(_ url: URL, to root: URL) -> String {
    let p = url.standardizedFileURL.path, r = root.standardizedFileURL.path + "/"
    return p.hasPrefix(r) ? String(p.dropFirst(r.count)) : p
}
