import FuzzSupport
import Foundation
import Recipes

/// A throwaway project with a `pipelines/` folder and one data file, made once per process so the
/// recipe's path checks have something real to resolve against.
let project: URL = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-fuzz-recipe-\(getpid())")
    try? FileManager.default.createDirectory(at: root.appendingPathComponent("pipelines/data"), withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: root.appendingPathComponent("pipelines/data/a.txt").path, contents: Data("hello\n".utf8))
    return root
}()

/// The fuzzed project holds no model folders, so the loader's model-file reader is never asked
/// (config.json and tokenizer.json have fuzzers of their own: FuzzHFConfig, FuzzTokenizerJSON).
struct NoModelFiles: ModelFolderReader {
    func modelFacts(configFile path: String) -> ModelFolderFacts? { nil }
    func tokenizerSize(tokenizerFile path: String) -> Int? { nil }
    func adapterBase(adapterConfigFile path: String) -> String? { nil }
}

/// libFuzzer entry: bytes as a recipe (YAML), loaded with one override; it must load or throw
/// diagnostics, within the loader's node and stage limits.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzRecipe(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    let url = project.appendingPathComponent("pipelines/fuzz.yaml")
    _ = try? RecipeLoader(projectRoot: project, modelFolders: NoModelFiles()).load(yaml: text, url: url)
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzRecipe) }
}
