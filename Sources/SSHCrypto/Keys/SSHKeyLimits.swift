/// Limits on key sizes and key files. A peer's blob or an administrator's file must not be able to
/// make us allocate without bound or spin for ever (DESIGN §3).
public enum SSHKeyLimits {
    /// The smallest RSA modulus we accept, in bits. RFC 8332 §3 leaves the size to policy; OpenSSH
    /// refuses anything below 1024 bits (`SSH_RSA_MINIMUM_MODULUS_SIZE`, sshkey.h), and so do we.
    /// New keys should be 3072 bits (``SSHKeyGenerator/defaultRSABits``).
    public static let minimumRSAModulusBits = 1024

    /// The largest RSA modulus we accept, in bits: OpenSSH's bignum limit (`SSHBUF_MAX_BIGNUM`,
    /// 2048 bytes). Bounds the cost of a peer-supplied key (RFC 4253 §6.6 puts no upper bound).
    public static let maximumRSAModulusBits = 16384

    /// The largest public key blob we parse (OpenSSH `SSH_MAX_PUBKEY_BYTES`, sshkey.h). The largest
    /// RSA key above needs about 2 KiB.
    public static let maximumPublicKeyBlobLength = 16384

    /// The largest key file we read (OpenSSH `MAX_KEY_FILE_SIZE`, authfile.c: 1 MiB).
    public static let maximumKeyFileSize = 1024 * 1024

    /// How many keys one `openssh-key-v1` file may hold. OpenSSH's PROTOCOL.key allows several, but
    /// OpenSSH reads and writes exactly one, and so do we.
    public static let maximumKeysPerFile = 1

    /// The most bcrypt_pbkdf rounds a key file may ask for. OpenSSH's `ssh-keygen -a` defaults to
    /// 16; values in the hundreds are used in practice. Without a cap a file could ask for 2^32
    /// rounds and keep the process busy for days. 1,024 rounds take a few seconds.
    public static let maximumBcryptRounds: UInt32 = 1024

    /// The longest bcrypt_pbkdf salt we accept (ssh-keygen writes 16 bytes; OpenSSH's
    /// bcrypt_pbkdf refuses more than 1 MiB, we are stricter).
    public static let maximumBcryptSaltLength = 1024
}
