#ifndef C_THREAD_AFFINITY_H
#define C_THREAD_AFFINITY_H

// Thread placement and thread state for the benchmarks: what Swift's Glibc module does not import.

/// Pins the calling thread to `cpu`. Returns 0, or an errno value (ENOSYS where the platform has no affinity call).
int rundown_benchmarks_pin_current_thread(int cpu);

/// Writes up to `capacity` CPU numbers this process may run on into `cpus`, in ascending order.
/// Returns how many were written, or -1 where the platform cannot tell.
int rundown_benchmarks_usable_cpus(int *cpus, int capacity);

/// The kernel's id of the calling thread (Linux), or 0 where the platform has none.
long rundown_benchmarks_current_thread_id(void);

/// Whether the thread `thread_id` of this process is asleep (Linux: state `S` in /proc/self/task/ID/stat).
/// Returns 1 if it is, 0 if it is not, -1 where the platform cannot tell.
int rundown_benchmarks_thread_is_sleeping(long thread_id);

#endif
