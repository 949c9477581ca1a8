// Key-exchange adapters: OpenSSL 3 builds keys from OSSL_PARAM arrays whose names are string
// macros and whose big numbers must outlive the builder, which is awkward from Swift.
#include "CShims.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

/// EVP_PKEY_fromdata over `params`; NULL on failure.
static EVP_PKEY *pkey_from_params(const char *algorithm, int selection, OSSL_PARAM *params) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, algorithm, NULL);
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &key, selection, params) != 1) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/// Runs key generation on a prepared context and frees it; NULL on failure.
static EVP_PKEY *generate_and_free(EVP_PKEY_CTX *ctx, const OSSL_PARAM *params) {
    EVP_PKEY *key = NULL;
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) != 1 || (params != NULL && EVP_PKEY_CTX_set_params(ctx, params) != 1)
        || EVP_PKEY_generate(ctx, &key) != 1) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

EVP_PKEY *sshd_kex_generate(const char *algorithm, const char *group) {
    OSSL_PARAM params[2] = {OSSL_PARAM_END, OSSL_PARAM_END};
    if (group != NULL) params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
    return generate_and_free(EVP_PKEY_CTX_new_from_name(NULL, algorithm, NULL), group != NULL ? params : NULL);
}

EVP_PKEY *sshd_kex_dh_generate_named(const char *group, int private_bits) {
    OSSL_PARAM params[3] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
        OSSL_PARAM_END,
        OSSL_PARAM_END,
    };
    if (private_bits > 0) params[1] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN, &private_bits);
    return generate_and_free(EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL), params);
}

EVP_PKEY *sshd_kex_dh_generate_explicit(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
                                        int private_bits) {
    EVP_PKEY *domain = NULL, *key = NULL;
    OSSL_PARAM *params = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    int sizes_ok = p_len <= INT32_MAX && g_len <= INT32_MAX;
    BIGNUM *bp = sizes_ok ? BN_bin2bn(p, (int)p_len, NULL) : NULL;
    BIGNUM *bg = sizes_ok ? BN_bin2bn(g, (int)g_len, NULL) : NULL;
    if (bld != NULL && bp != NULL && bg != NULL
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, bp) == 1
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, bg) == 1
        && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL
        && (domain = pkey_from_params("DH", EVP_PKEY_KEY_PARAMETERS, params)) != NULL) {
        OSSL_PARAM length[2] = {OSSL_PARAM_END, OSSL_PARAM_END};
        if (private_bits > 0) length[0] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN, &private_bits);
        key = generate_and_free(EVP_PKEY_CTX_new_from_pkey(NULL, domain, NULL), private_bits > 0 ? length : NULL);
    }
    EVP_PKEY_free(domain);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bp);
    BN_free(bg);
    return key;
}

EVP_PKEY *sshd_kex_dh_peer_key(const EVP_PKEY *own, const uint8_t *pub, size_t pub_len) {
    EVP_PKEY *key = NULL;
    OSSL_PARAM *params = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bp = NULL, *bg = NULL, *bpub = pub_len <= INT32_MAX ? BN_bin2bn(pub, (int)pub_len, NULL) : NULL;
    char group[64];
    size_t group_len = 0;
    int ok = bld != NULL && bpub != NULL;
    ERR_set_mark();
    int named = EVP_PKEY_get_utf8_string_param(own, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &group_len);
    ERR_pop_to_mark();
    if (ok && named == 1) {
        ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    } else if (ok) {
        ok = EVP_PKEY_get_bn_param(own, OSSL_PKEY_PARAM_FFC_P, &bp) == 1
            && EVP_PKEY_get_bn_param(own, OSSL_PKEY_PARAM_FFC_G, &bg) == 1
            && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, bp) == 1
            && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, bg) == 1;
    }
    if (ok && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, bpub) == 1
        && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL) {
        key = pkey_from_params("DH", EVP_PKEY_PUBLIC_KEY, params);
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bp);
    BN_free(bg);
    BN_free(bpub);
    return key;
}

/// Frees `key` and returns NULL unless `check` passes on it.
static EVP_PKEY *checked(EVP_PKEY *key, int (*check)(EVP_PKEY_CTX *)) {
    if (key == NULL) return NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    int ok = ctx != NULL && check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (ok) return key;
    EVP_PKEY_free(key);
    return NULL;
}

EVP_PKEY *sshd_kex_ec_public_key(const char *group, const uint8_t *point, size_t point_len) {
    OSSL_PARAM params[3] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, point_len),
        OSSL_PARAM_END,
    };
    return checked(pkey_from_params("EC", EVP_PKEY_PUBLIC_KEY, params), EVP_PKEY_public_check);
}

EVP_PKEY *sshd_kex_ec_key_pair(const char *group, const uint8_t *priv, size_t priv_len,
                               const uint8_t *point, size_t point_len) {
    EVP_PKEY *key = NULL;
    OSSL_PARAM *params = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bpriv = BN_secure_new();
    if (bpriv != NULL && (priv_len > INT32_MAX || BN_bin2bn(priv, (int)priv_len, bpriv) == NULL)) {
        BN_clear_free(bpriv);
        bpriv = NULL;
    }
    if (bld != NULL && bpriv != NULL
        && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1
        && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len) == 1
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bpriv) == 1
        && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL) {
        key = checked(pkey_from_params("EC", EVP_PKEY_KEYPAIR, params), EVP_PKEY_pairwise_check);
    }
    OSSL_PARAM_free(params);  // secure memory (from the secure BIGNUM) is cleansed when freed
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(bpriv);
    return key;
}
