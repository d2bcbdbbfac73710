import Cluster
import Testing

@Suite("Finding the MPI launcher")
struct LauncherTests {
    @Test("mpirun, srun and a plain start are told apart by their environment")
    func launcherFromEnvironment() {
        #expect(Ranks.launcher(environment: [:]) == nil)
        #expect(Ranks.launcher(environment: ["OMPI_COMM_WORLD_SIZE": "4"])! == ("mpirun", 4))
        #expect(Ranks.launcher(environment: ["PMI_SIZE": "8", "SLURM_JOB_ID": "17"])! == ("srun", 8))
        #expect(Ranks.launcher(environment: ["PMIX_RANK": "0", "SLURM_JOB_ID": "17", "SLURM_NTASKS": "3"])! == ("srun", 3))
    }

    @Test("A build without Open MPI under mpirun says how to get it")
    func noMPIMessage() {
        let text = ClusterError.notBuiltWithMPI(launcher: "mpirun", ranks: 2).description
        #expect(text.contains("one of 2 ranks"))
        #expect(text.contains("apt-get install openmpi-bin libopenmpi-dev"))
        #expect(text.contains("touch Package.swift"))
    }

    @Test("Outside a launcher the process is a single rank that writes")
    func singleProcess() throws {
        let world = try Ranks.start()
        #expect(world.size == 1 && world.rank == 0 && world.isWriter && !world.isDistributed)
        #expect(world.sum([1, 2.5]) == [1, 2.5])
        #expect(world.any(true) && !world.any(false))
    }
}
