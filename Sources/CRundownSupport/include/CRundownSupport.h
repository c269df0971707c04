// SPDX-License-Identifier: Apache-2.0
// The C side of the library's platform shim: what Swift cannot call directly or portably. Every function has a branch
// for Linux (glibc and musl) and for Apple platforms; any other platform stops the build in CRundownSupport.c.
#ifndef C_RUNDOWN_SUPPORT_H
#define C_RUNDOWN_SUPPORT_H

#include <stdint.h>

#include "CRundownRseq.h"

/// The CPU the calling thread runs on, for picking a per-CPU slot; -1 if the platform cannot tell.
/// Linux: sched_getcpu() (glibc, musl). Apple: pthread_cpu_number_np() (macOS 11, iOS 14.2 and later).
/// A hint only: the thread may migrate right after the call.
int c_rundown_current_cpu(void);

/// Pins the calling thread to `cpu`, for tests and benchmarks that need threads on distinct CPUs.
/// Linux: pthread_setaffinity_np; returns 0 on success or an errno value. Apple platforms have no affinity API:
/// returns -1, and callers skip what needs pinning.
int c_rundown_pin_current_thread(int cpu);

/// Writes up to `capacity` CPU numbers this process may run on into `cpus`, in ascending order, for tests and
/// benchmarks that place threads. Linux: sched_getaffinity. Returns how many were written, or -1 where the platform
/// cannot tell (Apple platforms).
int c_rundown_usable_cpus(int *_Nonnull cpus, int capacity);

/// The calling thread's id as the system shows it (Linux: gettid, the id in /proc and debuggers; Apple:
/// pthread_threadid_np), for holder reports.
uint64_t c_rundown_thread_id(void);

/// Writes the calling thread's name (pthread_getname_np) into `buffer`, NUL-terminated; an empty string if it has
/// none. For holder reports.
void c_rundown_thread_name(char *_Nonnull buffer, int capacity);

/// Names the calling thread (pthread_setname_np), truncated to what the platform keeps (Linux 15 bytes, Darwin 63) at
/// a UTF-8 character boundary. For tests and examples.
void c_rundown_set_thread_name(const char *_Nonnull name);

/// The body of a thread started by c_rundown_thread_start.
typedef void (*c_rundown_thread_body)(void *_Nullable context);

/// Starts a joinable POSIX thread running `body(context)`, for tests and benchmarks; the same signature on every
/// platform (pthread_t and the start routine's nullability differ between glibc, musl and Darwin).
/// Returns 0 and stores an opaque handle in `*thread`, or returns an errno value.
int c_rundown_thread_start(uintptr_t *_Nonnull thread, c_rundown_thread_body _Nonnull body, void *_Nullable context);

/// Waits for a thread started by c_rundown_thread_start to finish. Returns 0 or an errno value.
int c_rundown_thread_join(uintptr_t thread);

#endif
