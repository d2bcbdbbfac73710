public import Cluster
import Foundation

/// How the ranks of an `mpirun` job agree while they run one training stage together.
///
/// Every rank runs the stage's preparation (model, data, checkpoint) itself; any of them may fail there,
/// and a rank that fails must not leave the others waiting inside a gradient sum. So each distributed
/// training stage has exactly one rendezvous: `TrainingRun` joins it when ready to train (after the
/// resume checkpoint is loaded) and the stage runner joins it on a failure before that point; if any
/// rank failed, every rank throws. From then on the ranks stop together: every step ends with a
/// collective OR of the ranks' stop wishes (interrupt, divergence, early stopping, a failed save).
public final class RankSync: @unchecked Sendable {
    /// The one instance (under MPI, training stages run one at a time: `--jobs` is 1).
    public static let shared = RankSync()

    private let lock = NSLock()
    private var pending = false

    /// Whether the current stage still owes its rendezvous.
    var isPending: Bool { lock.withLock { pending } }

    /// Marks the start of a distributed training stage on this rank.
    public func begin() { lock.withLock { pending = Ranks.world.isDistributed } }

    /// Joins the rendezvous ready to train from `step`.
    /// - Throws: ``StageError/invalidInput(_:)`` when another rank failed before training, or resumed
    ///   from a different step (ranks that do not share the store's folder).
    func join(step: Int) throws {
        guard lock.withLock({ let was = pending; pending = false; return was }) else { return }
        let world = Ranks.world
        let sums = world.sum([0, Double(step)])
        if sums[0] > 0 {
            throw StageError.invalidInput("another rank failed while preparing this stage (see its message above); no rank trained.")
        }
        if sums[1] != Double(step * world.size) {
            throw StageError.invalidInput("the ranks resumed from different checkpoints (this rank from step \(step)); every rank must see rank 0's project folder and store (a shared file system).")
        }
    }

    /// Joins the rendezvous as failed, if this rank has not joined yet (call when the stage threw).
    public func abandon() {
        guard lock.withLock({ let was = pending; pending = false; return was }) else { return }
        _ = Ranks.world.sum([1, -1])
    }
}
