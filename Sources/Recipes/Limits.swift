/// Upper bounds on model shapes, the same as `Modeling.GPTConfig`'s (HF `config.json` files are held
/// to them too). They sit far above any model a CPU engine trains (GPT-2 XL: 50,257 × 1,024 positions,
/// 1,600 wide, 48 blocks, 25 heads) and exist so an absurd value is a clear error at load time instead
/// of a multi-gigabyte allocation when the stage runs.
enum ModelLimits {
    /// 2^24 tokens: ids stay exact in a Float32 and fit the 32-bit token shards.
    static let vocabSize: Double = 16_777_216
    /// 2^20 positions.
    static let positions: Double = 1_048_576
    /// 2^16 channels.
    static let embedding: Double = 65_536
    static let layers: Double = 1_024
    static let heads: Double = 1_024
}

/// Upper bounds on training numbers, so a typo cannot ask for a run that never ends or for
/// arithmetic that overflows (steps × rows × tokens must fit an Int).
enum TrainingLimits {
    /// 10^9 optimizer steps (decades on a CPU).
    static let steps: Double = 1_000_000_000
    /// 2^16 sequences per micro-batch, and micro-batches per step.
    static let batch: Double = 65_536
    /// AdamW's step is about the learning rate per weight, so anything near 1 already destroys the
    /// model; 10 leaves room for experiments and rejects 1e308.
    static let learningRate: Double = 10
}

/// Bounds of the Slurm run keys (`KeyTables.slurm`, `ranks`).
public enum SlurmLimits {
    /// 2^30 MiB = 1 PiB per job: above any node, below Int overflow when turned into bytes.
    static let memoryMiB = 1 << 30
    /// Most MPI ranks one stage may ask for.
    static let ranks = 4_096
    /// MiB added to a stage's memory estimate for the `lathe` process itself (code, tokenizer, data
    /// buffers, the C runtime), before `mem_margin` is applied to the estimate.
    public static let processOverheadMiB = 512
}
