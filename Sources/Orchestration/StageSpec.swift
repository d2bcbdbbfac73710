/// One stage as the orchestrator sees it: a kind, canonical params and what it reads.
///
/// Orchestration knows nothing of YAML or tensors; the Stages layer converts a recipe into these.
/// Everything that can change a stage's result must be in here, because the cache key is built
/// from it alone (see ``StageKey``).
public struct StageSpec: Sendable, Hashable {
    /// The stage's name in its recipe. Not part of the key: renaming a stage reruns nothing.
    public var name: String
    /// The stage kind, e.g. `pretrain-continue`.
    public var kind: String
    /// Fully resolved params flattened to dotted keys with canonical scalar text
    /// (`"learning_rate": "0.0003"`, `"datasets[0].path": "pipelines/data/x.txt"`).
    public var params: [String: String]
    /// Param keys whose value names an upstream stage (`from`, `tokenizer`, `models[1]`). In the key
    /// those values are replaced by the upstream's output digest, so renaming an upstream stage
    /// changes no key while swapping which stage is read does.
    public var referenceKeys: Set<String>
    /// Files or directories the stage reads, relative to the project root, sorted.
    public var inputs: [String]
    /// Stages whose outputs this stage reads, sorted.
    public var upstream: [String]
    /// Revision of the kind's implementation: bumped when Lathe changes what a kind computes from the
    /// same params, so old store entries of that kind (and only that kind) are not reused. Revision 1
    /// adds nothing to the key, keeping earlier keys valid.
    public var revision: Int

    public init(
        name: String,
        kind: String,
        params: [String: String] = [:],
        referenceKeys: Set<String> = [],
        inputs: [String] = [],
        upstream: [String] = [],
        revision: Int = 1
    ) {
        self.name = name
        self.kind = kind
        self.params = params
        self.referenceKeys = referenceKeys
        self.inputs = inputs.sorted()
        self.upstream = Array(Set(upstream)).sorted()
        self.revision = revision
    }
}
