/// The registry of packet ciphers and MACs (DESIGN §4), keyed by wire name.
///
/// ### Invariants
/// - ``ciphers`` and ``macs`` hold every implemented algorithm, modern ones first; the legacy
///   ones (named `insecure…` where they are declared) are implemented but belong in no default
///   preference list.
/// - Lookups are by exact wire name; an unknown name gives nil and the caller decides whether
///   that is a configuration error.
public enum TransportAlgorithms {
    public static let ciphers: [any CipherAlgorithm] = [
        ChaCha20Poly1305Cipher(),
        AESGCMCipher.aes128,
        AESGCMCipher.aes256,
        BlockModeCipher.aes128CTR,
        BlockModeCipher.aes192CTR,
        BlockModeCipher.aes256CTR,
        BlockModeCipher.insecureAES128CBC,
        BlockModeCipher.insecureAES192CBC,
        BlockModeCipher.insecureAES256CBC,
        BlockModeCipher.insecureTripleDESCBC,
        BlockModeCipher.insecureBlowfishCBC,
        BlockModeCipher.insecureCAST128CBC,
        BlockModeCipher.insecureArcfour256,
        BlockModeCipher.insecureArcfour128,
        BlockModeCipher.insecureArcfour,
    ]

    public static let macs: [any MACAlgorithm] = [
        HMACAlgorithm.sha256EtM,
        HMACAlgorithm.sha512EtM,
        HMACAlgorithm.sha1EtM,
        HMACAlgorithm.sha256,
        HMACAlgorithm.sha512,
        HMACAlgorithm.sha1,
        HMACAlgorithm.insecureSHA1_96,
        HMACAlgorithm.insecureMD5,
        HMACAlgorithm.insecureMD5_96,
        HMACAlgorithm.insecureSHA1_96EtM,
        HMACAlgorithm.insecureMD5EtM,
        HMACAlgorithm.insecureMD5_96EtM,
        HMACAlgorithm.insecureRIPEMD160,
        HMACAlgorithm.insecureRIPEMD160OpenSSH,
        HMACAlgorithm.insecureRIPEMD160EtM,
    ]

    /// The cipher with wire name `name`, or nil.
    public static func cipher(named name: String) -> (any CipherAlgorithm)? {
        ciphers.first { $0.name == name }
    }

    /// The MAC with wire name `name`, or nil.
    public static func mac(named name: String) -> (any MACAlgorithm)? {
        macs.first { $0.name == name }
    }
}
