#if defined(__linux__)
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#else
#include <stdatomic.h>
#endif
#include "CRundownSupport.h"

int c_rundown_current_cpu(void) {
#if defined(__linux__)
    return sched_getcpu();
#else
    // No portable "current CPU": give each thread its own index, handed out round-robin on first use.
    static _Atomic int next_index = 0;
    static _Thread_local int index = -1;
    if (index < 0) {
        index = atomic_fetch_add_explicit(&next_index, 1, memory_order_relaxed) & 0x7fffffff;
    }
    return index;
#endif
}

int c_rundown_pin_current_thread(int cpu) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
#else
    (void)cpu;
    return -1;
#endif
}
