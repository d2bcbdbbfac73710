/// Placeholder: the Recipes module lands with its issue.
enum RecipesModuleMarker {}
