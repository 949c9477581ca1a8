#!/bin/sh
# Regenerates the key-file fixtures in Tests/SSHCryptoTests/Fixtures/keys/ with the real
# ssh-keygen (and openssl for the few forms ssh-keygen does not write), and records what
# `ssh-keygen -l` prints for each, so that the tests compare our parser against OpenSSH.
#
# Usage: Scripts/make-key-fixtures.sh   (from the repository root; needs ssh-keygen and openssl)
set -eu

out="Tests/SSHCryptoTests/Fixtures/keys"
passphrase="fixture passphrase"
mkdir -p "$out"
cd "$out"
rm -f ./*.key ./*.pub fingerprints-sha256.txt fingerprints-md5.txt passphrases.txt \
    rsa-signature-message.bin rsa-signature-sha256.bin ed25519-pkcs8-public.hex

# name type bits format passphrase cipher
make_key() {
    name=$1 type=$2 bits=$3 format=$4 pass=$5 cipher=$6
    set -- -q -t "$type" -C "fixture $name" -f "$name.key"
    [ "$bits" != - ] && set -- "$@" -b "$bits"
    [ "$format" != - ] && set -- "$@" -m "$format"
    [ "$cipher" != - ] && set -- "$@" -Z "$cipher"
    if [ "$pass" = yes ]; then
        ssh-keygen "$@" -N "$passphrase"
        echo "$name.key" >> passphrases.txt
    else
        ssh-keygen "$@" -N ''
    fi
    mv "$name.key.pub" "$name.pub"
}

make_key ed25519            ed25519 -   -      no  -
make_key ed25519-enc        ed25519 -   -      yes -
make_key ed25519-aes128-ctr ed25519 -   -      yes aes128-ctr
make_key ed25519-aes192-ctr ed25519 -   -      yes aes192-ctr
make_key ed25519-aes256-cbc ed25519 -   -      yes aes256-cbc
make_key ed25519-aes256-gcm ed25519 -   -      yes aes256-gcm@openssh.com
make_key ed25519-chacha20   ed25519 -   -      yes chacha20-poly1305@openssh.com
make_key ecdsa256           ecdsa   256 -      no  -
make_key ecdsa384           ecdsa   384 -      no  -
make_key ecdsa521           ecdsa   521 -      no  -
make_key ecdsa384-enc       ecdsa   384 -      yes -
make_key rsa3072            rsa     3072 -     no  -
make_key rsa1024            rsa     1024 -     no  -
make_key rsa3072-enc        rsa     3072 -     yes -
make_key rsa-pem            rsa     2048 PEM   no  -
make_key rsa-pem-enc        rsa     2048 PEM   yes -
make_key rsa-pkcs8          rsa     2048 PKCS8 no  -
make_key rsa-pkcs8-enc      rsa     2048 PKCS8 yes -
make_key ecdsa256-pem       ecdsa   256 PEM    no  -
make_key ecdsa521-pem-enc   ecdsa   521 PEM    yes -
make_key ecdsa384-pkcs8     ecdsa   384 PKCS8  no  -
make_key ecdsa256-pkcs8-enc ecdsa   256 PKCS8  yes -

for key in *.key; do
    name=${key%.key}
    printf '%s %s\n' "$key" "$(ssh-keygen -l -E sha256 -f "$name.pub")" >> fingerprints-sha256.txt
    printf '%s %s\n' "$key" "$(ssh-keygen -l -E md5 -f "$name.pub")" >> fingerprints-md5.txt
done

# Ed25519 in PKCS#8, which ssh-keygen does not write: the public key is the last 32 bytes of the
# SubjectPublicKeyInfo (RFC 8410 §4).
openssl genpkey -algorithm ed25519 -out ed25519-pkcs8.key
openssl pkey -in ed25519-pkcs8.key -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \n' > ed25519-pkcs8-public.hex

# An RSASSA-PKCS1-v1_5 SHA-256 signature made by openssl, to check our verification against an
# independent implementation (and, since the scheme is deterministic, our signing too).
printf 'swift-sshd RSA PKCS#1 v1.5 fixture message\n' > rsa-signature-message.bin
openssl dgst -sha256 -sign rsa-pem.key -out rsa-signature-sha256.bin rsa-signature-message.bin
