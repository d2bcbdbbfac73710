import Foundation

/// Threads for a stage without `threads:`: `$LATHE_THREADS`, else every core.
enum ThreadSetting {
    static var count: Int {
        if let env = ProcessInfo.processInfo.environment["LATHE_THREADS"], let n = Int(env), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }
}
