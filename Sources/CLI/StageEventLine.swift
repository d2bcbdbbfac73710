import JSONText
import Foundation
import Orchestration
import Recipes
import Stages

/// Progress events and the outcome as one-line JSON, between `lathe run-stage` and ``SlurmRunner``.
enum StageEventLine {
    static func encode(_ event: StageEvent) -> String {
        switch event {
        case .note(let text): return JSONValue.object(["note": .string(text)]).compact()
        case .notice(let text): return JSONValue.object(["notice": .string(text)]).compact()
        case .warning(let text): return JSONValue.object(["warning": .string(text)]).compact()
        case .progress(let step, let total, let values):
            return JSONValue.object(["step": .int(step), "total": .int(total), "values": .object(JSONObject(values.mapValues { .double($0) }))]).compact()
        }
    }

    static func decode(_ line: String) -> StageEvent? {
        guard let json = try? JSONValue.parse(line) else { return nil }
        if let note = json["note"]?.stringValue { return .note(note) }
        if let notice = json["notice"]?.stringValue { return .notice(notice) }
        if let warning = json["warning"]?.stringValue { return .warning(warning) }
        guard let step = json["step"]?.intValue, let total = json["total"]?.intValue else { return nil }
        var values: [String: Double] = [:]
        for (k, v) in json["values"]?.objectValue ?? [:] { values[k] = v.doubleValue }
        return .progress(step: step, total: total, values: values)
    }

    static func encodeOutcome(_ outcome: StageOutcome) -> String {
        JSONValue.object(["metrics": .object(JSONObject(outcome.metrics.mapValues { .double($0) })),
                          "cost": .object(JSONObject(outcome.cost.mapValues { .double($0) }))]).compact()
    }

    static func decodeOutcome(_ file: URL) -> StageOutcome? {
        guard let data = try? Data(contentsOf: file), let json = try? JSONValue.parse(data) else { return nil }
        var outcome = StageOutcome()
        for (k, v) in json["metrics"]?.objectValue ?? [:] { outcome.metrics[k] = v.doubleValue }
        for (k, v) in json["cost"]?.objectValue ?? [:] { outcome.cost[k] = v.doubleValue }
        return outcome
    }
}
