public import Foundation

/// Finds the project a recipe belongs to and its store.
public enum ProjectRoot {
    /// The nearest ancestor of `recipe` (starting at its folder) that holds `artifacts/` or `.git`.
    public static func find(forRecipe recipe: URL) throws(OrchestrationError) -> URL {
        var dir = recipe.standardizedFileURL.deletingLastPathComponent()
        let fm = FileManager.default
        while true {
            if fm.fileExists(atPath: dir.appendingPathComponent("artifacts").path)
                || fm.fileExists(atPath: dir.appendingPathComponent(".git").path) {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { throw .noProjectRoot(recipe: recipe.path) }
            dir = parent
        }
    }

    /// `--store DIR`, else `$LATHE_STORE`, else `<root>/artifacts`.
    public static func store(root: URL, option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let option, !option.isEmpty { return URL(fileURLWithPath: option).standardizedFileURL }
        if let env = environment["LATHE_STORE"], !env.isEmpty { return URL(fileURLWithPath: env).standardizedFileURL }
        return root.appendingPathComponent("artifacts")
    }
}
