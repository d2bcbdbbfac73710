import Datasets
public import Foundation
public import Recipes

/// The one check of a recipe's data files against each dataset's declared `type`, before anything runs:
/// `lathe validate` reads every record, `lathe run` the first ``firstRecords`` of each file, and both
/// refuse (exit 64) what it reports — an `alpaca` file whose records lack `instruction`/`output`, `chat`
/// records without `messages`, classification records without their label field — with the recipe's
/// `file:line:col` (the stage), the data file and line (or record number) and the fix.
///
/// It reads what training would read and the same way (``DatasetReader/check(_:)``), so a stage never
/// accepts what this rejects. Token shards are left to the stage (they need the tokenizer); so are
/// plain-text `completion` files when only the first records are read (any text is a valid document,
/// and reading a corpus folder whole before every run would cost what the hash memo saves).
public enum DatasetPreflight {
    /// Records read per data file by `lathe run`'s check (each file read up to ``DatasetRecord/prefixBytes``).
    public static let firstRecords = 16

    /// One diagnostic per dataset (each file once) whose records do not match its type.
    /// - Parameters:
    ///   - recipePath: the recipe path as the user wrote it, for the diagnostics.
    ///   - stages: the stages to check (nil: all).
    ///   - firstRecords: records read per file (nil: every record).
    /// - Complexity: O(bytes read); with `firstRecords`, O(files × ``DatasetRecord/prefixBytes``) for JSON Lines.
    public static func check(
        _ recipe: Recipe, root: URL, recipePath: String, stages: Set<String>? = nil, firstRecords: Int? = nil
    ) -> [RecipeDiagnostic] {
        var problems: [RecipeDiagnostic] = []
        var seen: Set<Recipes.DatasetSpec> = []
        for stage in recipe.stages where stages?.contains(stage.name) ?? true {
            for dataset in datasets(of: stage) where isChecked(dataset, root: root, everyRecord: firstRecords == nil) && seen.insert(dataset).inserted {
                var spec = DatasetBridge.spec(dataset, root: root, maxSamples: nil)
                spec.recordLimit = firstRecords
                do { _ = try DatasetReader.check(spec) } catch {
                    problems.append(RecipeDiagnostic(
                        severity: .error, file: recipePath, line: stage.line, column: stage.column,
                        message: "stage '\(stage.name)': \(dataset.path) does not hold \(dataset.type.rawValue) records: \(error) "
                            + "Fix the record, or set the dataset's `type:` to the format the file has."))
                }
            }
        }
        return problems
    }

    /// Every dataset a stage reads, in recipe order.
    static func datasets(of stage: RecipeStage) -> [Recipes.DatasetSpec] {
        switch stage.params {
        case .tokenize(let t): return t.datasets
        case .evaluate(let e): return e.testDatasets.map(\.source)
        case .training, .adapters, .classify:
            let t = stage.params.training!
            return t.datasets + t.testDatasets + (t.replay?.datasets ?? [])
        }
    }

    /// Whether the dataset is checked: never a token shard; plain `completion` text only when `everyRecord`.
    static func isChecked(_ dataset: Recipes.DatasetSpec, root: URL, everyRecord: Bool) -> Bool {
        switch dataset.type {
        case .tokenized: return false
        case .completion where !everyRecord:
            let url = root.appendingPathComponent(dataset.path)
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            return exists && !isFolder.boolValue && !["txt", ""].contains(url.pathExtension)
        default: return true
        }
    }
}
