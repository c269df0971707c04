// Thread affinity and thread state for the latency and throughput benchmarks. In C because Swift's Glibc module
// does not import the GNU extensions (pthread_setaffinity_np, sched_getaffinity, the CPU_SET macros, gettid), and
// syscall(2) is variadic.
#define _GNU_SOURCE
#include "CThreadAffinity.h"

#include <errno.h>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int rundown_benchmarks_pin_current_thread(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return EINVAL;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

int rundown_benchmarks_usable_cpus(int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) {
        return -1;
    }
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) {
            cpus[count++] = cpu;
        }
    }
    return count;
}

long rundown_benchmarks_current_thread_id(void) {
    return (long)syscall(SYS_gettid);
}

int rundown_benchmarks_thread_is_sleeping(long thread_id) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/stat", thread_id);
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return -1;
    }
    char line[512];
    size_t length = fread(line, 1, sizeof line - 1, file);
    fclose(file);
    line[length] = '\0';
    // "tid (comm) S ...": the state follows the last ')', as the command name may contain one.
    char *end = strrchr(line, ')');
    if (end == NULL || end[1] == '\0' || end[2] == '\0') {
        return -1;
    }
    return end[2] == 'S' ? 1 : 0;
}
#else
int rundown_benchmarks_pin_current_thread(int cpu) {
    (void)cpu;
    return ENOSYS;
}

int rundown_benchmarks_usable_cpus(int *cpus, int capacity) {
    (void)cpus;
    (void)capacity;
    return -1;
}

long rundown_benchmarks_current_thread_id(void) {
    return 0;
}

int rundown_benchmarks_thread_is_sleeping(long thread_id) {
    (void)thread_id;
    return -1;
}
#endif
