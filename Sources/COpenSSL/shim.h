// OpenSSL 3 libcrypto headers used by SSHCrypto (Debian: libssl-dev).
#ifndef SWIFT_SSHD_COPENSSL_SHIM_H
#define SWIFT_SSHD_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/kdf.h>
#endif
