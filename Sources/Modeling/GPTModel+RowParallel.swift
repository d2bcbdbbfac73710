import Compute

/// Row-parallel inference: the rows of a batch split across `inferenceWorkers` (this model and
/// forward-only replicas sharing its parameters), each running a whole single-threaded forward pass,
/// then the per-row outputs gathered in row order. One synchronisation per batch instead of one per
/// kernel; every row's values are computed exactly as a one-worker forward of that row would be
/// computed by a worker of the same shape.
extension GPTModel {
    /// (B·T, V) logits of `batch` computed by `workers`, each writing its rows straight into one buffer.
    func rowParallelLogits<R>(_ batch: TokenBatch, workers: [GPTModel], _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        var scratch = rowParallelScratch(for: batch, workers: workers.count)
        let t = batch.sequenceLength, v = config.outputWidth
        if scratch.logits == nil {
            scratch.logits = Arena(count: batch.batchSize * t * v)
            rowParallelScratch = scratch
        }
        let out = scratch.logits!.base
        Parallel.forEachChunk(workers.count, costPerItem: 1 << 30) { range in
            for w in range {
                let rows = GPTModel.rows(of: w, workers: workers.count, batchSize: batch.batchSize)
                _ = workers[w].runTrunk(scratch.shards[w], logitsOut: out + rows.lowerBound * t * v, forBackward: false)
            }
        }
        return try body(UnsafeBufferPointer(start: out, count: batch.batchSize * t * v))
    }

    /// Per-position −log p(target) of `batch` (B·T values, 0 where the target is −1), rows split across
    /// the inference workers when there are several.
    func positionLosses<R>(_ batch: TokenBatch, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let workers = inferenceWorkers(rows: batch.batchSize)
        guard workers.count > 1 else {
            forward(batch, forBackward: false)
            return try withPositionLosses(body)
        }
        let scratch = rowParallelScratch(for: batch, workers: workers.count)
        let t = batch.sequenceLength
        let out = scratch.losses.base
        Parallel.forEachChunk(workers.count, costPerItem: 1 << 30) { range in
            for w in range {
                let rows = GPTModel.rows(of: w, workers: workers.count, batchSize: batch.batchSize)
                workers[w].forward(scratch.shards[w], forBackward: false)
                workers[w].withPositionLosses { (out + rows.lowerBound * t).update(from: $0.baseAddress!, count: $0.count) }
            }
        }
        return try body(UnsafeBufferPointer(start: out, count: batch.batchSize * t))
    }

    /// The shards of `batch` for `workers` workers (rows copied in) and the gathered-output buffers,
    /// reallocated only when the batch shape or worker count changes.
    private func rowParallelScratch(for batch: TokenBatch, workers: Int) -> RowParallelScratch {
        if rowParallelScratch?.fits(batch, workers: workers) != true {
            rowParallelScratch = RowParallelScratch(batch: batch, workers: workers)
        }
        for w in 0..<workers {
            rowParallelScratch!.shards[w].copyRows(GPTModel.rows(of: w, workers: workers, batchSize: batch.batchSize), of: batch)
        }
        return rowParallelScratch!
    }
}

/// Buffers of one row-parallel batch shape: each worker's rows, and the logits (B·T, V; made on first
/// use, evaluation needs only losses) and position losses (B·T) gathered from them.
struct RowParallelScratch {
    var shards: [TokenBatch]
    var logits: Arena?
    let losses: Arena
    let batchSize: Int, sequenceLength: Int

    /// Floats held (for memory accounting).
    var floatCount: Int { (logits?.count ?? 0) + losses.count }

    init(batch: TokenBatch, workers: Int) {
        batchSize = batch.batchSize
        sequenceLength = batch.sequenceLength
        shards = (0..<workers).map { w in
            TokenBatch(batchSize: GPTModel.rows(of: w, workers: workers, batchSize: batch.batchSize).count,
                       sequenceLength: batch.sequenceLength)
        }
        losses = Arena(count: batch.batchSize * batch.sequenceLength)
    }

    func fits(_ batch: TokenBatch, workers: Int) -> Bool {
        batch.batchSize == batchSize && batch.sequenceLength == sequenceLength && shards.count == workers
    }
}
