import Foundation
import Orchestration

/// Test hook (`LATHE_TESTONLY_STAGE_SECONDS`): each stage execution first waits this long, so
/// kill and concurrency tests can catch a run mid-stage. Never set it in normal use.
struct DelayedRunner: StageRunner {
    let inner: any StageRunner
    let seconds: Double

    func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if context.isCancelled() { throw StageCancelled() }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try inner.run(spec, context: context)
    }
}
