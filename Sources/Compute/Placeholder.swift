/// Placeholder: the Compute module lands with its issue.
enum ComputeModuleMarker {}
