#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int sshd_tcp_listen_ipv4(const char *host, uint16_t port, int backlog, uint16_t *bound_port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { close(fd); errno = EINVAL; return -1; }
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, backlog) != 0) {
        int saved = errno; close(fd); errno = saved; return -1;
    }
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0) { int saved = errno; close(fd); errno = saved; return -1; }
    *bound_port = ntohs(addr.sin_port);
    return fd;
}

int sshd_tcp_accept(int listener, char *address, size_t address_len, uint16_t *port) {
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    int fd;
    do { fd = accept4(listener, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC); } while (fd < 0 && errno == EINTR);
    if (fd < 0) return -1;
    address[0] = 0;
    *port = 0;
    if (peer.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&peer;
        inet_ntop(AF_INET, &in->sin_addr, address, (socklen_t)address_len);
        *port = ntohs(in->sin_port);
    } else if (peer.ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&peer;
        inet_ntop(AF_INET6, &in6->sin6_addr, address, (socklen_t)address_len);
        *port = ntohs(in6->sin6_port);
    }
    return fd;
}
