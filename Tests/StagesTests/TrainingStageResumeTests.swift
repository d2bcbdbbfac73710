import Foundation
import Orchestration
import Stages
import Testing
import TestSupport

/// Wraps the real registry: sets the run's cancellation flag once the stage reports step ≥ `step`
/// (as Ctrl-C would), and records the notes the stage reports.
final class InterruptingRunner: StageRunner, @unchecked Sendable {
    let inner: StageRegistry
    let flag: CancellationFlag
    let step: Int
    private let lock = NSLock()
    private var notes: [String] = []

    init(inner: StageRegistry, flag: CancellationFlag, step: Int) {
        self.inner = inner; self.flag = flag; self.step = step
    }

    var reportedNotes: [String] { lock.withLock { notes } }

    func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome {
        let flag = self.flag, step = self.step
        let wrapped = StageContext(
            key: context.key, outputDirectory: context.outputDirectory, resumeDirectory: context.resumeDirectory,
            projectRoot: context.projectRoot, storeRoot: context.storeRoot, upstreamOutputs: context.upstreamOutputs,
            report: { [self] event in
                if case .progress(let s, _, _) = event, s >= step { flag.set() }
                if let n = event.message { lock.withLock { notes.append(n) } }
                context.report(event)
            },
            isCancelled: context.isCancelled)
        return try inner.run(spec, context: wrapped)
    }
}

/// A training stage killed mid-run and rerun ends with the same model bytes as one uninterrupted run.
@Suite struct TrainingStageResumeTests {
    static let yaml = """
        name: t
        seed: 3
        stages:
          tok: {kind: tokenize, vocab_size: 300, datasets: [{path: data/general.txt, type: completion}]}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: {n_layer: 2, n_head: 2, n_embd: 32, n_positions: 64}
            datasets: [{path: data/general.txt, type: completion}]
            val_set_size: 0.1
            learning_rate: 3.0e-3
            max_steps: 16
            save_steps: 4
            sequence_len: 64
            micro_batch_size: 8
            threads: 1
            warmup_steps: 4
        """

    static func project() -> TemporaryProject {
        let p = TemporaryProject()
        var g = SyntheticText(seed: 11)
        p.write("pipelines/data/general.txt", SyntheticText.file(g.documents(60) { $0.generalSentence() }))
        return p
    }

    static func modelBytes(_ run: TrainingPipeline) throws -> Data {
        try Data(contentsOf: try run.output("base").appendingPathComponent("model.safetensors"))
    }

    @Test func killAndResumeEqualsAnUninterruptedRun() throws {
        var whole = TrainingPipeline(project: Self.project())
        let once = try whole.run(Self.yaml)
        #expect(once.failed.isEmpty, "\(once.failed)")

        var killed = TrainingPipeline(project: Self.project())
        let flag = CancellationFlag()
        var interrupting: InterruptingRunner?
        let first = try killed.run(Self.yaml, cancel: flag) { registry in
            let r = InterruptingRunner(inner: registry, flag: flag, step: 6)
            interrupting = r
            return r
        }
        #expect(first.failed == ["base"])
        #expect(first.executed == ["tok"])
        var resuming: InterruptingRunner?
        let second = try killed.run(Self.yaml) { registry in
            let r = InterruptingRunner(inner: registry, flag: CancellationFlag(), step: .max)
            resuming = r
            return r
        }
        #expect(second.executed == ["base"])
        #expect(interrupting?.reportedNotes.contains { $0.hasPrefix("resumed") } == false)
        #expect(resuming?.reportedNotes.contains("resumed from step 6") == true, "\(resuming?.reportedNotes ?? [])")
        let resumed = try Self.modelBytes(killed), uninterrupted = try Self.modelBytes(whole)
        #expect(resumed == uninterrupted)
        #expect(try killed.metrics("base") == whole.metrics("base"))
    }
}
