// SPDX-License-Identifier: Apache-2.0
#ifndef C_THREAD_STATE_H
#define C_THREAD_STATE_H

// Thread state for the latency benchmarks: whether a waiter's thread is really asleep in the kernel. (Placing and
// pinning threads is the package's test support: `RundownTestThread`.)

/// The kernel's id of the calling thread (Linux), or 0 where the platform has none.
long rundown_benchmarks_current_thread_id(void);

/// Whether the thread `thread_id` of this process is asleep (Linux: state `S` in /proc/self/task/ID/stat).
/// Returns 1 if it is, 0 if it is not, -1 where the platform cannot tell (Apple platforms).
int rundown_benchmarks_thread_is_sleeping(long thread_id);

#endif
