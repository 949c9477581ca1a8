// C adapters for the Reactor target: the packed epoll_event, accept4, and function-like macros.
#define _GNU_SOURCE
#include "CShims.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

int sshd_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &event);
}

int sshd_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max_events, int timeout_ms) {
    struct epoll_event batch[SSHD_EPOLL_MAX_BATCH];
    if (max_events > SSHD_EPOLL_MAX_BATCH) max_events = SSHD_EPOLL_MAX_BATCH;
    if (max_events < 1) max_events = 1;
    int count = epoll_wait(epfd, batch, max_events, timeout_ms);
    for (int i = 0; i < count; i++) {
        events[i] = batch[i].events;
        data[i] = batch[i].data.u64;
    }
    return count;
}

int sshd_accept4(int fd, void *addr, uint32_t *addr_len, int flags) {
    socklen_t len = *addr_len;
    int result = accept4(fd, (struct sockaddr *)addr, &len, flags);
    *addr_len = len;
    return result;
}

int sshd_sigrtmin(void) { return SIGRTMIN; }
int sshd_sigrtmax(void) { return SIGRTMAX; }

int sshd_wifexited(int status) { return WIFEXITED(status); }
int sshd_wexitstatus(int status) { return WEXITSTATUS(status); }
int sshd_wifsignaled(int status) { return WIFSIGNALED(status); }
int sshd_wtermsig(int status) { return WTERMSIG(status); }
int sshd_wcoredump(int status) { return WCOREDUMP(status); }
