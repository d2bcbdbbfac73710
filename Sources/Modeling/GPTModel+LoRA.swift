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
    /// W[in, out] += scale · (B·A)ᵀ (W[out, in] += scale · B·A for `nn.Linear` layouts), computed in Float32
    /// as one GEMM per target. This model is unchanged.
    /// - Complexity: 2·r·in·out FLOP per target, one copy of the parameters.
    public func merged() throws(ModelingError) -> GPTModel {
        let out = try GPTModel(config: config)
        _ = withParameters { src in out.withParameters { dst in dst.update(from: src) } }
        guard let adapters else { return out }
        let r = adapters.config.rank
        for (i, t) in adapters.targets.enumerated() {
            let w = out.param(layout.offset(t.modulePath + ".weight"))
            let a = adapters.storage.base + adapters.aOffsets[i], b = adapters.storage.base + adapters.bOffsets[i]
            if spec.outIn {
                // B·A (out, in): B is (out, r) and A is (r, in), both row-major.
                Matmul.gemm(transA: false, transB: false, m: t.outFeatures, n: t.inFeatures, k: r, alpha: adapters.scale,
                            a: b, lda: r, b: a, ldb: t.inFeatures, beta: 1, c: w, ldc: t.inFeatures)
            } else {
                // (B·A)ᵀ (in, out) = Aᵀ (in, r) · Bᵀ (r, out).
                Matmul.gemm(transA: true, transB: true, m: t.inFeatures, n: t.outFeatures, k: r, alpha: adapters.scale,
                            a: a, lda: t.inFeatures, b: b, ldb: r, beta: 1, c: w, ldc: t.outFeatures)
            }
        }
        return out
    }

    // MARK: Hooks called by forward, backward and the KV-cache path

    /// Adds the adapters of block `layer`'s product `product` (0 qkv, 1 attention output, 2 MLP input,
    /// 3 MLP output) to its output: each adapted module writes its own columns of the (n, width) rows.
    @inline(__always)
    func adapterForward(layer: Int, product: Int, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        guard let ad = adapters else { return }
        for (slot, m) in ad.modules.enumerated() where m.product == product {
            if let i = ad.slotIndex[layer][slot] {
                adapterForward(ad, target: i, out: out + m.outputOffset, ldo: ad.productWidths[product], inp: inp, n: n)
            }
        }
    }

    private func adapterForward(_ ad: LoRAAdapters, target i: Int, out: UnsafeMutablePointer<Float>, ldo: Int,
                                inp: UnsafePointer<Float>, n: Int) {
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
                               oc: t.outFeatures, ldo: ldo)
    }

    /// Adds the adapter gradients of (layer, product) for the last forward: dA, dB, and dinp through the
    /// low-rank paths (masked by the saved dropout masks).
    @inline(__always)
    func adapterBackward(layer: Int, product: Int, dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                         inp: UnsafePointer<Float>, n: Int) {
        guard let ad = adapters else { return }
        for (slot, m) in ad.modules.enumerated() where m.product == product {
            if let i = ad.slotIndex[layer][slot] {
                adapterBackward(ad, target: i, dinp: dinp, dout: dout + m.outputOffset, ldo: ad.productWidths[product], inp: inp, n: n)
            }
        }
    }

    private func adapterBackward(_ ad: LoRAAdapters, target i: Int, dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                 ldo: Int, inp: UnsafePointer<Float>, n: Int) {
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
                                oc: t.outFeatures, ldo: ldo)
        if dropped {
            let mask = acts.ptr(acts.mask[i]!)
            for j in 0..<(n * t.inFeatures) { dinp[j] += dx[j] * mask[j] }
        }
    }

    /// The adapters of (layer, product) for `rows` decoded positions (no dropout; their own r-float scratch).
    @inline(__always)
    func adapterDecode(layer: Int, product: Int, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int = 1) {
        guard let ad = adapters else { return }
        for (slot, m) in ad.modules.enumerated() where m.product == product {
            guard let i = ad.slotIndex[layer][slot] else { continue }
            let t = ad.targets[i], ldo = ad.productWidths[product]
            // One row at a time through the rank-wide scratch: r is small, so this costs little next to the base product.
            for row in 0..<rows {
                LowRankAdapter.forward(out: out + row * ldo + m.outputOffset, hidden: ad.decodeHidden.base, x: inp + row * t.inFeatures,
                                       a: ad.storage.base + ad.aOffsets[i], b: ad.storage.base + ad.bOffsets[i], scale: ad.scale,
                                       n: 1, c: t.inFeatures, r: ad.config.rank, oc: t.outFeatures, ldo: ldo)
            }
        }
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
