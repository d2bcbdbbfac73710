import Datasets
@testable import Stages
import Testing

/// What a chat model is sent for an evaluate stage's `samples:` prompt (issue 21: the demo's chat samples
/// carry the system message the model was tuned with).
@Suite struct SamplePromptTests {
    static func text(_ example: Example) -> String {
        String(decoding: example.segments.flatMap(\.bytes), as: UTF8.self)
    }

    @Test("samples.system is sent as the system turn before the prompt, then the generation prompt")
    func systemMessageLeadsTheSamplePrompt() {
        let rendered = Self.text(EvaluateStage.samplePrompt("Which soil?", system: "Be brief.", template: .chatml(defaultSystem: "You are a helpful AI assistant")))
        #expect(rendered == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhich soil?<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test("Without samples.system the template's own default system message applies")
    func withoutSystemTheTemplateDefaultApplies() {
        let rendered = Self.text(EvaluateStage.samplePrompt("Which soil?", system: nil, template: .chatml(defaultSystem: "You are a helpful AI assistant")))
        #expect(rendered.hasPrefix("<|im_start|>system\nYou are a helpful AI assistant<|im_end|>\n<|im_start|>user\nWhich soil?"))
    }
}
