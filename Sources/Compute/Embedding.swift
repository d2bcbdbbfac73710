/// Token + position embedding (llm.c `encoder_forward` / `encoder_backward`), with explicit position ids
/// so packed sequences can restart positions at each document.
public enum Embedding {
    /// out (n, c) = wte[tokens[i]] + wpe[positions[i]] for each of the n = B·T positions.
    /// wte is (V, c), wpe is (maxT, c), or nil for models without learned positions (out = wte rows).
    /// Ids must be in range (checked by the caller once per batch).
    public static func forward(
        out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>,
        wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>?, n: Int, c: Int
    ) {
        Parallel.forEachChunk(n, costPerItem: c) { rows in
            for i in rows {
                let o = out + i * c, t = wte + Int(tokens[i]) * c
                if let wpe {
                    let p = wpe + Int(positions[i]) * c
                    for j in 0..<c { o[j] = t[j] + p[j] }
                } else {
                    o.update(from: t, count: c)  // rotary models: positions enter in attention
                }
            }
        }
    }

    /// Adds dout (n, c) into dwte rows and dwpe rows (either may be nil when frozen). Sequential: two
    /// positions may share a token, and a fixed order keeps the sums reproducible.
    public static func backward(
        dwte: UnsafeMutablePointer<Float>?, dwpe: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>, n: Int, c: Int
    ) {
        for i in 0..<n {
            if let dwte { VectorMath.axpy(1, dout + i * c, dwte + Int(tokens[i]) * c, c) }
            if let dwpe { VectorMath.axpy(1, dout + i * c, dwpe + Int(positions[i]) * c, c) }
        }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(
        out: inout [Double], tokens: [Int32], positions: [Int32], wte: [Double], wpe: [Double], n: Int, c: Int
    ) {
        for i in 0..<n {
            for j in 0..<c { out[i * c + j] = wte[Int(tokens[i]) * c + j] + wpe[Int(positions[i]) * c + j] }
        }
    }

    /// Reference backward in Float64; adds into the gradients.
    public static func backwardNaive(
        dwte: inout [Double], dwpe: inout [Double], dout: [Double], tokens: [Int32], positions: [Int32], n: Int, c: Int
    ) {
        for i in 0..<n {
            for j in 0..<c {
                dwte[Int(tokens[i]) * c + j] += dout[i * c + j]
                dwpe[Int(positions[i]) * c + j] += dout[i * c + j]
            }
        }
    }
}
