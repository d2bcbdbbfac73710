/// Placeholder: the Datasets module lands with its issue.
enum DatasetsModuleMarker {}
