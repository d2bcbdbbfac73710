import FuzzSupport
import Foundation
import Modeling

/// libFuzzer entry: bytes as a Hugging Face `config.json`, read as a GPT-2 and as a Llama-family config
/// the way `GPTModel.loadHF` does. A config that parses must lay its parameters out (the shape limits
/// keep that small) and must survive the writer: Lathe's own `config.json` of it reads back to the same
/// engine config, or the exported folder would not load.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzHFConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(fuzzBytes(data, size))
    if let gpt2 = try? HFGPT2Config.parse(bytes, source: "fuzz/config.json"), let config = try? gpt2.gptConfig(), (try? config.validate()) != nil {
        _ = ParameterLayout(config: config).parameters.count
        let again = try? HFGPT2Config.parse(Data(gpt2.jsonText().utf8), source: "fuzz/again.json")
        // Lathe's GPT-2 always ties its head (an untied file loads only when lm_head equals wte), so
        // its writer says tie_word_embeddings: true whatever the file it read said
        var expected = gpt2
        expected.tieWordEmbeddings = true
        precondition(again == expected, "GPT-2 config.json does not survive its own writer")
    }
    if let config = try? HFLlamaConfig.parse(bytes, source: "fuzz/config.json") {  // validates the limits itself
        _ = ParameterLayout(config: config).parameters.count
        let again = try? HFLlamaConfig.parse(Data(HFLlamaConfig.jsonText(config).utf8), source: "fuzz/again.json")
        precondition(again == config, "Llama config.json does not survive its own writer")
    }
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzHFConfig) }
}
