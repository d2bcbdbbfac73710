import Foundation
import Testing
import TestSupport
@testable import Recipes
import Stages

/// The typed params are decoded from the checked values (`CheckedValueDecoder`), with the key tables as
/// the only source of defaults.
@Suite struct ParamsDecodingTests {
    /// A value of the right type for `spec`: its table default, else a sample of its type.
    static func sample(_ spec: KeySpec) -> CheckedValue { spec.defaultValue ?? sample(spec.type) }

    static func sample(_ type: ValueType) -> CheckedValue {
        switch type {
        case .integer: .int(2)
        case .number: .number(0.5)
        case .boolean: .bool(true)
        case .string: .string("x")
        case .enumeration(let values): .string(values[0])
        case .list(let element): .list([sample(element)])
        case .object(let spec): .object(Dictionary(uniqueKeysWithValues: spec.keys.map { ($0.name, sample($0)) }))
        case .path: .string("pipelines/data/x.txt")
        case .reference: .ref(.stage("upstream"))
        }
    }

    /// Every key the tables give `kind`, each with a value.
    static func everyKey(of kind: StageKind) -> [String: CheckedValue] {
        Dictionary(uniqueKeysWithValues: KeyTables.keys(for: kind).keys.map { ($0.name, sample($0)) })
    }

    @Test("every key of every stage kind, nested mappings included, is read by a field of its typed params",
          arguments: StageKind.allCases)
    func everyKeyLandsInATypedField(kind: StageKind) throws {
        _ = try LoadSession.params(kind, from: Self.everyKey(of: kind))
    }

    @Test("a checked key that no field reads is an error naming it, so no key can be dropped on the way")
    func anUnreadKeyIsAnError() {
        var values = Self.everyKey(of: .attachAdapters)
        values["lora_bias"] = .string("none")
        guard case .object(var model)? = Self.everyKey(of: .instruct)["model"] else { Issue.record("no model table"); return }
        model["n_ctx"] = .int(8)
        var training = Self.everyKey(of: .instruct)
        training["model"] = .object(model)
        do {
            _ = try LoadSession.params(.attachAdapters, from: values)
            Issue.record("an unread key was accepted")
        } catch {
            #expect(LoadSession.describe(error).contains("'lora_bias'"), "\(LoadSession.describe(error))")
        }
        do {
            _ = try LoadSession.params(.instruct, from: training)
            Issue.record("an unread nested key was accepted")
        } catch {
            #expect(LoadSession.describe(error).contains("'model.n_ctx'"), "\(LoadSession.describe(error))")
        }
    }

    @Test("a key with a table default that is missing is an error, not a value the struct makes up")
    func aMissingDefaultedKeyIsAnError() {
        var values = Self.everyKey(of: .instruct)
        values["learning_rate"] = nil
        do {
            _ = try LoadSession.params(.instruct, from: values)
            Issue.record("a missing learning_rate was filled in by the params struct")
        } catch {
            #expect(LoadSession.describe(error).contains("'learning_rate'"), "\(LoadSession.describe(error))")
        }
    }

    @Test("a value of the wrong kind is an error naming its path")
    func aWrongValueIsAnErrorNamingItsPath() {
        var values = Self.everyKey(of: .instruct)
        values["datasets"] = .list([.object(["path": .int(3), "type": .string("completion"), "split_documents": .string("line")])])
        do {
            _ = try LoadSession.params(.instruct, from: values)
            Issue.record("an integer path was accepted")
        } catch {
            #expect(LoadSession.describe(error).contains("'datasets[0].path'"), "\(LoadSession.describe(error))")
        }
    }

    @Test("learning_rate, unset, takes the key table's default; set through an alias, the value written")
    func learningRateComesFromTheTable() throws {
        let yaml = """
            stages:
              base: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt, type: completion}]}
              tuned: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt, type: completion}], lr: 2.0e-5}
            """
        let recipe = try TestProject().recipe(yaml).recipe
        let spec = try #require(KeyTables.keys(for: .instruct).keys.first { $0.name == "learning_rate" })
        guard case .number(let tableDefault)? = spec.defaultValue else { Issue.record("learning_rate has no default"); return }
        #expect(recipe.stage(named: "base")?.params.training?.learningRate == tableDefault)
        #expect(recipe.stage(named: "tuned")?.params.training?.learningRate == 2.0e-5)
    }

    @Test("lora_alpha, unset, is twice lora_r (in the params and in the cache key); set, it is the value written")
    func loraAlphaDefaultsToTwiceTheRank() throws {
        let yaml = """
            stages:
              a: {kind: attach-adapters, from: ./hf, lora_r: 4, datasets: [{path: data/a.txt, type: completion}]}
              b: {kind: attach-adapters, from: ./hf, r: 4, lora_alpha: 5, datasets: [{path: data/a.txt, type: completion}]}
            """
        let recipe = try TestProject().recipe(yaml).recipe
        guard case .adapters(let a)? = recipe.stage(named: "a")?.params, case .adapters(let b)? = recipe.stage(named: "b")?.params else {
            Issue.record("not adapter stages"); return
        }
        #expect(a.loraR == 4 && a.loraAlpha == 8)
        #expect(recipe.stage(named: "a")?.canonicalParams["lora_alpha"] == "8.0")
        #expect(b.loraR == 4 && b.loraAlpha == 5)
    }

    @Test("the committed demo recipe yields, stage by stage, the params its lock recorded (cache keys unchanged)")
    func demoParamsMatchTheCommittedLock() throws {
        let project = TemporaryProject()
        let fm = FileManager.default
        let pipelines = project.root.appendingPathComponent("pipelines")
        try fm.removeItem(at: pipelines)
        try fm.copyItem(at: CommandRunner.packageRoot.appendingPathComponent("pipelines"), to: pipelines)
        try ModelCache.install(ModelCache.smolLM2, files: [ModelCache.smolLM2GGUF], into: project.root)
        try ModelCache.install(ModelCache.allMiniLM, files: ModelCache.miniLMFiles, into: project.root)
        let recipe = try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: pipelines.appendingPathComponent("demo.yaml")).recipe
        let lock = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: pipelines.appendingPathComponent("demo.lock")))
                                    as? [String: Any])
        let stages = try #require(lock["stages"] as? [String: [String: Any]])
        #expect(Set(stages.keys) == Set(recipe.stages.map(\.name)))
        for stage in recipe.stages {
            let recorded = try #require(stages[stage.name]?["params"] as? [String: String], "no params for \(stage.name)")
            // the lock names an upstream stage where the key holds "@upstream" (Stages/StageSpecs)
            var expected = stage.canonicalParams
            if let name = stage.params.training?.from.stageName { expected["from"] = name }
            if let name = stage.params.training?.tokenizer?.stageName { expected["tokenizer"] = name }
            #expect(expected == recorded, "stage \(stage.name)")
        }
    }
}
