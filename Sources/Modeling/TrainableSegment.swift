import Compute

/// One trainable tensor as the optimizer sees it: where its values and gradient live and where its
/// AdamW moments start.
struct TrainableSegment {
    let arena: Arena
    let offset: Int
    let gradient: Int
    let count: Int
    let moment: Int
    let decays: Bool
}
