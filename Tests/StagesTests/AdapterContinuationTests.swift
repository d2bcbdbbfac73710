import Modeling
@testable import Stages
import Testing

/// Continuing an adapter keeps its own scaling, dropout and saved modules; a recipe that says otherwise is
/// refused rather than ignored (issue 22 #2).
@Suite struct AdapterContinuationTests {
    @Test("Every continued-adapter setting the recipe contradicts is named with both values")
    func contradictedSettingsAreNamed() {
        let adapter = LoRAConfig(rank: 4, alpha: 16, dropout: 0.1, targetModules: ["c_attn"], useRSLoRA: true, modulesToSave: ["wte"])
        #expect(AdapterStage.settingMismatches(existing: adapter, recipe: adapter).isEmpty)
        let recipe = LoRAConfig(rank: 4, alpha: 8, dropout: 0, targetModules: ["c_attn"], useRSLoRA: false, modulesToSave: [])
        let found = AdapterStage.settingMismatches(existing: adapter, recipe: recipe)
        #expect(found == [
            "lora_alpha 16.0 in the adapter, 8.0 in the recipe (default 2 × lora_r)",
            "lora_dropout 0.1 in the adapter, 0.0 in the recipe",
            "peft_use_rslora true in the adapter, false in the recipe",
            "lora_modules_to_save [\"wte\"] in the adapter, [] in the recipe",
        ])
    }
}
