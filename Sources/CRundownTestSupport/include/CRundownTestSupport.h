// SPDX-License-Identifier: Apache-2.0
// The C side of the package's test support (tests and benchmarks, never the library): starting, joining, pinning and
// naming threads, and what the allocator handed out. Every function has a branch for Linux (glibc and musl) and for
// Apple platforms; any other platform stops the build in CRundownTestSupport.c.
#ifndef C_RUNDOWN_TEST_SUPPORT_H
#define C_RUNDOWN_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/// Pins the calling thread to `cpu`, for tests and benchmarks that need threads on distinct CPUs.
/// Linux: pthread_setaffinity_np; returns 0 on success or an errno value. Apple platforms have no affinity API:
/// returns -1, and callers skip what needs pinning.
int c_rundown_test_pin_current_thread(int cpu);

/// Writes up to `capacity` CPU numbers this process may run on into `cpus`, in ascending order. Linux:
/// sched_getaffinity. Returns how many were written, or -1 where the platform cannot tell (Apple platforms).
int c_rundown_test_usable_cpus(int *_Nonnull cpus, int capacity);

/// The number of processors the system is configured with (sysconf), at least 1.
int c_rundown_test_processor_count(void);

/// Names the calling thread (pthread_setname_np), truncated to what the platform keeps (Linux 15 bytes, Darwin 63)
/// at a UTF-8 character boundary rather than refused.
void c_rundown_test_set_thread_name(const char *_Nonnull name);

/// The body of a thread started by c_rundown_test_thread_start.
typedef void (*c_rundown_test_thread_body)(void *_Nullable context);

/// Starts a joinable POSIX thread running `body(context)`; the same signature on every platform (pthread_t and the
/// start routine's nullability differ between glibc, musl and Darwin). Returns 0 and stores an opaque handle in
/// `*thread`, or returns an errno value.
int c_rundown_test_thread_start(
    uintptr_t *_Nonnull thread,
    c_rundown_test_thread_body _Nonnull body,
    void *_Nullable context
);

/// Waits for a thread started by c_rundown_test_thread_start to finish. Returns 0 or an errno value.
int c_rundown_test_thread_join(uintptr_t thread);

/// The bytes the allocator handed out for the block at `pointer` (malloc_usable_size, malloc_size): at least what
/// was asked for.
size_t c_rundown_test_allocated_size(const void *_Nonnull pointer);

#endif
