/// Placeholder: the Orchestration module lands with its issue.
enum OrchestrationModuleMarker {}
