public import Datasets
public import Foundation
public import Recipes

/// Translates the recipe's dataset entries into the Datasets module's specs.
public enum DatasetBridge {
    public static func spec(_ d: Recipes.DatasetSpec, root: URL, maxSamples: Int?, trainOnInputs: Bool = false, trainOnEOS: Bool = true,
                            chatTemplate: ChatTemplate? = nil, trainOn: Recipes.TrainOn = .assistant) -> Datasets.DatasetSpec {
        let type: Datasets.DatasetType
        switch d.type {
        case .completion: type = .completion
        case .alpaca: type = .alpaca
        case .dolly: type = .dolly
        case .inputOutput: type = .inputOutput
        case .tokenized: type = .tokenized
        case .chat: type = .chat
        case .sharegpt: type = .sharegpt
        case .classification: type = .classification
        }
        let f = d.fields
        var spec = Datasets.DatasetSpec(path: root.appendingPathComponent(d.path), type: type,
                                        field: d.type == .classification ? d.textField : d.field,
                                        trainOnInputs: trainOnInputs, trainOnEOS: trainOnEOS, documentSplit: d.splitDocuments, maxSamples: maxSamples, root: root,
                                        fields: FieldMapping(messages: f.messages, role: f.role, content: f.content, instruction: f.instruction,
                                                             input: f.input, output: f.output),
                                        chatTemplate: chatTemplate, trainOn: Datasets.TrainOn(rawValue: trainOn.rawValue) ?? .assistant)
        if d.type == .classification {
            spec.labelField = d.labelField
            spec.textPairField = d.textPairField
            spec.columns = d.columns
        }
        return spec
    }
}
