// SPDX-License-Identifier: Apache-2.0
// Thread state for the latency benchmarks. In C because syscall(2) is variadic and Swift cannot call it.
#if defined(__linux__)
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(__APPLE__)
#else
#error "the benchmarks support Linux (glibc, musl) and Apple platforms"
#endif
#include "CThreadState.h"

long rundown_benchmarks_current_thread_id(void) {
#if defined(__linux__)
    return (long)syscall(SYS_gettid);
#elif defined(__APPLE__)
    return 0;
#endif
}

int rundown_benchmarks_thread_is_sleeping(long thread_id) {
#if defined(__linux__)
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
#elif defined(__APPLE__)
    (void)thread_id;
    return -1;
#endif
}
