public import Datasets
public import Foundation
public import Recipes

/// Translates a recipe's dataset entry (project-relative path, the keys as written) into the Datasets
/// module's spec (resolved path, what the stage adds: sample cap, loss placement, chat template).
public enum DatasetBridge {
    public static func spec(_ d: Recipes.DatasetSpec, root: URL, maxSamples: Int?, trainOnInputs: Bool = false, trainOnEOS: Bool = true,
                            chatTemplate: ChatTemplate? = nil, trainOn: TrainOn = .assistant) -> Datasets.DatasetSpec {
        var spec = Datasets.DatasetSpec(path: root.appendingPathComponent(d.path), type: d.type,
                                        field: d.type == .classification ? d.textField : d.field,
                                        trainOnInputs: trainOnInputs, trainOnEOS: trainOnEOS, documentSplit: d.splitDocuments,
                                        maxSamples: maxSamples, root: root, fields: d.fields, chatTemplate: chatTemplate, trainOn: trainOn)
        if d.type == .classification {
            spec.labelField = d.labelField
            spec.textPairField = d.textPairField
            spec.columns = d.columns
        }
        return spec
    }
}
