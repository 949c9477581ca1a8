// Thin C adapters for the Swift layers: macros made functions, Linux headers that the Glibc
// module does not export. Every symbol carries the `sshd_` prefix (STYLE §6).
#ifndef SWIFT_SSHD_CSHIMS_H
#define SWIFT_SSHD_CSHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

/// Wipes `len` bytes at `ptr` so the compiler cannot elide it (OPENSSL_cleanse).
void sshd_cleanse(void *ptr, size_t len);

/// Constant-time comparison of `len` bytes; 0 when equal (CRYPTO_memcmp).
int sshd_memcmp_consttime(const void *a, const void *b, size_t len);

/// Loads the OpenSSL `default` and `legacy` providers once; returns 1 on success.
/// Loading any provider explicitly disables the implicit default one, so both are loaded.
int sshd_load_providers(void);

/// Frees memory that OpenSSL allocated (OPENSSL_free is a macro).
void sshd_openssl_free(void *ptr);

/// The last OpenSSL error as text in `buf` (NUL-terminated), and clears the error queue.
void sshd_openssl_last_error(char *buf, size_t len);

#endif

// MARK: sockets
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

/// Opens a blocking TCP listener on IPv4 `host`:`port` (0 = kernel-chosen) with SO_REUSEADDR and
/// close-on-exec; returns the fd and stores the bound port, or -1 with errno set.
int sshd_tcp_listen_ipv4(const char *host, uint16_t port, int backlog, uint16_t *bound_port);

/// accept4 with SOCK_CLOEXEC; stores the peer's address text (at least INET6_ADDRSTRLEN bytes) and port.
int sshd_tcp_accept(int listener, char *address, size_t address_len, uint16_t *port);
