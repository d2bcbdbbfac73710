/// Numbers as `config.json` writers print them.
enum HFConfigNumbers {
    /// A Float hyperparameter as the Double with the same shortest decimal text (1e-05, not
    /// 9.999999747378752e-06), as `transformers` writes it.
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
}
