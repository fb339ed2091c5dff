#define _GNU_SOURCE
#include "itinera_support.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>
#include <pthread.h>

extern char **environ;

static volatile sig_atomic_t received[65];

static void itn_on_signal(int signo) {
    if (signo > 0 && signo < 65) received[signo] = 1;
}

unsigned long itn_signals_take(void) {
    unsigned long bits = 0;
    for (int s = 1; s < 64; s++) {
        if (received[s]) {
            received[s] = 0;
            bits |= 1UL << s;
        }
    }
    return bits;
}

int itn_signal_take(int signo) {
    if (signo <= 0 || signo >= 64 || !received[signo]) return 0;
    received[signo] = 0;
    return 1;
}

unsigned long itn_signals_peek(void) {
    unsigned long bits = 0;
    for (int s = 1; s < 64; s++) {
        if (received[s]) bits |= 1UL << s;
    }
    return bits;
}

int itn_signal_catch(int signo) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = itn_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    return sigaction(signo, &sa, NULL);
}

int itn_signal_default(int signo) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    return sigaction(signo, &sa, NULL);
}

int itn_signal_ignore(int signo) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    return sigaction(signo, &sa, NULL);
}

pid_t itn_spawn(const char *path, char *const argv[], char *const extra_env[], int fd_as_stdin, int fd_as_3) {
    size_t base = 0, extra = 0;
    while (environ && environ[base]) base++;
    while (extra_env && extra_env[extra]) extra++;
    char **envp = calloc(base + extra + 1, sizeof(char *));
    if (!envp) return -1;
    size_t n = 0;
    for (size_t i = 0; i < extra; i++) envp[n++] = extra_env[i];
    for (size_t i = 0; i < base; i++) {
        /* An extra variable overrides an inherited one of the same name. */
        const char *eq = strchr(environ[i], '=');
        size_t keylen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        int overridden = 0;
        for (size_t j = 0; j < extra; j++) {
            if (strncmp(extra_env[j], environ[i], keylen) == 0 && extra_env[j][keylen] == '=') {
                overridden = 1;
                break;
            }
        }
        if (!overridden) envp[n++] = environ[i];
    }
    envp[n] = NULL;

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    /* glibc clears FD_CLOEXEC when source and target are the same descriptor. */
    if (fd_as_stdin >= 0) posix_spawn_file_actions_adddup2(&actions, fd_as_stdin, 0);
    if (fd_as_3 >= 0) posix_spawn_file_actions_adddup2(&actions, fd_as_3, 3);

    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    pid_t pid = -1;
    int rc = posix_spawn(&pid, path, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    free(envp);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return pid;
}

int itn_signals_block(int blocked) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGALRM);
    return pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

int itn_wait_readable(int fd) {
    /* One epoll instance per process, watching `fd` with EPOLLEXCLUSIVE: a new connection on a
       socket several workers share wakes one of them, not all. */
    static int epoll_fd = -1;
    static int watched = -1;
    if (epoll_fd < 0) {
        epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (epoll_fd < 0) return -1;
    }
    if (watched != fd) {
        struct epoll_event interest = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data = {.fd = fd}};
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &interest) != 0) return -1;
        watched = fd;
    }
    struct epoll_event event;
    sigset_t none;
    sigemptyset(&none);
    int ready = epoll_pwait(epoll_fd, &event, 1, -1, &none);
    if (ready > 0) return 1;
    if (ready < 0 && errno == EINTR) return 0;
    return -1;
}

int itn_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int itn_shared_memory_create(const char *name, size_t size) {
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (ftruncate(fd, (off_t)size) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int itn_alarm_after_ms(long milliseconds) {
    struct itimerval timer;
    memset(&timer, 0, sizeof timer);
    timer.it_value.tv_sec = milliseconds / 1000;
    timer.it_value.tv_usec = (milliseconds % 1000) * 1000;
    return setitimer(ITIMER_REAL, &timer, NULL);
}
