import Compute

extension GPTModel {
    /// Attaches `adapters` (built for this model) and freezes the base: afterwards forward, backward, the
    /// KV-cache path and `GPTTrainer` all include them, and only adapter parameters (plus the config's
    /// `modulesToSave`) train.
    /// - Throws: `.invalidHyperparameters` when `adapters` were made for a different model shape.
    public func attach(_ adapters: LoRAAdapters) throws(ModelingError) {
        let expected = try adapters.config.targets(layout: layout, nLayer: config.nLayer)
        guard expected == adapters.targets else {
            throw .invalidHyperparameters("the LoRA adapters were made for a different model shape")
        }
        self.adapters = adapters
        try freeze(adapters.config.baseFreezing())
    }

    /// Removes the adapters (weights untouched) and makes every base parameter trainable again.
    public func detachAdapters() {
        adapters = nil
        setTrainable([Bool](repeating: true, count: layout.parameters.count))
    }

    /// A plain model whose weights are this model's with every adapter folded in (PEFT `merge_and_unload`):
    /// W[in, out] += scale · (B·A)ᵀ, computed in Float32 as one GEMM per target. This model is unchanged.
    /// - Complexity: 2·r·in·out FLOP per target, one copy of the parameters.
    public func merged() throws(ModelingError) -> GPTModel {
        let out = try GPTModel(config: config)
        _ = withParameters { src in out.withParameters { dst in dst.update(from: src) } }
        guard let adapters else { return out }
        let r = adapters.config.rank
        for (i, t) in adapters.targets.enumerated() {
            let w = out.param(layout.offset(t.modulePath + ".weight"))
            // (B·A)ᵀ (in, out) = Aᵀ (in, r) · Bᵀ (r, out): A is (r, in) and B is (out, r), both row-major.
            Matmul.gemm(transA: true, transB: true, m: t.inFeatures, n: t.outFeatures, k: r, alpha: adapters.scale,
                        a: adapters.storage.base + adapters.aOffsets[i], lda: t.inFeatures,
                        b: adapters.storage.base + adapters.bOffsets[i], ldb: r, beta: 1, c: w, ldc: t.outFeatures)
        }
        return out
    }

    // MARK: Hooks called by forward, backward and the KV-cache path

    /// Adds the adapter of (layer, module slot) to a linear layer's output, if there is one.
    /// `slot` indexes `LoRAConfig.allLinear`; `inp` (n, in), `out` (n, out).
    @inline(__always)
    func adapterForward(layer: Int, slot: Int, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        guard let ad = adapters, let i = ad.slotIndex[layer][slot] else { return }
        let t = ad.targets[i], r = ad.config.rank
        let acts = ad.activations(n: n)
        var x = inp
        if ad.config.dropout > 0, var rng = ad.dropoutGenerator, let maskView = acts.mask[i], let dropView = acts.dropped[i] {
            // inverted dropout: keep with probability 1 − p and scale by 1 / (1 − p); the mask is saved for backward
            let p = Float(ad.config.dropout), keep = 1 / (1 - p)
            let mask = acts.ptr(maskView), dropped = acts.ptr(dropView)
            for j in 0..<(n * t.inFeatures) {
                mask[j] = rng.nextFloat() < p ? 0 : keep
                dropped[j] = inp[j] * mask[j]
            }
            ad.dropoutGenerator = rng
            x = UnsafePointer(dropped)
            acts.droppedOut[i] = true
        } else {
            acts.droppedOut[i] = false
        }
        LowRankAdapter.forward(out: out, hidden: acts.ptr(acts.hidden[i]), x: x, a: ad.storage.base + ad.aOffsets[i],
                               b: ad.storage.base + ad.bOffsets[i], scale: ad.scale, n: n, c: t.inFeatures, r: r,
                               oc: t.outFeatures)
    }

    /// Adds the adapter gradients of (layer, slot) for the last forward: dA, dB, and dinp through the
    /// low-rank path (masked by the saved dropout mask).
    @inline(__always)
    func adapterBackward(layer: Int, slot: Int, dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                         inp: UnsafePointer<Float>, n: Int) {
        guard let ad = adapters, let i = ad.slotIndex[layer][slot] else { return }
        let t = ad.targets[i], r = ad.config.rank
        guard let acts = ad.activations, acts.n == n else { preconditionFailure("adapter backward needs the forward of the same batch") }
        let grads = ad.storage.base + ad.parameterCount
        let dropped = acts.droppedOut[i]
        let x = dropped ? UnsafePointer(acts.ptr(acts.dropped[i]!)) : inp  // safe: droppedOut implies the views exist
        let dx = dropped ? acts.ptr(acts.dinput) : dinp
        if dropped { dx.update(repeating: 0, count: n * t.inFeatures) }
        LowRankAdapter.backward(dx: dx, da: grads + ad.aOffsets[i], db: grads + ad.bOffsets[i], dhidden: acts.ptr(acts.dhidden),
                                dout: dout, x: x, hidden: acts.ptr(acts.hidden[i]), a: ad.storage.base + ad.aOffsets[i],
                                b: ad.storage.base + ad.bOffsets[i], scale: ad.scale, n: n, c: t.inFeatures, r: r,
                                oc: t.outFeatures)
        if dropped {
            let mask = acts.ptr(acts.mask[i]!)
            for j in 0..<(n * t.inFeatures) { dinp[j] += dx[j] * mask[j] }
        }
    }

    /// The adapter for a single decoded token (no dropout; its own r-float scratch).
    @inline(__always)
    func adapterDecode(layer: Int, slot: Int, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
        guard let ad = adapters, let i = ad.slotIndex[layer][slot] else { return }
        let t = ad.targets[i]
        LowRankAdapter.forward(out: out, hidden: ad.decodeHidden.base, x: inp, a: ad.storage.base + ad.aOffsets[i],
                               b: ad.storage.base + ad.bOffsets[i], scale: ad.scale, n: 1, c: t.inFeatures,
                               r: ad.config.rank, oc: t.outFeatures)
    }
}

extension GPTModel {
    /// Largest |logit difference| between this model and `other` (same config) on `tokens`, one sequence:
    /// the post-merge check (merged weights must reproduce base + adapter).
    public func maxLogitDifference(to other: GPTModel, tokens: [Int32]) -> Float {
        precondition(other.config == config && !tokens.isEmpty, "comparable models and a non-empty probe")
        let batch = TokenBatch(tokens: tokens, batchSize: 1, sequenceLength: tokens.count)
        let mine = logits(batch) { Array($0) }
        return other.logits(batch) { theirs in
            var worst: Float = 0
            for i in 0..<mine.count { worst = max(worst, abs(mine[i] - theirs[i])) }
            return worst
        }
    }
}
