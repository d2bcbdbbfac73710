// Open MPI's C API (Debian's libopenmpi-dev; found through pkg-config `ompi-c`). Open MPI spells
// MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM and MPI_IN_PLACE as macros over casts, which Swift cannot import,
// so the few calls Lathe makes are wrapped here as static inline functions on plain C types.
#include <mpi.h>

static inline int lathe_mpi_init(void) {
    int provided = 0;
    // Serialized: collectives are called from one thread at a time (the training stage's thread),
    // which need not be the thread that initialised MPI.
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) == MPI_SUCCESS && provided >= MPI_THREAD_SERIALIZED ? 0 : 1;
}
static inline int lathe_mpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
static inline int lathe_mpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
static inline int lathe_mpi_finalize(void) { return MPI_Finalize(); }
static inline void lathe_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

/// In-place sum over every rank of `count` floats / doubles.
static inline int lathe_mpi_sum_floats(float *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
static inline int lathe_mpi_sum_doubles(double *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

/// Non-blocking broadcast from rank 0 and barrier, polled with `lathe_mpi_test` so a waiting rank can
/// sleep between polls instead of spinning a core (Open MPI's blocking calls busy-wait).
static inline int lathe_mpi_ibcast(void *bytes, int count, MPI_Request *request) {
    return MPI_Ibcast(bytes, count, MPI_BYTE, 0, MPI_COMM_WORLD, request);
}
static inline int lathe_mpi_ibarrier(MPI_Request *request) { return MPI_Ibarrier(MPI_COMM_WORLD, request); }
static inline int lathe_mpi_test(MPI_Request *request) {
    int done = 0;
    MPI_Test(request, &done, MPI_STATUS_IGNORE);
    return done;
}
static inline double lathe_mpi_wtime(void) { return MPI_Wtime(); }
