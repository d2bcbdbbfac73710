import Foundation

/// A thread-safe flag set by SIGINT/SIGTERM handlers and read by running stages.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    public init() {}
    public var isSet: Bool { lock.withLock { value } }
    public func set() { lock.withLock { value = true } }
}
