#include "CShims.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <malloc.h>
#include <pthread.h>

void sshd_cleanse(void *ptr, size_t len) { OPENSSL_cleanse(ptr, len); }

int sshd_memcmp_consttime(const void *a, const void *b, size_t len) { return CRYPTO_memcmp(a, b, len); }

static pthread_once_t providers_once = PTHREAD_ONCE_INIT;
static int providers_loaded = 0;

static void load_providers(void) {
    OSSL_PROVIDER *def = OSSL_PROVIDER_load(NULL, "default");
    OSSL_PROVIDER *leg = OSSL_PROVIDER_load(NULL, "legacy");
    providers_loaded = (def != NULL && leg != NULL);
}

int sshd_load_providers(void) {
    pthread_once(&providers_once, load_providers);
    return providers_loaded;
}

void sshd_openssl_free(void *ptr) { OPENSSL_free(ptr); }

void sshd_openssl_last_error(char *buf, size_t len) {
    if (len == 0) return;
    unsigned long code = ERR_get_error();
    if (code == 0) {
        buf[0] = 0;
    } else {
        ERR_error_string_n(code, buf, len);
    }
    ERR_clear_error();
}

int sshd_heap_settings(int trim_threshold, int mmap_threshold, int arenas) {
    int mmap_set = mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    int trim_set = mallopt(M_TRIM_THRESHOLD, trim_threshold);
    int arenas_set = mallopt(M_ARENA_MAX, arenas);
    return mmap_set == 1 && trim_set == 1 && arenas_set == 1;
}

size_t sshd_heap_free_bytes(void) {
    return mallinfo2().fordblks;
}

int sshd_heap_trim(void) {
    return malloc_trim(0);
}
