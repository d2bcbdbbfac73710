/// Thrown by a runner that stopped because the run was interrupted.
public struct StageCancelled: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}
