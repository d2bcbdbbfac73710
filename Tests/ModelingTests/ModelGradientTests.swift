import Compute
import Modeling
import TestSupport
import Testing

/// The whole model's backward against finite differences of its forward. The model runs in Float32, so
/// the step is large (h = 1e-2 on weights initialised with std 0.3) and the tolerance reflects Float32
/// rounding of the loss (~1e-6) divided by 2h, plus O(h²) truncation.
@Suite struct ModelGradientTests {
    func model(_ config: GPTConfig = Fixtures.tiny) throws -> GPTModel {
        var c = config
        c.initializerRange = 0.3  // larger weights make every gradient visible above Float32 noise
        let m = try GPTModel(config: c, seed: 3)
        // non-trivial LayerNorm gains/biases and position rows
        m.withParameters { p in for i in p.indices where p[i] == 0 || p[i] == 1 { p[i] += Float((i * 37) % 11) * 0.03 - 0.15 } }
        return m
    }

    func loss(_ m: GPTModel, _ b: TokenBatch) -> Double { Double(m.forward(b)) }

    @Test func everyTensorsGradientMatchesFiniteDifferences() throws {
        let m = try model()
        let batch = Fixtures.packedBatch()
        m.zeroGradients()
        m.forward(batch)
        m.backward(batch)
        let grads = m.gradientValues()
        let h: Float = 1e-2
        for info in m.layout.parameters {
            // three entries per tensor, spread over it
            for k in [0, info.count / 2, info.count - 1] {
                let i = info.offset + k
                let saved = m.withParameters { $0[i] }
                m.withParameters { $0[i] = saved + h }
                let lp = loss(m, batch)
                m.withParameters { $0[i] = saved - h }
                let lm = loss(m, batch)
                m.withParameters { $0[i] = saved }
                let fd = (lp - lm) / Double(2 * h)
                let g = Double(grads[i])
                #expect(abs(fd - g) <= 2e-4 + 2e-2 * abs(g), "\(info.name)[\(k)]: backward \(g), finite difference \(fd)")
            }
        }
    }

    @Test func directionalDerivativeMatchesGradient() throws {
        let m = try model()
        let batch = Fixtures.packedBatch()
        m.zeroGradients()
        m.forward(batch)
        m.backward(batch)
        let g = m.gradientValues().map(Double.init)
        let d = NumericChecks.randomValues(g.count, seed: 99)
        let theta = m.parameterValues()
        func at(_ s: Double) throws -> Double {
            try m.setParameterValues(zip(theta, d).map { Float(Double($0) + s * $1) })
            return loss(m, batch)
        }
        let h = 1e-3
        let fd = (try at(h) - at(-h)) / (2 * h)
        let analytic = NumericChecks.dot(g, d)
        #expect(abs(fd - analytic) <= 1e-3 * max(1, abs(analytic)), "directional: backward \(analytic), finite difference \(fd)")
    }

    @Test func frozenTensorsGetNoGradientAndTheRestMatchesTheUnfrozenModel() throws {
        let m = try model(), batch = Fixtures.packedBatch()
        m.zeroGradients(); m.forward(batch); m.backward(batch)
        let full = m.gradientValues()
        let flags = try m.freeze(Freezing(trainableLayers: 1))
        m.zeroGradients(); m.forward(batch); m.backward(batch)
        let partial = m.gradientValues()
        for (i, info) in m.layout.parameters.enumerated() {
            let slice = partial[info.offset..<(info.offset + info.count)]
            if flags[i] {
                #expect(info.layer == 1)
                #expect(Array(slice) == Array(full[info.offset..<(info.offset + info.count)]), "\(info.name)")
            } else {
                #expect(slice.allSatisfy { $0 == 0 }, "\(info.name) is frozen but got a gradient")
            }
        }
    }
}
