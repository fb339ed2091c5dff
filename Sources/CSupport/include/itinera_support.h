#ifndef ITINERA_SUPPORT_H
#define ITINERA_SUPPORT_H

#include <sys/types.h>

/// Signals a process has received since it last asked, as bits (1 << signo).
/// The handlers only set bits: everything else happens in the main loop.
unsigned long itn_signals_take(void);

/// Whether `signo` was received since last asked; clears only that signal's flag.
int itn_signal_take(int signo);

/// Peeks at the received-signal bits without clearing them.
unsigned long itn_signals_peek(void);

/// Installs the flag-setting handler for `signo`, without SA_RESTART so that a blocking
/// accept() or poll() returns EINTR and the main loop can look at the flags.
int itn_signal_catch(int signo);

/// Restores the default disposition of `signo`.
int itn_signal_default(int signo);

/// Ignores `signo` (SIGPIPE: a client that went away must not kill a worker).
int itn_signal_ignore(int signo);

/// Blocks (1) or unblocks (0) SIGTERM, SIGINT, SIGHUP, SIGCHLD and SIGALRM in the calling thread. Called
/// first thing in main, every thread started later inherits the block, so these signals reach
/// only the main thread, and only where it unblocks them (around accept or its sleep).
int itn_signals_block(int blocked);

/* Waits until `fd` is readable with every signal unblocked for the wait only (epoll_pwait), so a
   signal interrupts the wait and nothing else. 1: readable, 0: a signal arrived, -1: error (errno). */
int itn_wait_readable(int fd);

/* Makes `fd` non-blocking (a listening socket shared by several workers: the ones that lose the
   race for a connection get EAGAIN instead of blocking). 0 on success, -1 on error. */
int itn_set_nonblocking(int fd);

/// Arms a one-shot SIGALRM `milliseconds` from now (0 disarms).
int itn_alarm_after_ms(long milliseconds);

/// Starts `path` with `argv` (NULL-terminated) and the current environment plus `extra_env`
/// (NULL-terminated, may be NULL), with `fd_as_stdin` duplicated onto fd 0 and `fd_as_3` onto
/// fd 3 (-1 for neither), default signal dispositions and an empty signal mask. posix_spawn,
/// never a bare fork: a forked copy of a process that runs Dispatch threads is not safe to use.
/// Returns the child pid, or -1 with errno set.
pid_t itn_spawn(const char *path, char *const argv[], char *const extra_env[], int fd_as_stdin, int fd_as_3);

/// Creates an anonymous shared-memory file of `size` bytes (memfd), or -1.
int itn_shared_memory_create(const char *name, size_t size);

#endif
