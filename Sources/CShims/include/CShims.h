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

#endif
