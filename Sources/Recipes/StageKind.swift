/// The seven kinds of stage a recipe can declare (`kind:` in YAML).
public enum StageKind: String, Sendable, CaseIterable, Codable {
    case tokenize
    case pretrainContinue = "pretrain-continue"
    case domainAdapt = "domain-adapt"
    case instruct
    case attachAdapters = "attach-adapters"
    case evaluate
    /// Sequence classification: a `score` head over a pooled hidden state, trained with cross-entropy
    /// over labels (issue 17).
    case classify

    /// Whether a stage of this kind writes a model that `from:` or `models:` may name.
    public var producesModel: Bool {
        switch self {
        case .tokenize, .evaluate: false
        case .pretrainContinue, .domainAdapt, .instruct, .attachAdapters, .classify: true
        }
    }

    /// Whether this kind trains (takes the optimisation keys and a `from:`).
    public var isTraining: Bool { producesModel }

    /// "a 'tokenize' stage", "an 'instruct' stage": the kind with its article, for messages.
    public var aStage: String { "\("aeiou".contains(rawValue.first!) ? "an" : "a") '\(rawValue)' stage" }

    /// All kinds as the YAML spells them, in declaration order, for messages.
    static let spelledList = allCases.map(\.rawValue).joined(separator: ", ")
}
