extension LoadSession {
    /// Whether a classify stage trains LoRA: `adapter: lora` written in the stage itself. An `adapter` from
    /// `defaults:` (where it serves attach-adapters stages) does not turn a classify stage into a LoRA one.
    static func classifyUsesLoRA(_ fields: [String: Field]) -> Bool {
        fields["adapter"].map { !$0.fromDefaults } ?? false
    }

    /// Refuses a classify stage's LoRA keys that would do nothing or contradict each other
    /// (`KeyTables.classifyLoRA`): LoRA keys without `adapter: lora`; layer freezing with it (the model is
    /// frozen already); the classification head named as a LoRA target or an extra module to save (it always
    /// trains in full and is saved, as PEFT's SEQ_CLS task does); `lora_target_modules` beside
    /// `lora_target_linear: true`; `from: scratch` (nothing trained to adapt). Keys merged from `defaults:` are not refused here (see `settleClassifyLoRA`).
    mutating func checkClassifyLoRA(_ checked: ValueChecker.CheckedObject, scope: Scope) {
        let fields = checked.fields
        func refuse(_ key: String, _ why: String) {
            checker.sink.error(fields[key]?.location ?? SourceLocation(line: 0, column: 0), "'\(key)' \(scope.phrase) \(why)")
        }
        let own = { (key: String) in fields[key].map { !$0.fromDefaults } ?? false }
        let loraKeys = KeyTables.classifyLoRA.map(\.name).filter { $0 != "adapter" }
        guard Self.classifyUsesLoRA(fields) else {
            for key in loraKeys where own(key) {
                refuse(key, "applies only to a LoRA classify stage, and this stage trains every weight (it has no "
                    + "'adapter: lora'). Add 'adapter: lora', or remove '\(key)'.")
            }
            return
        }
        if let from = fields["from"], case .ref(.scratch) = from.value {
            checker.sink.error(from.location, "\(scope.owner) has 'adapter: lora', "
                + "which adapts a trained model, so it cannot start from scratch. Name a stage or an HF model directory in "
                + "'from:', or remove 'adapter: lora' to train every weight.")
        }
        for key in ["freeze_trainable_layers", "unfrozen_parameters"] where fields[key] != nil {
            refuse(key, "has no effect with 'adapter: lora': the model stays frozen and only the LoRA adapters and the "
                + "classification head train. Use peft_layers_to_transform or lora_modules_to_save, or remove 'adapter: lora'.")
        }
        for key in ["lora_target_modules", "lora_modules_to_save"] {
            guard case .list(let items)? = fields[key]?.value else { continue }
            for case .string(let name) in items where ["classifier", "score"].contains(String(name.split(separator: ".").last ?? "")) {
                refuse(key, "names the classification head '\(name)', which a LoRA classify stage always trains in full and "
                    + "saves with the adapter (PEFT's SEQ_CLS modules_to_save). Remove '\(name)'.")
            }
        }
        if case .bool(true)? = fields["lora_target_linear"]?.value, own("lora_target_modules") {
            refuse("lora_target_modules", "has no effect with 'lora_target_linear: true', which puts LoRA on every linear "
                + "layer. Remove one of them.")
        }
    }

    /// After defaults: a LoRA classify stage gets attach-adapters' defaults for its absent LoRA keys
    /// (`lora_alpha` = 2 × `lora_r`); a stage without `adapter: lora` drops the LoRA keys `defaults:` gave
    /// it, so its cache key is that of a stage without them.
    func settleClassifyLoRA(_ checked: inout ValueChecker.CheckedObject, at location: SourceLocation) {
        guard Self.classifyUsesLoRA(checked.fields) else {
            for key in KeyTables.classifyLoRA.map(\.name) where checked.fields[key]?.fromDefaults == true {
                checked.fields[key] = nil
            }
            return
        }
        for (key, value) in KeyTables.classifyLoRADefaults where checked.fields[key] == nil {
            checked.fields[key] = Field(value: value, location: location)
        }
        if checked.fields["lora_alpha"] == nil, case .int(let rank)? = checked.fields["lora_r"]?.value {
            checked.fields["lora_alpha"] = Field(value: .number(Double(2 * rank)), location: location)
        }
    }
}
