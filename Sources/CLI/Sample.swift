import ArgumentParser
import Compute
import Datasets
import Foundation
import JSONText
import Modeling
import Recipes
import Stages
import Files

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

                With --chat, the conversation (--system, then each --message role=text in order, or \
                --messages FILE, a JSON list of {"role", "content"} or {"messages": […]}; --prompt alone \
                is one user message) is rendered with the stage's chat template (its chat_template, \
                else the one written beside its model, else the model's own) up to the assistant's \
                reply, as training rendered it; generation stops at the template's end-of-turn token \
                and only the assistant's text is printed. --show-prompt also prints the rendered prompt \
                on stderr.

                Exit status: 1 when the stage has not run with the recipe as it is now.

                Examples:
                  lathe sample pipelines/demo.yaml glassvine --prompt "Keepers water glassvine"
                  lathe sample pipelines/demo.yaml glassvine --prompt "Keepers water glassvine" --temperature 0.8 --top-p 0.9 --seed 7
                  lathe sample pipelines/methods/from-scratch-chain.yaml assistant --instruction --prompt "Which pest attacks amberlace?"
                  lathe sample pipelines/methods/smollm2-chat.yaml chat --chat --system "Answer briefly." \
                      --message user="Which pest attacks amberlace?"
                """)

        @OptionGroup var recipe: RecipeOptions
        @Argument(help: "A training or adapter stage of the recipe.") var stage: String
        @Option(help: "Text to continue (with --chat: the user's message).") var prompt: String?
        @Flag(help: "Wrap --prompt in the Alpaca instruction template (for instruct stages).") var instruction = false
        @Flag(help: "Render a conversation with the stage's chat template and print the assistant's reply.") var chat = false
        @Option(name: .customLong("message"), help: ArgumentHelp("A message of the conversation, in order (repeatable; with --chat).", valueName: "role=text"))
        var messages: [String] = []
        @Option(help: "A system message put first (with --chat).") var system: String?
        @Option(name: .customLong("messages"), help: ArgumentHelp("A JSON file holding the conversation (with --chat).", valueName: "file"))
        var messagesFile: String?
        @Flag(help: "With --chat, print the rendered prompt on stderr.") var showPrompt = false
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
            if chat {
                guard !instruction else { throw ValidationError("--chat and --instruction are two prompt formats; give one.") }
                _ = try conversation()
            } else {
                guard messages.isEmpty && system == nil && messagesFile == nil && !showPrompt else {
                    throw ValidationError("--message, --messages, --system and --show-prompt need --chat.")
                }
                guard prompt != nil else { throw ValidationError("Missing --prompt (or --chat with --message role=text).") }
            }
        }

        /// The conversation `--chat` sends: `--system`, `--messages FILE` or the `--message`s (or
        /// `--prompt` as the user's turn); it must end on a user turn.
        func conversation() throws -> [ChatMessage] {
            var out: [ChatMessage] = system.map { [ChatMessage(.system, $0)] } ?? []
            if let messagesFile {
                guard messages.isEmpty && prompt == nil else { throw ValidationError("--messages FILE holds the whole conversation; drop --message and --prompt.") }
                out += try Self.read(messagesFile)
            }
            for m in messages {
                guard let eq = m.firstIndex(of: "="), let role = ChatRole(rawValue: String(m[..<eq])) else {
                    throw ValidationError("--message '\(m)' is not role=text with role system, user or assistant, e.g. --message user=\"Hello\".")
                }
                out.append(ChatMessage(role, String(m[m.index(after: eq)...])))
            }
            if let prompt {
                guard messages.isEmpty else { throw ValidationError("--prompt and --message both give the conversation; use --message user=… only.") }
                out.append(ChatMessage(.user, prompt))
            }
            if let problem = ChatMessage.problem(in: out, needsAssistant: false) {
                throw ValidationError("The --chat conversation is not valid: \(problem).")
            }
            guard out.last?.role == .user else {
                throw ValidationError("The --chat conversation must end with a user message for the assistant to answer; add --message user=….")
            }
            return out
        }

        /// A JSON list of `{"role", "content"}` objects, or an object with that list under `messages`.
        static func read(_ path: String) throws -> [ChatMessage] {
            guard let data = try? Data(RegularFile.read(path)) else { throw ValidationError("--messages: cannot read \(path).") }
            let json = try? JSONValue.parse(data)
            guard let list = json?.arrayValue ?? json?["messages"]?.arrayValue else {
                throw ValidationError("--messages \(path): expected a JSON list of {\"role\", \"content\"} objects or {\"messages\": [...]}.")
            }
            return try list.enumerated().map { i, item in
                guard let r = item["role"]?.stringValue, let content = item["content"]?.stringValue else {
                    throw ValidationError("--messages \(path): message \(i + 1) needs string \"role\" and \"content\".")
                }
                guard let role = ChatRole(rawValue: r) ?? (r == "human" ? .user : r == "gpt" ? .assistant : nil) else {
                    throw ValidationError("--messages \(path): message \(i + 1) has the unknown role '\(r)'; roles are system, user and assistant.")
                }
                return ChatMessage(role, content)
            }
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
                var options = GenerationOptions(maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP, seed: seed)
                let scorer = ModelScorer(model: model, tokenizer: tokenizer)
                if chat {
                    let name = ws.recipe.stage(named: stage)?.params.training?.chatTemplate
                    guard let template = try ChatTemplateResolver.resolve(name, needed: true, modelDirectory: results.outputs[stage], tokenizer: tokenizer)?.template else { return }
                    let prompt = HeldOutConversation.replyPrompt(to: try conversation(), template: template)
                    if showPrompt { printError(String(decoding: prompt.text, as: UTF8.self)) }
                    options.stopTokens = scorer.stopTokens(template)
                    print(try scorer.continuation(scorer.promptTokens(prompt), options: options).text)
                    return
                }
                let text = instruction ? PromptTemplate.alpaca.prompt(instruction: prompt ?? "", input: nil) : prompt ?? ""
                print(try scorer.continuation(text, options: options))
            } catch {
                printError("lathe: sample from '\(stage)': \(error)")
                throw LatheExit.stageFailed
            }
        }
    }
}
