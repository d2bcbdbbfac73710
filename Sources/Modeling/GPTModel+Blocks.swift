import Compute

/// The pieces of a block that differ by family — norms and the four matrix products — as one call each,
/// so `runTrunk`, `backward` and `decodeStep` read the same for GPT-2 and Llama.
extension GPTModel {
    /// Pre-norm of (n, C) rows: LayerNorm (saving mean and rstd) or RMSNorm (saving rstd).
    @inline(__always)
    func normForward(out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                     inp: UnsafePointer<Float>, weight: ModelOffsets.Entry, bias: ModelOffsets.Entry?, n: Int) {
        let c = config.nEmbd, eps = config.layerNormEpsilon
        if let bias {
            LayerNorm.forward(out: out, mean: mean, rstd: rstd, inp: inp, weight: param(weight.offset), bias: param(bias.offset),
                              n: n, c: c, epsilon: eps)
        } else {
            RMSNorm.forward(out: out, rstd: rstd, inp: inp, weight: param(weight.offset), n: n, c: c, epsilon: eps)
        }
    }

    /// Adds the norm's gradients (input into `dinp`, gain and bias into their gradients unless frozen).
    @inline(__always)
    func normBackward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                      mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, weight: ModelOffsets.Entry,
                      bias: ModelOffsets.Entry?, n: Int) {
        let c = config.nEmbd
        if let bias {
            LayerNorm.backward(dinp: dinp, dweight: grad(weight.index, weight.offset), dbias: grad(bias.index, bias.offset),
                               dout: dout, inp: inp, weight: param(weight.offset), mean: mean, rstd: rstd, n: n, c: c)
        } else {
            RMSNorm.backward(dinp: dinp, dweight: grad(weight.index, weight.offset), dout: dout, inp: inp,
                             weight: param(weight.offset), rstd: rstd, n: n, c: c)
        }
    }

    /// out (n, out) = inp (n, in) · W + b for one product, then the LoRA adapters of its modules.
    @inline(__always)
    func productForward(_ p: ModelOffsets.Product, layer: Int, index: Int, out: UnsafeMutablePointer<Float>,
                        inp: UnsafePointer<Float>, n: Int) {
        Matmul.linearForward(out: out, inp: inp, weight: param(p.weight), bias: p.bias.map { param($0) }, n: n,
                             c: p.inFeatures, oc: p.outFeatures, outIn: spec.outIn)
        adapterForward(layer: layer, product: index, out: out, inp: inp, n: n)
    }

    /// Adds the product's gradients: dinp += dout·Wᵀ (and the adapters' share), dW and db for the parts
    /// that train. When some fused parts are frozen and others not (`unfrozen_parameters: [q_proj]`),
    /// each trainable part's rows get their own product.
    func productBackward(_ p: ModelOffsets.Product, layer: Int, index: Int, dinp: UnsafeMutablePointer<Float>,
                         dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        let weightFlags = p.weights.map { trainable[$0.index] }, biasFlags = p.biases.map { trainable[$0.index] }
        let uniform = Set(weightFlags).count <= 1 && Set(biasFlags).count <= 1
        if uniform {
            Matmul.linearBackward(dinp: dinp, dweight: weightFlags[0] ? gradientBase + p.weight : nil,
                                  dbias: biasFlags.first == true ? gradientBase + p.biases[0].offset : nil, dout: dout,
                                  inp: inp, weight: param(p.weight), n: n, c: p.inFeatures, oc: p.outFeatures, outIn: spec.outIn)
        } else {
            // Only `nn.Linear` layouts fuse several modules: part k is rows [o, o + width) of the [out, in] weight.
            Matmul.linearBackward(dinp: dinp, dweight: nil, dbias: nil, dout: dout, inp: inp, weight: param(p.weight), n: n,
                                  c: p.inFeatures, oc: p.outFeatures, outIn: spec.outIn)
            var o = 0
            for (k, width) in p.partWidths.enumerated() {
                if weightFlags[k] {
                    Matmul.gemmParallel(transA: true, transB: false, m: width, n: p.inFeatures, k: n, a: dout + o,
                                        lda: p.outFeatures, b: inp, ldb: p.inFeatures, beta: 1,
                                        c: gradientBase + p.weights[k].offset, ldc: p.inFeatures)
                }
                if k < biasFlags.count, biasFlags[k] {
                    let db = gradientBase + p.biases[k].offset
                    for row in 0..<n { VectorMath.axpy(1, dout + row * p.outFeatures + o, db, width) }
                }
                o += width
            }
        }
        adapterBackward(layer: layer, product: index, dinp: dinp, dout: dout, inp: inp, n: n)
    }
}
