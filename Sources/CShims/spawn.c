// Starting a session's process (DESIGN §6): vfork, then only system calls until execve. No Swift
// code, no malloc, no lock runs in the child; identity changes are raw system calls, so that
// glibc's set*id broadcast to the parent's other threads never runs in a child that shares
// their memory.
#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
// Landlock ABI 2 and 3 rights, for kernel headers older than the kernel (values are ABI).
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
// Landlock ABI 6 scopes (values are ABI).
#define SSHD_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define SSHD_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

/// Records the failing step and errno where the parent reads them, and ends the child.
static void __attribute__((noreturn)) spawn_fail(struct sshd_spawn_request *req, int step) {
    req->failed_step = step;
    req->failed_errno = errno;
    _exit(127);
}

static void write_all(int fd, const char *text) {
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n <= 0) return;
        text += n;
        len -= (size_t)n;
    }
}

/// Closes every descriptor from 3 up: close_range(2), or one by one up to the descriptor limit.
static void close_from_three(void) {
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
    struct rlimit limit;
    long top = 65536;
    if (syscall(SYS_getrlimit, RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) top = (long)limit.rlim_cur;
    for (long fd = 3; fd < top; fd++) close((int)fd);
}

/// The child's side: runs on the parent's stack (vfork), so it never returns.
static void __attribute__((noreturn)) spawn_child(struct sshd_spawn_request *req) {
    // Every disposition back to the default (the parent ignores SIGPIPE; ignored dispositions
    // survive execve). The signals glibc keeps for itself refuse with EINVAL, harmlessly.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
    }
    if (setsid() < 0) spawn_fail(req, SSHD_SPAWN_STEP_SETSID);
    // Move the three descriptors clear of 0–2 first, so that no dup2 overwrites another source.
    int moved[3];
    int sources[3] = {req->stdin_fd, req->stdout_fd, req->stderr_fd};
    for (int i = 0; i < 3; i++) {
        moved[i] = fcntl(sources[i], F_DUPFD_CLOEXEC, 3);
        if (moved[i] < 0) spawn_fail(req, SSHD_SPAWN_STEP_DUP);
    }
    for (int i = 0; i < 3; i++) {
        if (dup2(moved[i], i) < 0) spawn_fail(req, SSHD_SPAWN_STEP_DUP);
    }
    if (req->controlling_tty && ioctl(0, TIOCSCTTY, 0) < 0) spawn_fail(req, SSHD_SPAWN_STEP_TTY);
    if (req->change_identity) {
        if (syscall(SYS_setgroups, req->group_count, req->groups) < 0) spawn_fail(req, SSHD_SPAWN_STEP_GROUPS);
        if (syscall(SYS_setresgid, req->gid, req->gid, req->gid) < 0) spawn_fail(req, SSHD_SPAWN_STEP_GID);
        if (syscall(SYS_setresuid, req->uid, req->uid, req->uid) < 0) spawn_fail(req, SSHD_SPAWN_STEP_UID);
        // The change must be permanent: a process that could become root again is refused.
        if (req->uid != 0 && syscall(SYS_setresuid, 0, 0, 0) == 0) {
            errno = EPERM;
            spawn_fail(req, SSHD_SPAWN_STEP_UID);
        }
    }
    if (req->cwd != NULL && chdir(req->cwd) < 0) {
        // OpenSSH's behaviour: say so on the session's stderr and start in "/".
        write_all(2, "Could not chdir to home directory ");
        write_all(2, req->cwd);
        write_all(2, "\n");
        if (chdir("/") < 0) spawn_fail(req, SSHD_SPAWN_STEP_CHDIR);
    }
    if (req->landlock_ruleset >= 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) spawn_fail(req, SSHD_SPAWN_STEP_LANDLOCK);
    if (req->landlock_ruleset >= 0) {
        if (syscall(SYS_landlock_restrict_self, req->landlock_ruleset, 0U) < 0) spawn_fail(req, SSHD_SPAWN_STEP_LANDLOCK);
    }
    close_from_three();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(req->path, req->argv, req->envp);
    spawn_fail(req, SSHD_SPAWN_STEP_EXEC);
}

pid_t sshd_spawn(struct sshd_spawn_request *req) {
    req->failed_step = SSHD_SPAWN_STEP_NONE;
    req->failed_errno = 0;
    // No signal handler may run in the child on the shared stack before execve.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = vfork();
    if (pid == 0) spawn_child(req);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        req->failed_step = SSHD_SPAWN_STEP_FORK;
        req->failed_errno = saved;
        return -1;
    }
    if (req->failed_step != SSHD_SPAWN_STEP_NONE) {
        // The child has ended already (vfork resumes the parent only then or at execve).
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        errno = req->failed_errno;
        return -1;
    }
    return pid;
}

int sshd_openpty(int *master, int *slave, char *name, size_t name_len) {
    if (openpty(master, slave, NULL, NULL, NULL) < 0) return -1;
    if (ptsname_r(*master, name, name_len) != 0) {
        int saved = errno;
        close(*master);
        close(*slave);
        errno = saved;
        return -1;
    }
    int flags = fcntl(*master, F_GETFD);
    fcntl(*master, F_SETFD, flags | FD_CLOEXEC);
    flags = fcntl(*slave, F_GETFD);
    fcntl(*slave, F_SETFD, flags | FD_CLOEXEC);
    return 0;
}

int sshd_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

int sshd_set_window_size(int fd, uint32_t columns, uint32_t rows, uint32_t width, uint32_t height) {
    struct winsize size;
    size.ws_col = columns > 0xFFFF ? 0xFFFF : (unsigned short)columns;
    size.ws_row = rows > 0xFFFF ? 0xFFFF : (unsigned short)rows;
    size.ws_xpixel = width > 0xFFFF ? 0xFFFF : (unsigned short)width;
    size.ws_ypixel = height > 0xFFFF ? 0xFFFF : (unsigned short)height;
    return ioctl(fd, TIOCSWINSZ, &size);
}

pid_t sshd_terminal_foreground_group(int fd) { return tcgetpgrp(fd); }

// MARK: - Terminal modes (RFC 4254 §8, RFC 8160)

/// The control characters by opcode (1–18); -1 where Linux has none.
static const int mode_chars[] = {
    -1, VINTR, VQUIT, VERASE, VKILL, VEOF, VEOL, VEOL2, VSTART, VSTOP, VSUSP, -1, VREPRINT, VWERASE, VLNEXT,
    -1, -1, -1, VDISCARD,
};

/// Sets or clears `flag` in `field` by a mode's value.
static void set_flag(tcflag_t *field, tcflag_t flag, uint32_t value) {
    if (value) *field |= flag; else *field &= ~flag;
}

/// A baud rate constant for a speed in bits per second; 0 when Linux has none that exact.
static speed_t baud(uint32_t bps) {
    static const struct { uint32_t bps; speed_t code; } table[] = {
        {0, B0}, {50, B50}, {75, B75}, {110, B110}, {134, B134}, {150, B150}, {200, B200}, {300, B300},
        {600, B600}, {1200, B1200}, {1800, B1800}, {2400, B2400}, {4800, B4800}, {9600, B9600},
        {19200, B19200}, {38400, B38400}, {57600, B57600}, {115200, B115200}, {230400, B230400},
        {460800, B460800}, {921600, B921600},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].bps == bps) return table[i].code;
    }
    return 0;
}

int sshd_apply_terminal_modes(int fd, const uint8_t *opcodes, const uint32_t *values, size_t count) {
    struct termios tio;
    if (tcgetattr(fd, &tio) < 0) return -1;
    for (size_t i = 0; i < count; i++) {
        uint8_t op = opcodes[i];
        uint32_t v = values[i];
        if (op >= 1 && op <= 18) {
            if (mode_chars[op] >= 0) tio.c_cc[mode_chars[op]] = v == 255 ? _POSIX_VDISABLE : (cc_t)v;
            continue;
        }
        switch (op) {
        case 30: set_flag(&tio.c_iflag, IGNPAR, v); break;
        case 31: set_flag(&tio.c_iflag, PARMRK, v); break;
        case 32: set_flag(&tio.c_iflag, INPCK, v); break;
        case 33: set_flag(&tio.c_iflag, ISTRIP, v); break;
        case 34: set_flag(&tio.c_iflag, INLCR, v); break;
        case 35: set_flag(&tio.c_iflag, IGNCR, v); break;
        case 36: set_flag(&tio.c_iflag, ICRNL, v); break;
        case 37: set_flag(&tio.c_iflag, IUCLC, v); break;
        case 38: set_flag(&tio.c_iflag, IXON, v); break;
        case 39: set_flag(&tio.c_iflag, IXANY, v); break;
        case 40: set_flag(&tio.c_iflag, IXOFF, v); break;
        case 41: set_flag(&tio.c_iflag, IMAXBEL, v); break;
        case 42: set_flag(&tio.c_iflag, IUTF8, v); break;
        case 50: set_flag(&tio.c_lflag, ISIG, v); break;
        case 51: set_flag(&tio.c_lflag, ICANON, v); break;
        case 52: set_flag(&tio.c_lflag, XCASE, v); break;
        case 53: set_flag(&tio.c_lflag, ECHO, v); break;
        case 54: set_flag(&tio.c_lflag, ECHOE, v); break;
        case 55: set_flag(&tio.c_lflag, ECHOK, v); break;
        case 56: set_flag(&tio.c_lflag, ECHONL, v); break;
        case 57: set_flag(&tio.c_lflag, NOFLSH, v); break;
        case 58: set_flag(&tio.c_lflag, TOSTOP, v); break;
        case 59: set_flag(&tio.c_lflag, IEXTEN, v); break;
        case 60: set_flag(&tio.c_lflag, ECHOCTL, v); break;
        case 61: set_flag(&tio.c_lflag, ECHOKE, v); break;
        case 62: set_flag(&tio.c_lflag, PENDIN, v); break;
        case 70: set_flag(&tio.c_oflag, OPOST, v); break;
        case 71: set_flag(&tio.c_oflag, OLCUC, v); break;
        case 72: set_flag(&tio.c_oflag, ONLCR, v); break;
        case 73: set_flag(&tio.c_oflag, OCRNL, v); break;
        case 74: set_flag(&tio.c_oflag, ONOCR, v); break;
        case 75: set_flag(&tio.c_oflag, ONLRET, v); break;
        case 90: if (v) { tio.c_cflag = (tio.c_cflag & ~CSIZE) | CS7; } break;
        case 91: if (v) { tio.c_cflag = (tio.c_cflag & ~CSIZE) | CS8; } break;
        case 92: set_flag(&tio.c_cflag, PARENB, v); break;
        case 93: set_flag(&tio.c_cflag, PARODD, v); break;
        case 128: if (baud(v) || v == 0) cfsetispeed(&tio, baud(v)); break;
        case 129: if (baud(v) || v == 0) cfsetospeed(&tio, baud(v)); break;
        default: break;  // RFC 4254 §8: modes a server does not know are ignored.
        }
    }
    return tcsetattr(fd, TCSANOW, &tio);
}

// MARK: - Landlock (DESIGN §6)

int sshd_landlock_abi(void) {
    return (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
}

/// The file-system rights of Landlock ABI 1–3 (what a sandbox handles and a rule grants).
static uint64_t all_rights(int abi) {
    uint64_t rights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE
        | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE
        | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG
        | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK
        | LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (abi >= 2) rights |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
    return rights;
}

static const uint64_t read_rights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;

/// Grants `rights` beneath `path` (or on the file itself); a path that does not exist is skipped.
static int add_path_rule(int ruleset, const char *path, uint64_t rights) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
        rights &= LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE
            | LANDLOCK_ACCESS_FS_TRUNCATE;
    }
    struct landlock_path_beneath_attr rule = {.allowed_access = rights, .parent_fd = fd};
    long rc = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc < 0 ? -1 : 0;
}

int sshd_landlock_ruleset(char *const *writable, size_t writable_count, char *const *readable, size_t readable_count) {
    int abi = sshd_landlock_abi();
    if (abi < 1) return -1;
    int scopes = abi;
    if (abi > 3) abi = 3;
    uint64_t handled = all_rights(abi);
    // ABI 6 scopes signals and abstract Unix sockets to the session's own domain: it cannot
    // signal the daemon or another session run as the same user. The struct grows by ABI; the
    // kernel takes the size given.
    struct {
        uint64_t handled_access_fs;
        uint64_t handled_access_net;
        uint64_t scoped;
    } attr = {.handled_access_fs = handled, .handled_access_net = 0, .scoped = SSHD_LANDLOCK_SCOPE_SIGNAL | SSHD_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET};
    size_t size = scopes >= 6 ? sizeof attr : sizeof attr.handled_access_fs;
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0) return -1;
    for (size_t i = 0; i < writable_count; i++) {
        if (add_path_rule(ruleset, writable[i], handled) < 0) goto fail;
    }
    for (size_t i = 0; i < readable_count; i++) {
        if (add_path_rule(ruleset, readable[i], read_rights) < 0) goto fail;
    }
    fcntl(ruleset, F_SETFD, FD_CLOEXEC);
    return ruleset;
fail:;
    int saved = errno;
    close(ruleset);
    errno = saved;
    return -1;
}
