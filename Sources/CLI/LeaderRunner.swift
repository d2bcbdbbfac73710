import Cluster
import Foundation
import Orchestration
import Recipes
import Stages

/// Rank 0's stage runner under MPI: announces each training stage to the other ranks before running it.
struct LeaderRunner: StageRunner {
    let inner: any StageRunner
    let world: Ranks

    func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome {
        guard StageKind(rawValue: spec.kind)?.isTraining == true else { return try inner.run(spec, context: context) }
        RankedRun.send(.init(stage: spec.name, key: context.key, resume: context.resumeDirectory.path,
                             upstream: context.upstreamOutputs.mapValues(\.path)), on: world)
        RankSync.shared.begin()
        do {
            return try inner.run(spec, context: context)
        } catch {
            RankSync.shared.abandon()
            throw error
        }
    }
}
