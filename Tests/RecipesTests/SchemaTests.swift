import Foundation
import Testing
@testable import Recipes

@Suite struct SchemaTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func checkedInSchemaMatchesTheKeyTables() throws {
        let url = Self.packageRoot.appendingPathComponent("schemas/recipe.schema.json")
        let generated = RecipeSchema.json()
        if ProcessInfo.processInfo.environment["LATHE_WRITE_SCHEMA"] == "1" {
            try Data(generated.utf8).write(to: url)
        }
        let onDisk = try String(contentsOf: url, encoding: .utf8)
        #expect(onDisk == generated, """
            schemas/recipe.schema.json is out of date with the Recipes key tables. Regenerate it with
            `lathe schema > schemas/recipe.schema.json` or
            `LATHE_WRITE_SCHEMA=1 swift test --filter SchemaTests`.
            """)
    }

    @Test func checkedInRecipeReferenceMatchesTheKeyTables() throws {
        let url = Self.packageRoot.appendingPathComponent("docs/recipes.md")
        let generated = RecipeSchema.markdown()
        if ProcessInfo.processInfo.environment["LATHE_WRITE_SCHEMA"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(generated.utf8).write(to: url)
        }
        let onDisk = try String(contentsOf: url, encoding: .utf8)
        #expect(onDisk == generated, """
            docs/recipes.md is out of date with the Recipes key tables. Regenerate it with
            `LATHE_WRITE_SCHEMA=1 swift test --filter SchemaTests`.
            """)
    }

    @Test func schemaIsValidJSONAndListsEveryKeyOfEveryKind() throws {
        let object = try JSONSerialization.jsonObject(with: Data(RecipeSchema.json().utf8)) as? [String: Any]
        let defs = try #require(object?["$defs"] as? [String: Any])
        for kind in StageKind.allCases {
            let stage = try #require(defs["stage-\(kind.rawValue)"] as? [String: Any])
            let properties = try #require(stage["properties"] as? [String: Any])
            for key in KeyTables.keys(for: kind).keys {
                #expect(properties[key.name] != nil, "\(kind.rawValue) lacks \(key.name)")
                for alias in key.aliases { #expect((properties[alias.name] as? [String: Any])?["deprecated"] as? Bool == true) }
            }
        }
        #expect(RecipeSchema.json().hasSuffix("}\n"))
    }

    @Test func everyKeyHasADescription() {
        for kind in StageKind.allCases {
            for key in KeyTables.keys(for: kind).keys { #expect(key.description.hasSuffix("."), "\(key.name)") }
        }
    }
}

@Suite struct DocsAndSnippetTests {
    @Test func markdownReferenceListsKeysWithAliasesAndDefaults() {
        let docs = RecipeSchema.markdown()
        #expect(docs.contains("## `kind: attach-adapters`"))
        #expect(docs.contains("| `learning_rate` | a number | `0.0003` | Peak learning rate (per step, after warmup). | `lr` (torchtune) |"))
        #expect(docs.contains("| `path` | a path (a string) | required |"))
    }

    @Test func snippetPointsAtTheColumn() throws {
        let project = try TestProject()
        let yaml = "stages:\n  base: {kind: instruct, from: ./hf, learning_rate: fast, datasets: [{path: data/a.txt}]}\n"
        guard case .failure(let error) = project.load(yaml) else { Issue.record("expected an error"); return }
        let diagnostic = try #require(error.diagnostics.first)
        #expect(diagnostic.snippet(in: yaml) == """
              base: {kind: instruct, from: ./hf, learning_rate: fast, datasets: [{path: data/a.txt}]}
                                                                ^
            """)
    }
}
