// openat2 and renameat2 for the confined SFTP file system (docs/decisions/0004).
#define _GNU_SOURCE
#include "CShims.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int sshd_openat2(int dirfd, const char *path, int flags, unsigned int mode, uint64_t resolve) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(unsigned int)flags;
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = resolve;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int sshd_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int noreplace) {
    return renameat2(olddirfd, oldpath, newdirfd, newpath, noreplace ? RENAME_NOREPLACE : 0);
}

uint64_t sshd_resolve_in_root(void) { return RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS; }

int sshd_o_path(void) { return O_PATH; }

long sshd_utime_omit(void) { return UTIME_OMIT; }
