// crypt(3) through libxcrypt's reentrant calls: users-file password hashes (yescrypt,
// sha512-crypt, bcrypt).
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include "CShims.h"

int sshd_crypt(const char *password, const char *setting, char *out, size_t out_size) {
    struct crypt_data *data = calloc(1, sizeof *data);
    if (data == NULL) return -1;
    int status = -1;
    const char *result = crypt_r(password, setting, data);
    // libxcrypt signals failure with NULL or a string starting with '*'.
    if (result != NULL && result[0] != '*' && strlen(result) < out_size) {
        memcpy(out, result, strlen(result) + 1);
        status = 0;
    }
    explicit_bzero(data, sizeof *data);
    free(data);
    return status;
}

int sshd_crypt_gensalt(const char *prefix, unsigned long rounds, char *out, size_t out_size) {
    // With no random bytes given, libxcrypt draws them from the kernel (getrandom).
    return crypt_gensalt_rn(prefix, rounds, NULL, 0, out, (int)out_size) != NULL ? 0 : -1;
}
