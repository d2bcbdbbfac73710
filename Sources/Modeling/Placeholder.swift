/// Placeholder: the Modeling module lands with its issue.
enum ModelingModuleMarker {}
