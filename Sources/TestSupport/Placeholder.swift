/// Placeholder: the TestSupport module lands with its issue.
enum TestSupportModuleMarker {}
