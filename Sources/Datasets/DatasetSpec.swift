public import Foundation

/// One entry of a stage's `datasets:` list, after the recipe layer resolved aliases and defaults.
public struct DatasetSpec: Sendable, Hashable, Codable {
    /// A file (or, for `completion` with `.txt`, a directory of `.txt` files, read in name order).
    public var path: URL
    public var type: DatasetType
    /// JSON field holding the text for `completion` records (default `text`); for `classification`, the
    /// field or column holding the text (`text_field`, default `text`).
    public var field: String?
    /// `classification`: the field or column holding the label (default `label`).
    public var labelField: String?
    /// `classification`: the field or column holding a second text (sentence pairs), if any.
    public var textPairField: String?
    /// `classification` CSV/TSV without a header row: the column names, in order (nil = the first row
    /// is the header).
    public var columns: [String]?
    /// Train on prompt tokens too (Axolotl `train_on_inputs`, default false).
    public var trainOnInputs: Bool
    /// Append EOS to each example and train on it (Axolotl `train_on_eos`, default true).
    public var trainOnEOS: Bool
    /// Prompt template for `alpaca` / `dolly` / `input_output`.
    public var template: PromptTemplate
    /// How a `.txt` file becomes documents for `completion`.
    public var documentSplit: DocumentSplit
    /// Cap on examples read (debugging; Axolotl/LF `max_samples`), nil = all.
    public var maxSamples: Int?
    /// Field names of the records (Axolotl's `field_messages`, `message_field_role`, …); nil fields
    /// take the type's standard name.
    public var fields: FieldMapping
    /// The chat template conversations (and, when set, alpaca/dolly records) are rendered with; nil
    /// renders alpaca/dolly with ``template`` and is an error for `chat`/`sharegpt` data.
    public var chatTemplate: ChatTemplate?
    /// Which rendered turns carry loss.
    public var trainOn: TrainOn
    /// Read only the first this-many records of each file (a check before a run, ``DatasetReader/check(_:)``);
    /// nil reads them all. JSON Lines files are then read only as far as needed (up to
    /// ``DatasetRecord/prefixBytes``); JSON arrays and delimited text are parsed whole and cut.
    public var recordLimit: Int?
    /// The project root: every file read for this dataset must resolve inside it (a symbolic link in a
    /// dataset folder that leads out of the project is refused). nil reads any path (tools, tests).
    public var root: URL?

    public init(
        path: URL, type: DatasetType, field: String? = nil, trainOnInputs: Bool = false, trainOnEOS: Bool = true,
        template: PromptTemplate = .alpaca, documentSplit: DocumentSplit = .blankLine, maxSamples: Int? = nil,
        root: URL? = nil, fields: FieldMapping = FieldMapping(), chatTemplate: ChatTemplate? = nil, trainOn: TrainOn = .assistant
    ) {
        self.fields = fields
        self.chatTemplate = chatTemplate
        self.trainOn = trainOn
        self.root = root
        self.path = path
        self.type = type
        self.field = field
        self.trainOnInputs = trainOnInputs
        self.trainOnEOS = trainOnEOS
        self.template = template
        self.documentSplit = documentSplit
        self.maxSamples = maxSamples
    }
}

/// The record formats Lathe reads (recipes.md §3.2, §4e, §4f).
public enum DatasetType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Raw text: `.txt` (split per ``DocumentSplit``) or JSON/JSONL records with a text `field`.
    case completion
    /// `{instruction, input, output}` records (JSON array or JSONL), prompt masked.
    case alpaca
    /// Dolly 15k `{instruction, context, response}`: context → input, response → output.
    case dolly
    /// `{input|prompt, output|completion}` pairs, or `{segments: [{text, label}]}` with explicit labels.
    case inputOutput = "input_output"
    /// Pre-tokenized `.bin` shards (Lathe/llm.c header, or headerless nanoGPT uint16).
    case tokenized
    /// OpenAI-style `{"messages": [{"role", "content"}]}` conversations (system/user/assistant).
    case chat
    /// ShareGPT `{"conversations": [{"from", "value"}]}` (system/human/gpt).
    case sharegpt
    /// Labelled texts for sequence classification: JSON/JSONL records, CSV or TSV rows (see
    /// ``ClassificationReader``).
    case classification

    /// Types whose records become conversations rendered by a chat template.
    public var isConversation: Bool { self == .chat || self == .sharegpt }
}

/// The JSON field names a dataset's records use, when they are not the type's standard ones
/// (recipes.md: Axolotl's `field_messages`, `message_field_role`, `message_field_content`,
/// `field_instruction`, `field_input`, `field_output`; the coding keys are those recipe keys, which sit
/// beside `path` in a dataset entry). nil = the standard name.
public struct FieldMapping: Sendable, Hashable, Codable {
    public var messages: String?
    public var role: String?
    public var content: String?
    public var instruction: String?
    public var input: String?
    public var output: String?

    public init(messages: String? = nil, role: String? = nil, content: String? = nil,
                instruction: String? = nil, input: String? = nil, output: String? = nil) {
        self.messages = messages
        self.role = role
        self.content = content
        self.instruction = instruction
        self.input = input
        self.output = output
    }

    enum CodingKeys: String, CodingKey {
        case messages = "field_messages", role = "message_field_role", content = "message_field_content"
        case instruction = "field_instruction", input = "field_input", output = "field_output"
    }
}

/// Which tokens of a rendered conversation carry loss (`train_on`).
public enum TrainOn: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every assistant turn's content and its end-of-turn token.
    case assistant
    /// Only the last assistant turn's content and end-of-turn token.
    case lastAssistant = "last_assistant"
    /// Every token, template text included.
    case all
}

/// How `completion` text files are cut into documents: the recipe key `split_documents`, whose values are
/// the raw values (its default is the key table's, `line`).
public enum DocumentSplit: String, Sendable, Hashable, Codable, CaseIterable {
    /// Each non-blank line is one document (sentence lists, classification sets).
    case line
    /// A blank (or whitespace-only) line separates documents.
    case blankLine = "blank_line"
    /// Each file is one document.
    case wholeFile = "none"
}

/// Instruction prompt templates (recipes.md §4e).
public enum PromptTemplate: String, Sendable, Hashable, Codable {
    /// Alpaca with the prompt ending `### Response:\n` (Axolotl/torchtune; the de facto standard).
    case alpaca
    /// Stanford's exact `train.py` strings: the prompt ends `### Response:` with no newline.
    case alpacaStanford = "alpaca_stanford"

    static let introWithInput = "Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n"
    static let introNoInput = "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"

    /// The prompt for an instruction and optional input (empty input selects the no-input variant).
    public func prompt(instruction: String, input: String?) -> String {
        let ending = self == .alpaca ? "### Response:\n" : "### Response:"
        if let input, !input.isEmpty {
            return Self.introWithInput + "### Instruction:\n\(instruction)\n\n### Input:\n\(input)\n\n" + ending
        }
        return Self.introNoInput + "### Instruction:\n\(instruction)\n\n" + ending
    }
}
