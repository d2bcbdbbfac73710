import JSONText
public import Foundation
import Files

/// `pipelines/<recipe>.lock`: per stage, the key, params, input hashes, upstream digests, output
/// hashes, headline metrics and cost of its current result. Committed to git, so `git diff` on it
/// is the review of what a change did.
///
/// Written as sorted, two-space-indented JSON (valid YAML too), once per run, and only when its
/// bytes would change. Described by `schemas/lock.schema.json`.
public struct LockFile: Sendable, Equatable {
    public static let schemaTag = "lathe.lock/1"

    public var recipe: String
    public var stages: [String: StageRecord]

    public init(recipe: String, stages: [String: StageRecord] = [:]) {
        self.recipe = recipe
        self.stages = stages
    }

    /// The lock file path for a recipe file: same folder, same base name, `.lock`.
    public static func url(forRecipe recipe: URL) -> URL {
        recipe.deletingPathExtension().appendingPathExtension("lock")
    }

    /// Reads a lock file; a missing file is an empty lock.
    /// - Throws: ``OrchestrationError/malformedRecord(path:reason:)`` when it is not a Lathe lock file.
    public static func read(from url: URL, recipe: String) throws(OrchestrationError) -> LockFile {
        guard let data = try? Data(contentsOf: url) else { return LockFile(recipe: recipe) }
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch {
            throw .malformedRecord(path: url.path, reason: "\(error). Delete the lock file to rebuild it from the store.")
        }
        guard json["schema"]?.stringValue == schemaTag, let entries = json["stages"]?.objectValue else {
            throw .malformedRecord(path: url.path, reason: "not a \(schemaTag) lock file. Delete it to rebuild it from the store.")
        }
        var stages: [String: StageRecord] = [:]
        for (name, value) in entries {
            stages[name] = try StageRecord(json: value, path: "\(url.path) (stage '\(name)')")
        }
        return LockFile(recipe: json["recipe"]?.stringValue ?? recipe, stages: stages)
    }

    public func rendered() -> String {
        JSONValue.object([
            "schema": .string(LockFile.schemaTag),
            "recipe": .string(recipe),
            "stages": .object(JSONObject(stages.mapValues { $0.json(includeSchema: false) })),
        ]).rendered()
    }

    /// Writes atomically unless the file already holds exactly these bytes.
    /// - Returns: whether the file was written.
    @discardableResult
    public func write(to url: URL) throws(OrchestrationError) -> Bool {
        let text = rendered()
        if let existing = try? Data(contentsOf: url), existing == Data(text.utf8) { return false }
        try AtomicFile.write(Data(text.utf8), to: url)
        return true
    }
}
