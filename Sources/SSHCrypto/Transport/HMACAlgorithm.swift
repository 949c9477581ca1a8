/// The HMAC family of SSH MACs (RFC 4253 §6.4, RFC 6668, OpenSSH PROTOCOL §1.5).
///
/// ### Invariants
/// - RFC 4253 §6.4: `mac = MAC(key, sequence_number ‖ unencrypted_packet)`; the `-etm@openssh.com`
///   variants (OpenSSH PROTOCOL §1.5) MAC `sequence_number ‖ packet_length ‖ ciphertext` instead
///   and leave the length in clear.
/// - ``keyLength`` is the digest length (RFC 4253 §6.4, RFC 6668 §2); ``tagLength`` is the
///   digest length, or 12 bytes for the `-96` truncations.
public struct HMACAlgorithm: MACAlgorithm {
    public let name: String
    /// The OpenSSL digest name.
    let digest: String
    public let keyLength: Int
    public let tagLength: Int
    public let isEncryptThenMAC: Bool

    private init(_ name: String, digest: String, digestLength: Int, tagLength: Int? = nil, etm: Bool) {
        self.name = name
        self.digest = digest
        self.keyLength = digestLength
        self.tagLength = tagLength ?? digestLength
        self.isEncryptThenMAC = etm
    }

    /// RFC 4253 §6.4: the `-96` MACs keep the first 96 bits.
    static let truncatedLength = 12

    // MARK: - Modern (OpenSSH PROTOCOL §1.5, RFC 6668)

    public static let sha256EtM = HMACAlgorithm(
        "hmac-sha2-256-etm@openssh.com", digest: "SHA256", digestLength: 32, etm: true)
    public static let sha512EtM = HMACAlgorithm(
        "hmac-sha2-512-etm@openssh.com", digest: "SHA512", digestLength: 64, etm: true)
    public static let sha1EtM = HMACAlgorithm("hmac-sha1-etm@openssh.com", digest: "SHA1", digestLength: 20, etm: true)
    public static let sha256 = HMACAlgorithm("hmac-sha2-256", digest: "SHA256", digestLength: 32, etm: false)
    public static let sha512 = HMACAlgorithm("hmac-sha2-512", digest: "SHA512", digestLength: 64, etm: false)
    /// RFC 4253 §6.4 (REQUIRED there).
    public static let sha1 = HMACAlgorithm("hmac-sha1", digest: "SHA1", digestLength: 20, etm: false)

    // MARK: - Legacy: implemented, off by default (DESIGN §4)

    public static let insecureSHA1_96 = HMACAlgorithm(
        "hmac-sha1-96", digest: "SHA1", digestLength: 20, tagLength: truncatedLength, etm: false)
    public static let insecureMD5 = HMACAlgorithm("hmac-md5", digest: "MD5", digestLength: 16, etm: false)
    public static let insecureMD5_96 = HMACAlgorithm(
        "hmac-md5-96", digest: "MD5", digestLength: 16, tagLength: truncatedLength, etm: false)
    public static let insecureSHA1_96EtM = HMACAlgorithm(
        "hmac-sha1-96-etm@openssh.com", digest: "SHA1", digestLength: 20, tagLength: truncatedLength, etm: true)
    public static let insecureMD5EtM = HMACAlgorithm("hmac-md5-etm@openssh.com", digest: "MD5", digestLength: 16, etm: true)
    public static let insecureMD5_96EtM = HMACAlgorithm(
        "hmac-md5-96-etm@openssh.com", digest: "MD5", digestLength: 16, tagLength: truncatedLength, etm: true)
    /// HMAC-RIPEMD160 (RFC 2286) under the names OpenSSH used for it until 7.6; not in RFC 4253.
    public static let insecureRIPEMD160 = HMACAlgorithm(
        "hmac-ripemd160", digest: "RIPEMD160", digestLength: 20, etm: false)
    public static let insecureRIPEMD160OpenSSH = HMACAlgorithm(
        "hmac-ripemd160@openssh.com", digest: "RIPEMD160", digestLength: 20, etm: false)
    public static let insecureRIPEMD160EtM = HMACAlgorithm(
        "hmac-ripemd160-etm@openssh.com", digest: "RIPEMD160", digestLength: 20, etm: true)
}
