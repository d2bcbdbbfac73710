import Foundation

extension RecipeSchema {
    /// A Markdown key reference (one table per stage kind and nested mapping), from the same tables as the
    /// schema, for `docs/recipes.md`. Deterministic: kinds in declaration order, keys in table order.
    public static func markdown() -> String {
        var out = "# Recipe keys\n\nGenerated from the Recipes key tables (`RecipeSchema.markdown()`); do not edit.\n"
        for kind in StageKind.allCases {
            out += "\n## `kind: \(kind.rawValue)`\n\n" + table(KeyTables.keys(for: kind).keys)
        }
        out += "\n## Run keys\n\nWhere and how stages run, at a recipe's top level or in a config file (`.lathe/config.yaml`, "
            + "`.lathe/config.local.yaml`, `~/.config/lathe/config.yaml`; docs/team-setup.md). Precedence: command line > "
            + "environment > recipe > project config > user config. None of them is part of a stage's key.\n\n" + table(KeyTables.runKeys)
        for spec in [KeyTables.dataset, KeyTables.evalDataset, KeyTables.model, KeyTables.replay, KeyTables.samples, KeyTables.slurm] {
            out += "\n## `\(spec.name)`\n\n\(spec.description)\n\n" + table(spec.keys)
        }
        out += "\n## Refused keys\n\nKeys other tools accept that Lathe refuses rather than ignore (`lathe validate` says why):\n\n"
            + "| key | where | why |\n|---|---|---|\n"
        for key in KeyTables.refusedKeys.keys.sorted() { out += "| `\(key)` | every stage | \(KeyTables.refusedKeys[key]!) |\n" }
        for kind in StageKind.allCases {
            for (key, why) in (KeyTables.refusedByKind[kind] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += "| `\(key)` | `kind: \(kind.rawValue)` | \(why) |\n"
            }
        }
        return out
    }

    private static func table(_ keys: [KeySpec]) -> String {
        var out = "| key | type | default | description | aliases |\n|---|---|---|---|---|\n"
        for key in keys {
            let fallback = key.required ? "required" : (key.defaultValue.map(text) ?? "—")
            let aliases = key.aliases.map { "`\($0.name)` (\($0.source))" }.joined(separator: ", ")
            out += "| `\(key.name)` | \(key.type.phrase) | \(fallback) | \(key.description) | \(aliases) |\n"
        }
        return out
    }

    private static func text(_ value: CheckedValue) -> String {
        switch value {
        case .int(let number): "`\(number)`"
        case .number(let number): "`\(number)`"
        case .bool(let flag): "`\(flag)`"
        case .string(let string): "`\(string)`"
        case .list(let items): "`[" + items.map { text($0).replacingOccurrences(of: "`", with: "") }.joined(separator: ", ") + "]`"
        case .ref, .object: "—"
        }
    }
}
