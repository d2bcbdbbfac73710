import Dispatch
import Foundation
import Orchestration
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM: the first sets the cancellation flag (no new stage starts, running stages stop
/// at a safe point, nothing is half-published); the second exits at once (still safe: publishing
/// is a rename).
final class SignalTrap: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    init(cancel: CancellationFlag, onFirst: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if cancel.isSet { exit(130) }
                cancel.set()
                onFirst()
            }
            source.resume()
            sources.append(source)
        }
    }
}
