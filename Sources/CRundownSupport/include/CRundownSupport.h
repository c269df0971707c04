#ifndef C_RUNDOWN_SUPPORT_H
#define C_RUNDOWN_SUPPORT_H

/// The CPU the calling thread runs on (Linux: sched_getcpu, -1 on failure), for picking a per-CPU slot;
/// elsewhere a small per-thread index handed out round-robin.
/// A hint only: the thread may migrate right after the call.
int c_rundown_current_cpu(void);

/// Pins the calling thread to `cpu` (Linux: pthread_setaffinity_np). For tests and benchmarks that need threads on
/// distinct CPUs. Returns 0 on success, an errno value on failure, -1 where the platform cannot pin.
int c_rundown_pin_current_thread(int cpu);

#endif
