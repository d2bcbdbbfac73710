import ArgumentParser
import Datasets
import Foundation
import Orchestration
import Recipes
import Stages
import Tokenization
import Files

/// Finds a tokenizer from a `tokenizer.json` path, a model directory holding one, or `RECIPE:STAGE`
/// (that stage's current result in the store, per the recipe's lock file).
enum TokenizerLocator {
    static func load(_ reference: String) throws -> BPETokenizer {
        let url = try locate(reference)
        do { return try BPETokenizer.load(contentsOf: url) } catch {
            printError("lathe: \(error)")
            throw LatheExit.usage
        }
    }

    static func locate(_ reference: String) throws -> URL {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: reference, isDirectory: &isDirectory) {
            let url = URL(fileURLWithPath: reference)
            return isDirectory.boolValue ? url.appendingPathComponent("tokenizer.json") : url
        }
        if let colon = reference.lastIndex(of: ":") {
            let recipe = String(reference[..<colon]), stage = String(reference[reference.index(after: colon)...])
            let dir = try StageOutput.directory(recipe: recipe, stage: stage)
            return dir.appendingPathComponent("tokenizer.json")
        }
        printError("lathe: '\(reference)' is neither a tokenizer.json, a model folder, nor RECIPE:STAGE (e.g. pipelines/methods/from-scratch-chain.yaml:tok).")
        throw LatheExit.usage
    }
}
