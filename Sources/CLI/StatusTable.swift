import JSONText
import Foundation
import Orchestration

/// Prints a plan: one line per stage (`name  up to date` / `will run: reason` / `pending upstream`).
enum StatusTable {
    static func print(_ plan: [Planner.PlannedStage], format: LogFormat) {
        if format == .json {
            for p in plan {
                Swift.print(JSONValue.object([
                    "stage": .string(p.name), "state": .string(state(p.action)), "reason": .string(p.action.description),
                    "key": p.key.map { .string($0) } ?? .null,
                ]).compact())
            }
            return
        }
        let width = min(28, plan.map(\.name.count).max() ?? 0)
        for p in plan where p.action != .notSelected {
            let name = p.name.padding(toLength: max(width, p.name.count), withPad: " ", startingAt: 0)
            let text: String
            switch p.action {
            case .upToDate: text = "up to date"
            case .restore: text = "will restore: \(p.action)"
            case .run: text = "will run: \(p.action)"
            default: text = p.action.description
            }
            Swift.print("\(name)  \(text)")
        }
    }

    static func state(_ action: StageAction) -> String {
        switch action {
        case .upToDate: return "up_to_date"
        case .restore: return "will_restore"
        case .run: return "will_run"
        case .pendingUpstream: return "pending_upstream"
        case .notSelected: return "not_selected"
        }
    }
}
