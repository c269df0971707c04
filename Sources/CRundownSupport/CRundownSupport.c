// SPDX-License-Identifier: Apache-2.0
#if defined(__linux__)
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(__APPLE__)
#include <pthread.h>
#else
#error "CRundownSupport supports Linux (glibc, musl) and Apple platforms"
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "CRundownSupport.h"

int c_rundown_current_cpu(void) {
#if defined(__linux__)
    return sched_getcpu();
#elif defined(__APPLE__)
    size_t cpu = 0;
    return pthread_cpu_number_np(&cpu) == 0 ? (int)cpu : -1;
#endif
}

uint64_t c_rundown_thread_id(void) {
#if defined(__linux__)
    return (uint64_t)syscall(SYS_gettid);
#elif defined(__APPLE__)
    uint64_t id = 0;
    pthread_threadid_np(NULL, &id);
    return id;
#endif
}

void c_rundown_thread_name(char *buffer, int capacity) {
    if (capacity <= 0) {
        return;
    }
    buffer[0] = '\0';
#if defined(__linux__) || defined(__APPLE__)
    if (pthread_getname_np(pthread_self(), buffer, (size_t)capacity) != 0) {
        buffer[0] = '\0';
    }
    buffer[capacity - 1] = '\0';
#endif
}

struct c_rundown_detached_start {
    c_rundown_thread_body body;
    void *context;
    char name[16];
};

static void *c_rundown_detached_main(void *argument) {
    struct c_rundown_detached_start start = *(struct c_rundown_detached_start *)argument;
    free(argument);
#if defined(__linux__)
    (void)pthread_setname_np(pthread_self(), start.name);
#elif defined(__APPLE__)
    (void)pthread_setname_np(start.name);
#endif
    start.body(start.context);
    return NULL;
}

int c_rundown_start_detached_thread(c_rundown_thread_body body, void *context, const char *name) {
    struct c_rundown_detached_start *start = malloc(sizeof(*start));
    if (start == NULL) {
        return ENOMEM;
    }
    start->body = body;
    start->context = context;
    // The library's own thread names are ASCII and short: cut at 15 bytes, which every platform keeps.
    strncpy(start->name, name, sizeof(start->name) - 1);
    start->name[sizeof(start->name) - 1] = '\0';
    pthread_attr_t attributes;
    int result = pthread_attr_init(&attributes);
    if (result == 0) {
        result = pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    }
    pthread_t thread;
    if (result == 0) {
        result = pthread_create(&thread, &attributes, c_rundown_detached_main, start);
    }
    (void)pthread_attr_destroy(&attributes);
    if (result != 0) {
        free(start);
    }
    return result;
}

_Thread_local void *c_rundown_thread_slab_value;

static pthread_key_t c_rundown_slab_key;
static pthread_once_t c_rundown_slab_key_once = PTHREAD_ONCE_INIT;
static int c_rundown_slab_key_result;
static void (*c_rundown_slab_exit)(void *);

static void c_rundown_slab_destructor(void *slab) {
    void (*on_exit)(void *) = __atomic_load_n(&c_rundown_slab_exit, __ATOMIC_ACQUIRE);
    if (slab != NULL && on_exit != NULL) {
        c_rundown_thread_slab_value = NULL;
        on_exit(slab);
    }
}

static void c_rundown_make_slab_key(void) {
    c_rundown_slab_key_result = pthread_key_create(&c_rundown_slab_key, c_rundown_slab_destructor);
}

int c_rundown_set_thread_slab(void *slab, void (*on_exit)(void *slab)) {
    (void)pthread_once(&c_rundown_slab_key_once, c_rundown_make_slab_key);
    if (c_rundown_slab_key_result != 0) {
        return c_rundown_slab_key_result;
    }
    // Every caller passes the same function; an atomic store, so that threads setting it at once do not race.
    __atomic_store_n(&c_rundown_slab_exit, on_exit, __ATOMIC_RELEASE);
    int result = pthread_setspecific(c_rundown_slab_key, slab);
    if (result == 0) {
        c_rundown_thread_slab_value = slab;
    }
    return result;
}
