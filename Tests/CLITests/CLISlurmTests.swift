import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `lathe run --executor slurm` on a real one-node Slurm (slurmctld + slurmd + munge on localhost,
/// started by scripts/start-slurm.sh), with the store on a path the jobs share with the submitter.
@Suite(.serialized) struct CLISlurmTests {
    /// Two independent tokenize stages and one that reads the first.
    static func recipe(_ tag: String) -> String {
        """
        name: cluster
        seed: 1
        stages:
          \(tag)_a: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}
          \(tag)_b: {kind: tokenize, datasets: [{path: data/b.txt, type: completion}], vocab_size: 280}
          \(tag)_c: {kind: tokenize, from: \(tag)_a, datasets: [{path: data/b.txt, type: completion}]}
        """
    }

    func project(_ tag: String) -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n\n", count: 50))
        p.write("pipelines/data/b.txt", String(repeating: "a spindle is turned between centres.\n\n", count: 50))
        p.write("pipelines/cluster.yaml", CLISlurmTests.recipe(tag))
        return p
    }

    /// stage → (key, output digest) from a lock file.
    func results(_ p: TemporaryProject) throws -> [String: [String]] {
        let data = try #require(p.read("pipelines/cluster.lock")).data(using: .utf8)!
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let stages = json["stages"] as! [String: [String: Any]]
        return stages.mapValues { entry in
            [entry["key"] as! String, (entry["outputs"] as! [String: Any])["digest"] as! String]
        }
    }

    @Test("every stage runs as one Slurm job, and the results equal a local run's")
    func runsAsJobs() throws {
        try SlurmCluster.ensureRunning()
        let cluster = project("jobs"), local = project("jobs")
        let r = try CommandRunner.run(["run", "pipelines/cluster.yaml", "--executor", "slurm", "--log-format", "json"], in: cluster.root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.components(separatedBy: "submitted as Slurm job").count - 1 == 3)
        #expect(try CommandRunner.run(["run", "pipelines/cluster.yaml"], in: local.root).status == 0)
        #expect(try results(cluster) == results(local))
        // The stored results are intact, and a local run afterwards has nothing to do.
        let again = try CommandRunner.run(["run", "pipelines/cluster.yaml"], in: cluster.root)
        #expect(again.stderr.contains("Nothing to do: all 3 stages are up to date"), "\(again.stderr)")
        #expect(try CommandRunner.run(["verify"], in: cluster.root).status == 0)
    }

    @Test("independent stages run as concurrent jobs")
    func concurrentJobs() throws {
        try SlurmCluster.ensureRunning()
        let p = project("conc")
        let process = try CommandRunner.start(["run", "pipelines/cluster.yaml", "--executor", "slurm", "--slurm-mem", "256"], in: p.root,
                                              environment: ["LATHE_TESTONLY_STAGE_SECONDS": "4"])
        var most = 0
        while process.isRunning {
            most = max(most, SlurmCluster.jobStates(prefix: "lathe-conc_").filter { $0 == "RUNNING" }.count)
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(process.terminationStatus == 0)
        #expect(most == 2)
    }

    @Test("a failing job fails its stage with the tail of its log, and its dependents are skipped")
    func failingJob() throws {
        try SlurmCluster.ensureRunning()
        let p = project("fail")
        // An empty dataset: the recipe is valid, the stage refuses the data when the job runs it.
        p.write("pipelines/data/a.txt", "")
        let r = try CommandRunner.run(["run", "pipelines/cluster.yaml", "--executor", "slurm", "--keep-going"], in: p.root)
        #expect(r.status == 1)
        #expect(r.stderr.contains("fail_a failed: Slurm job"), "\(r.stderr)")
        #expect(r.stderr.contains("ended FAILED"))
        #expect(r.stderr.contains("lathe run-stage: stage 'fail_a' failed: "))
        #expect(r.stderr.contains("the dataset is empty"))
        #expect(r.stderr.contains("fail_c: skipped"))
    }

    @Test("Ctrl-C cancels the running jobs and publishes nothing")
    func interrupt() throws {
        try SlurmCluster.ensureRunning()
        let p = project("intr")
        let process = try CommandRunner.start(["run", "pipelines/cluster.yaml", "--executor", "slurm", "--slurm-mem", "256"], in: p.root,
                                              environment: ["LATHE_TESTONLY_STAGE_SECONDS": "60"])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && SlurmCluster.jobStates(prefix: "lathe-intr_").filter({ $0 == "RUNNING" }).isEmpty {
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(!SlurmCluster.jobStates(prefix: "lathe-intr_").isEmpty)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let gone = Date().addingTimeInterval(20)
        while Date() < gone && !SlurmCluster.jobStates(prefix: "lathe-intr_").filter({ $0 != "COMPLETING" }).isEmpty {
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(SlurmCluster.jobStates(prefix: "lathe-intr_").filter { $0 != "COMPLETING" }.isEmpty)
        let entries = (try? FileManager.default.subpathsOfDirectory(atPath: p.store.path)) ?? []
        #expect(!entries.contains { $0.hasSuffix("/manifest.json") && !$0.hasPrefix("tmp/") })
    }
}
