/// Placeholder: the SafeTensors module lands with its issue.
enum SafeTensorsModuleMarker {}
