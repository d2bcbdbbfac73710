import ArgumentParser
import Compute
import Datasets
import Foundation
import Modeling
import Recipes
import Stages

extension Lathe {
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate text from a stage's trained model.",
            discussion: """
                Continues --prompt with the stage's current result in the store (the model the recipe \
                names now; adapter stages as base + adapter) until end-of-text or --max-new-tokens, and \
                prints only the new text. Greedy unless --temperature is above 0; sampling is seeded, so \
                the same command prints the same text. The prompt is used as given, or with --instruction \
                wrapped in the Alpaca template the instruct stages train with.

                Exit status: 1 when the stage has not run with the recipe as it is now.

                Examples:
                  lathe sample pipelines/demo.yaml base --prompt "the old fox"
                  lathe sample pipelines/demo.yaml base --prompt "the old fox" --temperature 0.8 --top-p 0.9 --seed 7
                  lathe sample pipelines/demo.yaml assistant --instruction --prompt "Which pest attacks amberlace?"
                """)

        @OptionGroup var recipe: RecipeOptions
        @Argument(help: "A training or adapter stage of the recipe.") var stage: String
        @Option(help: "Text to continue.") var prompt: String
        @Flag(help: "Wrap --prompt in the Alpaca instruction template (for instruct stages).") var instruction = false
        @Option(help: "Most tokens to generate.") var maxNewTokens = 64
        @Option(help: "Softmax temperature; 0 = greedy.") var temperature: Float = 0
        @Option(help: "Sample only among the K most likely tokens.") var topK: Int?
        @Option(help: "Sample only among the most likely tokens whose probability reaches P (0 < P ≤ 1).") var topP: Float?
        @Option(help: "Seed of the sampler.") var seed: UInt64 = 0
        @Option(help: "CPU threads (default: $LATHE_THREADS, else every core).") var threads: Int?

        func validate() throws {
            guard maxNewTokens >= 1 else { throw ValidationError("--max-new-tokens must be at least 1.") }
            guard temperature >= 0 else { throw ValidationError("--temperature must be 0 (greedy) or more.") }
            if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1.") }
            if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1].") }
        }

        func run() throws {
            let ws = try Workspace.open(recipe, quiet: true)
            try ws.checkStageNames([stage])
            let kind = ws.recipe.stage(named: stage)!.kind
            guard kind.producesModel else {
                printError("lathe: stage '\(stage)' is \(kind.aStage) and holds no model; sample from a training or adapter stage.")
                throw LatheExit.usage
            }
            let results = try StageResults.current(ws)
            _ = try results.require(stage, recipe: recipe)
            ComputeThreads.set(threads)
            do {
                let (model, tokenizer) = try EvaluatedModel.load(.stage(stage), recipe: ws.recipe, outputs: results.outputs, projectRoot: ws.root)
                let options = GenerationOptions(maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP, seed: seed)
                let text = instruction ? PromptTemplate.alpaca.prompt(instruction: prompt, input: nil) : prompt
                print(try ModelScorer(model: model, tokenizer: tokenizer).continuation(text, options: options))
            } catch {
                printError("lathe: sample from '\(stage)': \(error)")
                throw LatheExit.stageFailed
            }
        }
    }
}
