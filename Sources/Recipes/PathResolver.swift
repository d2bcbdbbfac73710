import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns a path written in the recipe (relative to the recipe file) into a project-root-relative path,
/// rejecting absolute paths, paths that leave the root (lexically or through a symbolic link) and missing
/// files. Results are cached per text, so 1,000 stages naming one file cost one `stat`.
final class PathResolver {
    let rootPath: String
    private let realRootPath: String
    /// The root with every link resolved (what resolved paths are compared with).
    var realRoot: String { realRootPath }
    /// The recipe's directory as root-relative components; nil when the recipe is outside the root.
    let recipeDirectory: [String]?
    private var cache: [String: Result<String, PathProblem>] = [:]

    enum PathProblem: Error, Equatable {
        case absolute, escapes, missing(String), notDirectory(String), symlinkOutside(String)
        /// A control character (NUL, newline…) in the path: the OS would cut it at a NUL and read another file.
        case controlCharacter
        /// A FIFO, device or socket (reading it could block forever or never end), with words for its kind.
        case notRegular(String, kind: String)
    }

    /// Reads the model files a recipe names (nil for files that name no models, e.g. run configs).
    let modelFolders: (any ModelFolderReader)?

    init(projectRoot: URL, recipeFile: URL, modelFolders: (any ModelFolderReader)? = nil) {
        self.modelFolders = modelFolders
        let root = projectRoot.standardizedFileURL.path
        rootPath = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        realRootPath = URL(fileURLWithPath: rootPath).resolvingSymlinksInPath().path
        let directory = recipeFile.standardizedFileURL.deletingLastPathComponent().path
        recipeDirectory = Self.relativeComponents(of: directory, under: rootPath)
            ?? Self.relativeComponents(of: URL(fileURLWithPath: directory).resolvingSymlinksInPath().path,
                                       under: realRootPath)
    }

    private static func relativeComponents(of path: String, under root: String) -> [String]? {
        if path == root { return [] }
        let prefix = root == "/" ? "/" : root + "/"
        guard path.hasPrefix(prefix) else { return nil }
        return path.dropFirst(prefix.count).split(separator: "/").map(String.init)
    }

    /// Root-relative form of `text`, checked. `directory` demands an existing directory.
    func resolve(_ text: String, directory: Bool) -> Result<String, PathProblem> {
        let cacheKey = (directory ? "d:" : "f:") + text
        if let cached = cache[cacheKey] { return cached }
        let result = compute(text, directory: directory)
        cache[cacheKey] = result
        return result
    }

    /// Like ``resolve(_:directory:)`` for a path written relative to the project root (as an adapter's
    /// `base_model_name_or_path` is), not to the recipe.
    func resolveFromRoot(_ text: String, directory: Bool) -> Result<String, PathProblem> {
        compute(text, directory: directory, base: [])
    }

    /// The base model an adapter folder names in its `adapter_config.json` (root-relative text, as
    /// written), or nil when the folder is not an adapter, embeds its base (`base/config.json`) or names none.
    func adapterBase(of relative: String) -> String? {
        let folder = relative == "." ? rootPath : rootPath + "/" + relative
        guard !FileManager.default.fileExists(atPath: folder + "/base/config.json"),
              let config = fileInsideRoot(folder + "/adapter_config.json"),
              let base = modelFolders?.adapterBase(adapterConfigFile: config), !base.isEmpty else { return nil }
        return base
    }

    /// `path` when it exists and resolves inside the project root (a link out of the project is not
    /// followed: the run refuses it, naming the link), else nil. The file is not opened.
    func fileInsideRoot(_ path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return real.hasPrefix(realRootPath == "/" ? "/" : realRootPath + "/") ? path : nil
    }

    private func compute(_ text: String, directory: Bool, base: [String]? = nil) -> Result<String, PathProblem> {
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return .failure(.controlCharacter) }
        if text.hasPrefix("/") || text.hasPrefix("~") || text.hasPrefix("\\") { return .failure(.absolute) }
        guard var components = base ?? recipeDirectory else { return .failure(.escapes) }
        for part in text.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if components.isEmpty { return .failure(.escapes) }
                components.removeLast()
            default: components.append(String(part))
            }
        }
        let relative = components.isEmpty ? "." : components.joined(separator: "/")
        let full = components.isEmpty ? rootPath : rootPath + "/" + relative
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else {
            return .failure(.missing(relative))
        }
        let real = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
        if real != realRootPath, !real.hasPrefix(realRootPath == "/" ? "/" : realRootPath + "/") {
            return .failure(.symlinkOutside(relative))
        }
        if directory, !isDirectory.boolValue { return .failure(.notDirectory(relative)) }
        var info = stat()
        if stat(full, &info) == 0, info.st_mode & S_IFMT != S_IFREG, info.st_mode & S_IFMT != S_IFDIR {
            let kind = switch info.st_mode & S_IFMT {
            case S_IFIFO: "a FIFO (named pipe)"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFSOCK: "a socket"
            default: "a special file"
            }
            return .failure(.notRegular(relative, kind: kind))
        }
        return .success(relative)
    }

    /// Whether a root-relative path (from ``resolve(_:directory:)``) names a folder.
    func isDirectory(_ relative: String) -> Bool {
        var isDirectory: ObjCBool = false
        let full = relative == "." ? rootPath : rootPath + "/" + relative
        return FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
