/// Placeholder: the Stages module lands with its issue.
enum StagesModuleMarker {}
