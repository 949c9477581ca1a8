// Adapters for host keys and key files: compound selection macros, and PEM reading with a
// passphrase callback that never prompts.
#include "CShims.h"

#include <limits.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

int sshd_evp_pkey_selection_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }

int sshd_evp_pkey_selection_keypair(void) { return EVP_PKEY_KEYPAIR; }

struct sshd_passphrase {
    const char *bytes;
    size_t length;
};

static int sshd_passphrase_callback(char *buf, int size, int rwflag, void *userdata) {
    (void)rwflag;
    const struct sshd_passphrase *passphrase = userdata;
    if (passphrase == NULL || passphrase->bytes == NULL || size < 0) return -1;
    if (passphrase->length > (size_t)size) return -1;
    memcpy(buf, passphrase->bytes, passphrase->length);
    return (int)passphrase->length;
}

EVP_PKEY *sshd_pem_read_private_key(const void *pem, size_t len, const char *passphrase, size_t passphrase_len) {
    if (len > INT_MAX) return NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) return NULL;
    struct sshd_passphrase userdata = { passphrase, passphrase_len };
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, sshd_passphrase_callback, &userdata);
    BIO_free(bio);
    return key;
}
