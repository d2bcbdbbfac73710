enum RecipeSchema { static func json() -> String { "TEMP" } }  // TEMP until the recipes branch lands
