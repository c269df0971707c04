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

/// The calling thread's id as the system shows it (Linux: gettid, the id in /proc and debuggers; Apple:
/// pthread_threadid_np), for holder reports.
uint64_t c_rundown_thread_id(void);

/// Writes the calling thread's name (pthread_getname_np) into `buffer`, NUL-terminated; an empty string if it has
/// none. For holder reports.
void c_rundown_thread_name(char *_Nonnull buffer, int capacity);

/// The concurrency runtime's current task (what `withUnsafeCurrentTask` reads), or NULL outside a task; not retained.
/// An entry point of the Swift runtime's ABI, declared here with its calling convention, for holder records, which keep
/// the task's address as its identity.
extern void *_Nullable swift_task_getCurrent(void) __attribute__((swiftcall));

/// The calling task's address, or NULL outside a task.
static inline __attribute__((always_inline)) const void *_Nullable c_rundown_current_task(void) {
    return swift_task_getCurrent();
}

/// The calling thread's holder-record slab (an opaque +1 reference the Swift side owns), NULL until it sets one.
extern _Thread_local void *_Nullable c_rundown_thread_slab_value;

/// The calling thread's holder-record slab: one thread-local read.
static inline __attribute__((always_inline)) void *_Nullable c_rundown_thread_slab(void) {
    return c_rundown_thread_slab_value;
}

/// Sets the calling thread's holder-record slab; when the thread exits, `on_exit` is called with it (through a
/// thread-specific data key whose destructor the first call installs). Returns 0, or an errno value.
int c_rundown_set_thread_slab(void *_Nonnull slab, void (*_Nonnull on_exit)(void *_Nonnull slab));

/// The body of a thread started by c_rundown_start_detached_thread.
typedef void (*c_rundown_thread_body)(void *_Nullable context);

/// Starts a detached POSIX thread named `name` (truncated to what the platform keeps) running `body(context)`, for
/// the library's one timer thread. Returns 0, or an errno value.
int c_rundown_start_detached_thread(
    c_rundown_thread_body _Nonnull body,
    void *_Nullable context,
    const char *_Nonnull name
);

#endif
