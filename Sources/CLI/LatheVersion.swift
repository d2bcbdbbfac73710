import Orchestration

/// What `lathe --version` prints: the release number and the cache-key generation (`StageKey.versionSalt`)
/// its stored results belong to. Raise `number` with every release.
enum LatheVersion {
    static let number = "0.9.0"
    static var text: String { "lathe \(number) (cache keys \(StageKey.versionSalt))" }
}
