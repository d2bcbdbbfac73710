/// Runs one stage kind. The executor calls it only when the stage's key is not in the store.
///
/// Contract (every conforming runner must pass the test in `StagesTests`):
/// - Deterministic: the same spec, inputs and upstream outputs give the same output bytes
///   (randomness only from the recipe's seed; no wall clock, thread count or paths in outputs),
///   except under `logs/`, which may hold timings and is left out of the output digest.
/// - Writes only into `context.outputDirectory` (and may keep resumable state in
///   `context.resumeDirectory`); reads only its declared inputs and `context.upstreamOutputs`.
/// - Reports progress through `context.report`, never prints, and returns promptly with
///   ``StageCancelled`` once `context.isCancelled()` turns true.
public protocol StageRunner: Sendable {
    func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome
}
