// SPDX-License-Identifier: Apache-2.0
#if defined(__linux__)
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#elif defined(__APPLE__)
#include <malloc/malloc.h>
#include <pthread.h>
#include <unistd.h>
#else
#error "CRundownTestSupport supports Linux (glibc, musl) and Apple platforms"
#endif
#include <errno.h>
#include <stdlib.h>
#include "CRundownTestSupport.h"

int c_rundown_test_pin_current_thread(int cpu) {
#if defined(__linux__)
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return EINVAL;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
#elif defined(__APPLE__)
    (void)cpu;
    return -1;
#endif
}

int c_rundown_test_usable_cpus(int *cpus, int capacity) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        return -1;
    }
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) {
            cpus[count++] = cpu;
        }
    }
    return count;
#elif defined(__APPLE__)
    (void)cpus;
    (void)capacity;
    return -1;
#endif
}

int c_rundown_test_processor_count(void) {
    long count = sysconf(_SC_NPROCESSORS_CONF);
    return count > 0 ? (int)count : 1;
}

size_t c_rundown_test_allocated_size(const void *pointer) {
#if defined(__linux__)
    return malloc_usable_size((void *)pointer);
#elif defined(__APPLE__)
    return malloc_size(pointer);
#endif
}

void c_rundown_test_set_thread_name(const char *name) {
    // The longest name the platform keeps, terminating NUL included: longer names are truncated here, at a UTF-8
    // character boundary, rather than refused (Darwin's pthread_setname_np fails with ENAMETOOLONG at 64 bytes).
#if defined(__linux__)
    enum { capacity = 16 };
#elif defined(__APPLE__)
    enum { capacity = 64 };
#endif
    char truncated[capacity];
    size_t length = 0;
    while (length < capacity - 1 && name[length] != '\0') {
        truncated[length] = name[length];
        length++;
    }
    if (name[length] != '\0') {
        // The limit may split the last character: find where it starts (its lead byte is not 10xxxxxx) and how
        // long its lead byte says it is; drop it unless all of it was kept.
        size_t start = length;
        while (start > 0 && ((unsigned char)truncated[start - 1] & 0xC0) == 0x80) {
            start--;
        }
        if (start > 0) {
            unsigned char lead = (unsigned char)truncated[start - 1];
            size_t expected = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (length - (start - 1) < expected) {
                length = start - 1;
            }
        }
    }
    truncated[length] = '\0';
#if defined(__linux__)
    (void)pthread_setname_np(pthread_self(), truncated);
#elif defined(__APPLE__)
    (void)pthread_setname_np(truncated);
#endif
}

struct c_rundown_test_thread_start_context {
    c_rundown_test_thread_body body;
    void *context;
};

static void *c_rundown_test_thread_main(void *argument) {
    struct c_rundown_test_thread_start_context start = *(struct c_rundown_test_thread_start_context *)argument;
    free(argument);
    start.body(start.context);
    return NULL;
}

int c_rundown_test_thread_start(uintptr_t *thread, c_rundown_test_thread_body body, void *context) {
    struct c_rundown_test_thread_start_context *start = malloc(sizeof(*start));
    if (start == NULL) {
        return ENOMEM;
    }
    start->body = body;
    start->context = context;
    pthread_t handle;
    int result = pthread_create(&handle, NULL, c_rundown_test_thread_main, start);
    if (result != 0) {
        free(start);
        return result;
    }
    *thread = (uintptr_t)handle;
    return 0;
}

int c_rundown_test_thread_join(uintptr_t thread) {
    return pthread_join((pthread_t)thread, NULL);
}
