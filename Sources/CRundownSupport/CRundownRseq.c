// SPDX-License-Identifier: Apache-2.0
// The once-per-process decision whether the rseq fast path is usable, the membarrier that makes closing the slots
// safe, and the abort counter. See CRundownRseq.h.
#if defined(__linux__)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(__APPLE__)
#else
#error "CRundownSupport supports Linux (glibc, musl) and Apple platforms"
#endif
#include <errno.h>
#include <stdatomic.h>
#include "CRundownRseq.h"

static _Atomic uint64_t c_rundown_rseq_aborts = 0;

uint64_t c_rundown_rseq_abort_count(void) {
    return atomic_load_explicit(&c_rundown_rseq_aborts, memory_order_relaxed);
}

void c_rundown_rseq_count_abort(void) {
    atomic_fetch_add_explicit(&c_rundown_rseq_aborts, 1, memory_order_relaxed);
}

#if C_RUNDOWN_RSEQ_BUILT

// From include/uapi/linux/membarrier.h; defined here so that older kernel headers (and none at all) still build.
#define C_RUNDOWN_MEMBARRIER_CMD_QUERY 0
#define C_RUNDOWN_MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ (1 << 7)
#define C_RUNDOWN_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ (1 << 8)
// The smallest rseq area with cpu_id and rseq_cs: the original ABI, 20 bytes.
#define C_RUNDOWN_RSEQ_MINIMUM_SIZE 20
// cpu_id values that mean "not registered" / "registration failed".
#define C_RUNDOWN_RSEQ_CPU_ID_UNREGISTERED ((uint32_t)-1)
#define C_RUNDOWN_RSEQ_CPU_ID_FAILED ((uint32_t)-2)

static long c_rundown_membarrier(int command) {
    return syscall(SYS_membarrier, command, 0, 0);
}

static pthread_once_t c_rundown_rseq_once = PTHREAD_ONCE_INIT;
static int c_rundown_rseq_usable = 0;
static const char *c_rundown_rseq_reason = "not decided";

static void c_rundown_rseq_decide(void) {
    const char *disable = getenv("RUNDOWN_DISABLE_RSEQ");
    if (disable != NULL && strcmp(disable, "1") == 0) {
        c_rundown_rseq_reason = "RUNDOWN_DISABLE_RSEQ=1 is set";
        return;
    }
    if (&__rseq_offset == NULL || &__rseq_size == NULL) {
        c_rundown_rseq_reason = "the C library does not export __rseq_offset (glibc before 2.35)";
        return;
    }
    if (__rseq_size < C_RUNDOWN_RSEQ_MINIMUM_SIZE) {
        c_rundown_rseq_reason = "the C library did not register rseq (GLIBC_TUNABLES=glibc.pthread.rseq=0, valgrind, "
                                "seccomp, or a kernel without rseq)";
        return;
    }
    uint32_t cpu = c_rundown_rseq_cpu();
    if (cpu == C_RUNDOWN_RSEQ_CPU_ID_UNREGISTERED || cpu == C_RUNDOWN_RSEQ_CPU_ID_FAILED) {
        c_rundown_rseq_reason = "rseq is not registered for this thread";
        return;
    }
    long commands = c_rundown_membarrier(C_RUNDOWN_MEMBARRIER_CMD_QUERY);
    if (commands < 0 || (commands & C_RUNDOWN_MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) == 0) {
        c_rundown_rseq_reason = "membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) is not available (a kernel before "
                                "5.10, or seccomp)";
        return;
    }
    // Registering waits for an RCU grace period once the process has several threads: done once, early.
    if (c_rundown_membarrier(C_RUNDOWN_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ) != 0) {
        c_rundown_rseq_reason = "registering for membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) failed";
        return;
    }
    c_rundown_rseq_usable = 1;
    c_rundown_rseq_reason = "restartable sequences (rseq) with membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ)";
}

// Decide at load time, while the process most likely has a single thread and registration is cheap.
__attribute__((constructor)) static void c_rundown_rseq_decide_early(void) {
    pthread_once(&c_rundown_rseq_once, c_rundown_rseq_decide);
}

int c_rundown_rseq_status(const char **reason) {
    pthread_once(&c_rundown_rseq_once, c_rundown_rseq_decide);
    if (reason != NULL) {
        *reason = c_rundown_rseq_reason;
    }
    return c_rundown_rseq_usable;
}

int c_rundown_rseq_fence(void) {
    if (c_rundown_membarrier(C_RUNDOWN_MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) == 0) {
        return 0;
    }
    int error = errno;
    if (error != EPERM) {
        return error;
    }
    // Not registered: a forked child inherits the parent's decision but not its registration.
    if (c_rundown_membarrier(C_RUNDOWN_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ) != 0) {
        return errno;
    }
    if (c_rundown_membarrier(C_RUNDOWN_MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) == 0) {
        return 0;
    }
    return errno;
}

#else

int c_rundown_rseq_status(const char **reason) {
    if (reason != NULL) {
#if defined(C_RUNDOWN_UNDER_TSAN)
        *reason = "built with ThreadSanitizer, which cannot see the ordering a membarrier gives";
#elif defined(__APPLE__)
        *reason = "Apple platforms have no restartable sequences";
#elif defined(__linux__) && !defined(__GLIBC__)
        *reason = "the C library is not glibc (musl does not register rseq)";
#else
        *reason = "no restartable-sequence code for this processor architecture";
#endif
    }
    return 0;
}

int c_rundown_rseq_fence(void) {
    return ENOSYS;
}

#endif
