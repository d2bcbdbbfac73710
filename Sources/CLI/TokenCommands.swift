import JSONText
import ArgumentParser
import Datasets
import Foundation
import Orchestration
import Recipes
import Stages
import Tokenization
import Files

extension Lathe {
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode text to token ids (a JSON array on standard output).",
            discussion: """
                TOKENIZER is a tokenizer.json, a model folder holding one, or RECIPE:STAGE.

                Examples:
                  echo "Hello world" | lathe encode pipelines/methods/from-scratch-chain.yaml:tok
                  lathe encode path/to/gpt2/tokenizer.json notes.txt
                """)

        @Argument(help: "tokenizer.json, a model folder, or RECIPE:STAGE.") var tokenizer: String
        @Argument(help: "Text file (default: standard input).") var file: String?

        func run() throws {
            let tok = try TokenizerLocator.load(tokenizer)
            let bytes = try readInput(file)
            let ids = tok.encode(bytes: bytes)
            print("[" + ids.map(String.init).joined(separator: ",") + "]")
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a JSON array of token ids back to text.",
            discussion: """
                Examples:
                  echo "[15496, 995]" | lathe decode pipelines/methods/from-scratch-chain.yaml:tok
                  lathe encode pipelines/methods/from-scratch-chain.yaml:tok notes.txt | lathe decode pipelines/methods/from-scratch-chain.yaml:tok
                """)

        @Argument(help: "tokenizer.json, a model folder, or RECIPE:STAGE.") var tokenizer: String
        @Argument(help: "File holding a JSON array of ids (default: standard input).") var file: String?

        func run() throws {
            let tok = try TokenizerLocator.load(tokenizer)
            let data = Data(try readInput(file))
            guard case .array(let items)? = try? JSONValue.parse(data) else {
                printError("lathe: \(file ?? "standard input"): expected a JSON array of token ids, e.g. [15496, 995].")
                throw LatheExit.usage
            }
            var ids: [Int] = []
            for (i, item) in items.enumerated() {
                guard let id = item.intValue, id >= 0, id < tok.vocabSize else {
                    printError("lathe: element \(i) (\(item.compact())) is not a token id of this \(tok.vocabSize)-token vocabulary.")
                    throw LatheExit.usage
                }
                ids.append(id)
            }
            FileHandle.standardOutput.write(Data(tok.decode(ids)))
        }
    }

    struct Tokens: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a stage's training examples as tokens, marking which carry loss.",
            discussion: """
                The first thing to check when instruction tuning misbehaves: the prompt should be \
                'masked', the response and its end-of-text token 'trained'. Conversations show each turn's \
                role; with sequence_len set, the length distribution of each dataset follows.

                Examples:
                  lathe tokens pipelines/methods/from-scratch-chain.yaml assistant
                  lathe tokens pipelines/methods/from-scratch-chain.yaml assistant --n 5 --ids
                """)

        @Argument(help: "The recipe.") var recipe: String
        @Argument(help: "A training stage of the recipe.") var stage: String
        @Option(help: "How many examples per dataset.") var n: Int = 3
        @Flag(help: "Show each token's id.") var ids = false

        func run() throws {
            let ws = try Workspace.open(try RecipeOptions.parse([recipe]), quiet: true)
            try ws.checkStageNames([stage])
            let recipeStage = ws.recipe.stage(named: stage)!
            guard let training = recipeStage.params.training else {
                printError("lathe: stage '\(stage)' is \(recipeStage.kind.aStage); `lathe tokens` shows training stages.")
                throw LatheExit.usage
            }
            // The tokenizer (and the model's chat template) of `tokenizer:`/`from:`: a stage's result or a folder.
            let modelDirectory: URL
            switch training.tokenizer ?? training.from {
            case .stage(let name): modelDirectory = try StageOutput.directory(recipe: recipe, stage: name)
            case .path(let path): modelDirectory = ws.root.appendingPathComponent(path)
            case .scratch:
                printError("lathe: stage '\(stage)' trains from scratch without `tokenizer:`; there is no tokenizer to show tokens with.")
                throw LatheExit.usage
            }
            let tok: BPETokenizer
            do {
                tok = modelDirectory.pathExtension.lowercased() == "gguf"
                    ? try StageInputs.tokenizer(gguf: modelDirectory)
                    : try BPETokenizer.load(contentsOf: modelDirectory.appendingPathComponent("tokenizer.json"))
            } catch {
                printError("lathe: \(error)")
                throw LatheExit.usage
            }
            do {
                let template = try ChatTemplateResolver.resolve(training, modelDirectory: modelDirectory, tokenizer: tok)?.template
                if let template { print("chat template: \(template.name), train_on: \(training.trainOn.rawValue)\n") }
                for d in training.datasets {
                    let spec = DatasetBridge.spec(d, root: ws.root, maxSamples: nil, trainOnInputs: training.trainOnInputs,
                                                  trainOnEOS: training.trainOnEos, chatTemplate: template, trainOn: training.trainOn)
                    let examples = try DatasetReader.examples(spec)
                    for (i, example) in examples.prefix(n).enumerated() {
                        print(TokenPreview.render(example, tokenizer: tok, title: "\(d.path) example \(i + 1) (\(example.source))", showIds: ids))
                    }
                    if let sequenceLen = training.sequenceLen {
                        let encoded = try DatasetEncoder.encode(examples, tokenizer: tok)
                        print("\(d.path): \(LengthDistribution(encoded, sequenceLen: sequenceLen).summary) (truncation: \(training.truncation.rawValue))\n")
                    } else {
                        print("\(d.path): \(examples.count) records (set sequence_len to see how they fit)\n")
                    }
                }
            } catch {
                printError("lathe: \(error)")
                throw LatheExit.stageFailed
            }
        }
    }
}

/// A file's bytes, or standard input's.
func readInput(_ path: String?) throws -> [UInt8] {
    guard let path else { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
    // Only a regular file: opening a FIFO would wait for a writer, and a device might never end.
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder),
       isFolder.boolValue || (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) != .typeRegular {
        printError("lathe: \(path) is \(isFolder.boolValue ? "a folder" : "not a regular file (a FIFO or device?)"); name a text file, or pipe the text to standard input.")
        throw LatheExit.usage
    }
    do { return try RegularFile.read(path) } catch {
        printError("lathe: \(path): \(error.reason).")
        throw LatheExit.usage
    }
}
