import ArgumentParser
import Foundation
import Orchestration
import Recipes
import Stages

extension Lathe {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scaffold a project: a commented starter recipe, a little text to train on, and artifacts/.",
            discussion: """
                Writes DIR/pipelines/starter.yaml (tokenize → pre-train → instruct), \
                DIR/pipelines/data/{notes.txt,qa.jsonl}, DIR/schemas/recipe.schema.json and DIR/artifacts/, then validates the recipe. \
                Existing files are never overwritten.

                Examples:
                  lathe init my-project && cd my-project && lathe run pipelines/starter.yaml
                  lathe init .
                """)

        @Argument(help: "Project folder (created if missing).")
        var directory: String = "."

        func run() throws {
            let root = URL(fileURLWithPath: directory).standardizedFileURL
            let fm = FileManager.default
            let files: [(String, String)] = [
                ("pipelines/starter.yaml", StarterProject.recipe),
                ("pipelines/data/notes.txt", StarterProject.notes),
                ("pipelines/data/qa.jsonl", StarterProject.qa),
                ("artifacts/README.md", "Lathe's content-addressed store (keep it out of git).\n"),
                ("schemas/recipe.schema.json", RecipeSchema.json()),  // editors validate recipes against it
            ]
            for (path, _) in files where fm.fileExists(atPath: root.appendingPathComponent(path).path) {
                printError("lathe: \(root.appendingPathComponent(path).path) already exists; nothing was written. Pick an empty folder.")
                throw LatheExit.usage
            }
            for (path, text) in files {
                let url = root.appendingPathComponent(path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            }
            try StoreMarker.create(root.appendingPathComponent("artifacts"))
            let ignore = root.appendingPathComponent(".gitignore")
            if !fm.fileExists(atPath: ignore.path) { try Data("artifacts/*\n!artifacts/README.md\nreports/\n".utf8).write(to: ignore) }
            do {
                let loaded = try RecipeLoader(projectRoot: root, modelFolders: ModelFolderPreflight()).load(recipeAt: root.appendingPathComponent("pipelines/starter.yaml"))
                print("Created \(relative(root.appendingPathComponent("pipelines/starter.yaml"), to: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))) (\(loaded.recipe.stages.count) stages, valid).")
                print("Next: lathe run \(directory == "." ? "" : directory + "/")pipelines/starter.yaml")
            } catch {
                for d in error.diagnostics { printError(d.description) }
                throw LatheExit.usage
            }
        }
    }
}

/// The files `lathe init` writes: everything the starter recipe needs, written by the project.
enum StarterProject {
    static let recipe = """
        # yaml-language-server: $schema=../schemas/recipe.schema.json
        #
        # A starter recipe: train a tokenizer, pre-train a tiny GPT-2 from scratch, then instruction-tune it.
        # Run:     lathe run pipelines/starter.yaml
        # Explain: lathe status pipelines/starter.yaml     (what would run, and why)
        name: starter
        seed: 42                     # every random choice derives from this

        defaults:                    # merged into every stage that accepts the key
          sequence_len: 256          # tokens per training row (≤ model.n_positions); an alpaca record fits whole
          micro_batch_size: 2        # rows per step → 2 × 256 = 512 tokens per optimizer step
          lr_scheduler: cosine
          warmup_steps: 5

        stages:
          tok:
            kind: tokenize           # byte-level BPE, written as an HF tokenizer.json
            datasets:
              - {path: data/notes.txt, type: completion}   # documents are separated by blank lines
              - {path: data/qa.jsonl, type: alpaca}
            vocab_size: 300          # 256 bytes + merges + <|endoftext|>

          base:
            kind: pretrain-continue  # causal LM on raw text
            from: scratch
            tokenizer: tok
            model: {n_layer: 2, n_head: 2, n_embd: 64, n_positions: 256}  # ≈ 0.1 M parameters
            datasets:
              - {path: data/notes.txt, type: completion}
            max_steps: 100           # 100 × 512 = 51,200 tokens
            learning_rate: 3.0e-3

          assistant:
            kind: instruct           # prompt masked, response and end-of-text trained
            from: base
            datasets:
              - {path: data/qa.jsonl, type: alpaca}
            max_steps: 50
            learning_rate: 1.0e-3

        """

    static let notes = """
        A lathe turns a piece of wood while a fixed tool cuts it. The turner moves the tool along the rest.

        Green wood is soft and wet. Turners rough out a bowl green, let it dry for months, then turn it again.

        A spindle gouge cuts beads and coves. A bowl gouge has a deeper flute and a longer handle.

        Sharp tools cut cleanly and safely. A dull tool tears the grain and catches.

        """

    static let qa = """
        {"instruction": "What does a lathe do?", "input": "", "output": "It turns the wood while a fixed tool cuts it."}
        {"instruction": "Why rough out a bowl green?", "input": "", "output": "Green wood is soft; the bowl dries and is turned again."}
        {"instruction": "Which gouge has the deeper flute?", "input": "", "output": "The bowl gouge."}
        {"instruction": "Why keep tools sharp?", "input": "", "output": "Sharp tools cut cleanly and safely."}

        """
}
