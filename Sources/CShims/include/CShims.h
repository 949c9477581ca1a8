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

/// glibc's mallopt(M_TRIM_THRESHOLD) and mallopt(M_MMAP_THRESHOLD), in bytes, and
/// mallopt(M_ARENA_MAX); 1 when all three took.
int sshd_heap_settings(int trim_threshold, int mmap_threshold, int arenas);

/// Bytes in free chunks of every malloc arena (glibc's mallinfo2().fordblks), given back to the
/// kernel or not.
size_t sshd_heap_free_bytes(void);

/// glibc's malloc_trim(0): gives every free page of every arena back; 1 when any was.
int sshd_heap_trim(void);

/// Loads the OpenSSL `default` and `legacy` providers once; returns 1 on success.
/// Loading any provider explicitly disables the implicit default one, so both are loaded.
int sshd_load_providers(void);

/// Frees memory that OpenSSL allocated (OPENSSL_free is a macro).
void sshd_openssl_free(void *ptr);

/// The last OpenSSL error as text in `buf` (NUL-terminated), and clears the error queue.
void sshd_openssl_last_error(char *buf, size_t len);

// MARK: kex

/// Keys are OpenSSL `EVP_PKEY`s (opaque here, so this header needs no OpenSSL include).
struct evp_pkey_st;

/// A fresh key pair of `algorithm` ("X25519", "EC"); `group` is the named group for EC
/// ("P-256", "P-384", "P-521"), NULL for X25519. NULL on failure.
struct evp_pkey_st *sshd_kex_generate(const char *algorithm, const char *group);

/// A fresh Diffie-Hellman key pair in the named group (`modp_2048`, …) with a private exponent of
/// `private_bits` bits (0: OpenSSL's default). NULL on failure.
struct evp_pkey_st *sshd_kex_dh_generate_named(const char *group, int private_bits);

/// A fresh Diffie-Hellman key pair over explicit domain parameters (big-endian `p`, `g`), with a
/// private exponent of `private_bits` bits (0: OpenSSL's default). NULL on failure.
struct evp_pkey_st *sshd_kex_dh_generate_explicit(const uint8_t *p, size_t p_len, const uint8_t *g,
                                                  size_t g_len, int private_bits);

/// The peer's DH public key over the same domain parameters as `own` (its named group if it has
/// one, else its p and g), from the big-endian public value. NULL on failure.
struct evp_pkey_st *sshd_kex_dh_peer_key(const struct evp_pkey_st *own, const uint8_t *pub, size_t pub_len);

/// An EC public key on the named `group` from an encoded point, after OpenSSL's full public-key
/// check (on the curve, not the point at infinity, right order). NULL when any step fails.
struct evp_pkey_st *sshd_kex_ec_public_key(const char *group, const uint8_t *point, size_t point_len);

/// An EC key pair on `group` from a big-endian private scalar and its encoded public point,
/// after OpenSSL's pairwise check. NULL on failure.
struct evp_pkey_st *sshd_kex_ec_key_pair(const char *group, const uint8_t *priv, size_t priv_len,
                                         const uint8_t *point, size_t point_len);

// MARK: keys

#include <openssl/evp.h>

/// The EVP_PKEY_PUBLIC_KEY selection for EVP_PKEY_fromdata (a compound macro Swift cannot import).
int sshd_evp_pkey_selection_public_key(void);

/// The EVP_PKEY_KEYPAIR selection for EVP_PKEY_fromdata (a compound macro Swift cannot import).
int sshd_evp_pkey_selection_keypair(void);

/// Reads one PEM private key (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 or legacy encrypted PEM)
/// from `len` bytes at `pem`. `passphrase` (of `passphrase_len` bytes, no NUL needed) decrypts an
/// encrypted key; when it is NULL an encrypted key fails instead of prompting on a terminal, which
/// OpenSSL's default callback would do. Returns NULL on failure (the error queue says why); the
/// caller frees the key with EVP_PKEY_free.
EVP_PKEY *sshd_pem_read_private_key(const void *pem, size_t len, const char *passphrase, size_t passphrase_len);


// MARK: reactor

#include <sys/types.h>

/// epoll_ctl with the event packed here: `events` is the EPOLL* mask, `data` goes into
/// `epoll_data.u64` (the packed `struct epoll_event` and its union stay on the C side).
int sshd_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);

/// epoll_wait into two parallel arrays of at most `max_events` entries (clamped to
/// SSHD_EPOLL_MAX_BATCH): the EPOLL* masks and the `epoll_data.u64` values. Returns what
/// epoll_wait returns, with errno set on -1.
int sshd_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max_events, int timeout_ms);

/// The largest batch sshd_epoll_wait takes in one call (its stack buffer).
#define SSHD_EPOLL_MAX_BATCH 1024

/// accept4 (declared only under _GNU_SOURCE). `addr` points at a sockaddr_storage.
int sshd_accept4(int fd, void *addr, uint32_t *addr_len, int flags);

/// SIGRTMIN and SIGRTMAX (function-like macros in glibc).
int sshd_sigrtmin(void);
int sshd_sigrtmax(void);

/// The wait-status macros of <sys/wait.h>.
int sshd_wifexited(int status);
int sshd_wexitstatus(int status);
int sshd_wifsignaled(int status);
int sshd_wtermsig(int status);
int sshd_wcoredump(int status);

// MARK: - Confined file system (SFTP; docs/decisions/0004)

/// openat2(2) through syscall(2) (glibc has no wrapper): `resolve` is a mask of RESOLVE_* flags.
/// Returns the descriptor, or -1 with errno set.
int sshd_openat2(int dirfd, const char *path, int flags, unsigned int mode, uint64_t resolve);

/// renameat2(2) with RENAME_NOREPLACE when `noreplace` is non-zero. Returns 0 or -1 with errno.
int sshd_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int noreplace);

/// RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS from <linux/openat2.h>.
uint64_t sshd_resolve_in_root(void);

/// O_PATH and UTIME_OMIT (declared only under _GNU_SOURCE / as macros).
int sshd_o_path(void);
long sshd_utime_omit(void);


/// crypt_r(3): hashes `password` with `setting` (a crypt string or a salt from
/// sshd_crypt_gensalt) into `out`, NUL-terminated. Returns 0, or -1 when the setting is not a
/// method libxcrypt knows or `out` is too small (CRYPT_OUTPUT_SIZE = 384 is enough).
int sshd_crypt(const char *password, const char *setting, char *out, size_t out_size);
/// crypt_gensalt_rn(3): a new salt string for `prefix` ("$y$" yescrypt, "$6$" sha512-crypt,
/// "$2b$" bcrypt) with `rounds` (0 = the method's default). Returns 0 or -1.
int sshd_crypt_gensalt(const char *prefix, unsigned long rounds, char *out, size_t out_size);

// MARK: - Sessions (DESIGN §6)

/// The step of sshd_spawn that failed (`failed_step`), so the caller can say what went wrong.
enum {
    SSHD_SPAWN_STEP_NONE = 0,
    SSHD_SPAWN_STEP_FORK,
    SSHD_SPAWN_STEP_SETSID,
    SSHD_SPAWN_STEP_DUP,
    SSHD_SPAWN_STEP_TTY,
    SSHD_SPAWN_STEP_GROUPS,
    SSHD_SPAWN_STEP_GID,
    SSHD_SPAWN_STEP_UID,
    SSHD_SPAWN_STEP_CHDIR,
    SSHD_SPAWN_STEP_LANDLOCK,
    SSHD_SPAWN_STEP_EXEC,
};

/// What sshd_spawn starts. Every pointer stays valid for the call; the strings are NUL-terminated
/// and `argv`/`envp` NULL-terminated.
struct sshd_spawn_request {
    const char *path;
    char *const *argv;
    char *const *envp;
    /// The working directory; NULL keeps the daemon's. When it cannot be entered the child says
    /// so on its stderr and starts in "/" (OpenSSH's behaviour).
    const char *cwd;
    /// Descriptors that become the child's 0, 1 and 2 (the same one three times for a pty).
    int stdin_fd, stdout_fd, stderr_fd;
    /// Non-zero: descriptor 0 (a pty slave) becomes the controlling terminal of the new session.
    int controlling_tty;
    /// Non-zero: setgroups, setresgid and setresuid to these before execve.
    int change_identity;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t group_count;
    /// A Landlock ruleset to restrict the child to (with no_new_privs), or -1.
    int landlock_ruleset;
    /// Set by sshd_spawn: the step that failed and its errno.
    int failed_step;
    int failed_errno;
};

/// Starts `req->path` in a new session (setsid) with the request's descriptors as 0–1–2, every
/// other descriptor closed, default signal dispositions and an empty signal mask. vfork: only
/// system calls run between fork and execve. Returns the pid, or -1 with errno and
/// `req->failed_step` set (the failed child has been reaped).
pid_t sshd_spawn(struct sshd_spawn_request *req);

/// openpty(3) with both ends close-on-exec; the slave's path into `name`. 0 or -1 with errno.
int sshd_openpty(int *master, int *slave, char *name, size_t name_len);

/// pipe2(2) (declared only under _GNU_SOURCE): `flags` of O_CLOEXEC and O_NONBLOCK.
int sshd_pipe2(int fds[2], int flags);

/// TIOCSWINSZ: columns, rows and pixel sizes (clamped to 65535).
int sshd_set_window_size(int fd, uint32_t columns, uint32_t rows, uint32_t width, uint32_t height);

/// The terminal's foreground process group (tcgetpgrp), or -1.
pid_t sshd_terminal_foreground_group(int fd);

/// Applies RFC 4254 §8 terminal modes (opcodes with their values) to the terminal `fd`; modes
/// Linux lacks are ignored. 0 or -1 with errno.
int sshd_apply_terminal_modes(int fd, const uint8_t *opcodes, const uint32_t *values, size_t count);

/// The Landlock ABI version the kernel offers, or -1 when it has none.
int sshd_landlock_abi(void);

/// A Landlock ruleset that allows everything beneath `writable` and reading and executing beneath
/// `readable` (paths that do not exist are skipped), and nothing else on the file system.
/// Returns its close-on-exec descriptor, or -1 with errno.
int sshd_landlock_ruleset(char *const *writable, size_t writable_count, char *const *readable, size_t readable_count);

#endif
