import ArgumentParser
import Foundation
import Orchestration

/// Options of the store-wide commands (`gc`, `verify`).
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Project folder (default: the current folder's project).", valueName: "DIR"))
    var project: String?
    @Option(help: ArgumentHelp("Store folder (default: $LATHE_STORE, else <project>/artifacts).", valueName: "DIR"))
    var store: String?
    @Flag(help: "Fail at once (exit 75) if another lathe process holds the store.")
    var noWait = false

    func open() throws -> (root: URL, store: ArtifactStore, lock: StoreLock) {
        let folder = URL(fileURLWithPath: project ?? FileManager.default.currentDirectoryPath).standardizedFileURL
        let root: URL
        do { root = try ProjectRoot.find(forRecipe: folder.appendingPathComponent("_")) } catch {
            printError("lathe: \(folder.path) is not inside a Lathe project (no 'artifacts/' or '.git' in it or any parent "
                + "folder). Run from the project's folder, name it with --project DIR, or create one with `lathe init`.")
            throw LatheExit.usage
        }
        let store = ArtifactStore(root: ProjectRoot.store(root: root, option: self.store))
        do {
            let lock = try StoreLock(store: store.root, wait: !noWait) { holder in
                printError("lathe: waiting for \(holder), which is using \(store.root.path)…")
            }
            return (root, store, lock)
        } catch {
            printError("lathe: \(error)")
            if case .storeBusy = error { throw LatheExit.busy }
            throw LatheExit.stageFailed
        }
    }
}

extension Lathe {
    struct Gc: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete store entries that no lock file of the project references.",
            discussion: """
                Keeps every entry named by any lock file of the project: pipelines/**/*.lock, and \
                anywhere else a NAME.lock beside its recipe NAME.yaml (commit lock files of branches \
                you want to keep warm). With a shared --store, run it from each project \
                or not at all. Also deletes leftovers of killed runs and the resume checkpoints of \
                stages that have since finished, and quarantined entries (damaged results, and results \
                a forced rerun replaced). Checkpoints of interrupted runs and the encoded-dataset \
                cache are kept and their sizes reported: --resume and --datasets delete them.

                Examples:
                  lathe gc --dry-run
                  lathe gc
                  lathe gc --resume --datasets
                """)

        @OptionGroup var options: StoreOptions
        @Flag(help: "List what would be deleted, delete nothing.")
        var dryRun = false
        @Flag(help: "Also delete the resume checkpoints of interrupted runs (their stages then start over).")
        var resume = false
        @Flag(help: "Also delete the encoded-dataset cache (training stages re-encode their data when they next run).")
        var datasets = false

        func run() throws {
            let (root, store, lock) = try options.open()
            do { try StoreMarker.requireForDeleting(store.root) } catch {
                printError("lathe: \(error)\nlathe: gc deleted nothing.")
                throw LatheExit.stageFailed
            }
            var keep: Set<String> = []
            for url in Self.lockFiles(in: root, store: store.root) {
                do {
                    let lockFile = try LockFile.read(from: url, recipe: "")
                    keep.formUnion(lockFile.stages.values.map(\.key))
                } catch {
                    printError("lathe: \(error)\nlathe: refusing to collect garbage while a lock file is unreadable.")
                    throw LatheExit.stageFailed
                }
            }
            let verb = dryRun ? "Would delete" : "Deleted"
            var freed: Int64 = 0
            var removed = 0
            for key in store.allKeys() where !keep.contains(key) {
                if case .present(let record) = store.state(of: key) { freed += record.outputs.values.reduce(0) { $0 + $1.size } }
                removed += 1
                if dryRun { print("would delete \(key)") } else { try store.remove(key) }
            }
            print("\(verb) \(removed) entr\(removed == 1 ? "y" : "ies") (\(mib(freed))); kept \(keep.count) referenced by lock files.")

            // A checkpoint whose stage has published since (a kill between publishing and clearing it)
            // is never read again; the others belong to interrupted runs and are deleted only on request.
            var stale: [String] = [], interrupted: [String] = []
            for key in store.resumeKeys() {
                if case .present = store.state(of: key) { stale.append(key) } else { interrupted.append(key) }
            }
            let doomed = stale + (resume ? interrupted : [])
            let resumeBytes = doomed.reduce(Int64(0)) { $0 + ArtifactStore.diskSize(of: store.resumeDirectory($1)) }
            for key in doomed {
                if dryRun { print("would delete resume checkpoint \(key)") } else { try store.removeResume(key) }
            }
            if !doomed.isEmpty {
                print("\(verb) \(doomed.count) resume checkpoint\(doomed.count == 1 ? "" : "s") (\(mib(resumeBytes))).")
            }
            if !resume && !interrupted.isEmpty {
                let bytes = interrupted.reduce(Int64(0)) { $0 + ArtifactStore.diskSize(of: store.resumeDirectory($1)) }
                print("Kept \(interrupted.count) resume checkpoint\(interrupted.count == 1 ? "" : "s") of interrupted runs (\(mib(bytes))); --resume deletes them.")
            }

            // Quarantined entries (damaged, or replaced by a forced rerun) are kept only until the next gc.
            let quarantined = store.quarantineEntries()
            if !quarantined.isEmpty {
                let bytes = quarantined.reduce(Int64(0)) { $0 + ArtifactStore.diskSize(of: $1) }
                if dryRun { quarantined.forEach { print("would delete quarantine/\($0.lastPathComponent)") } } else { try store.removeQuarantine() }
                print("\(verb) \(quarantined.count) quarantined entr\(quarantined.count == 1 ? "y" : "ies") (\(mib(bytes))).")
            }

            let cacheBytes = store.datasetCacheEntries().reduce(Int64(0)) { $0 + ArtifactStore.diskSize(of: $1) }
            if datasets {
                if !dryRun { try store.removeDatasetCache() }
                print("\(verb) the encoded-dataset cache (\(mib(cacheBytes))).")
            } else if cacheBytes > 0 {
                print("Kept the encoded-dataset cache (\(mib(cacheBytes))); --datasets deletes it.")
            }
            if !dryRun { store.removeStaleWork() }
            withExtendedLifetime(lock) {}
        }

        private func mib(_ bytes: Int64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

        /// The project's Lathe lock files: every `*.lock` under `pipelines/`, and elsewhere in the project
        /// every `*.lock` beside a recipe of the same name (`x.lock` next to `x.yaml` or `x.yml`), so recipes
        /// kept outside `pipelines/` keep their results and other tools' lock files (Cargo.lock, …) are
        /// left alone. Hidden folders and the store are not searched.
        /// - Complexity: O(entries in the project tree).
        static func lockFiles(in root: URL, store: URL) -> [URL] {
            let fm = FileManager.default
            let pipelines = root.appendingPathComponent("pipelines").standardizedFileURL.path + "/"
            guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey],
                                             options: [.skipsHiddenFiles]) else { return [] }
            var found: [URL] = []
            for case let url as URL in walker {
                let path = url.standardizedFileURL.path
                if path == store.standardizedFileURL.path || url.lastPathComponent == "artifacts" && url.deletingLastPathComponent().standardizedFileURL.path == root.standardizedFileURL.path {
                    walker.skipDescendants()
                    continue
                }
                guard url.pathExtension == "lock" else { continue }
                let stem = url.deletingPathExtension()
                if path.hasPrefix(pipelines) || ["yaml", "yml"].contains(where: { fm.fileExists(atPath: stem.appendingPathExtension($0).path) }) {
                    found.append(url)
                }
            }
            return found.sorted { $0.path < $1.path }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rehash every store entry; quarantine the corrupt ones.",
            discussion: """
                A corrupt entry is moved to artifacts/quarantine/ and is recomputed by the next run. \
                Exit status 1 when anything was corrupt.

                Examples:
                  lathe verify
                  lathe verify --store /mnt/shared/lathe-store
                """)

        @OptionGroup var options: StoreOptions

        func run() throws {
            let (_, store, lock) = try options.open()
            // An older store is marked (and its entries' missing manifest checksums written) before
            // anything is checked, so upgrading Lathe never quarantines a whole store.
            do { try StoreMarker.adopt(store.root) } catch {
                printError("lathe: \(error)")
                throw LatheExit.stageFailed
            }
            var bad = 0
            let keys = store.allKeys()
            for key in keys {
                if let problem = store.deepCheck(key) {
                    bad += 1
                    print("corrupt \(key): \(problem)")
                    try store.quarantine(key, reason: problem)
                }
            }
            withExtendedLifetime(lock) {}
            print("Verified \(keys.count) entr\(keys.count == 1 ? "y" : "ies"): \(bad == 0 ? "all intact" : "\(bad) corrupt, quarantined in \(store.quarantineDirectory.path)").")
            if bad > 0 { throw ExitCode(1) }
        }
    }
}
