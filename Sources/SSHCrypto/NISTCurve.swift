/// The NIST prime curves SSH uses for ECDSA keys and ECDH key exchange (RFC 5656 §10.1: the
/// REQUIRED curves), with the facts both need.
public enum NISTCurve: String, Sendable, CaseIterable {
    case p256, p384, p521

    /// The curve identifier in key type names and blobs (RFC 5656 §6.1): `nistp256`, ….
    public var identifier: String {
        switch self {
        case .p256: "nistp256"
        case .p384: "nistp384"
        case .p521: "nistp521"
        }
    }

    /// The hash the curve size selects for signatures and key exchange (RFC 5656 §6.2.1).
    public var hash: HashFunction {
        switch self {
        case .p256: .sha256
        case .p384: .sha384
        case .p521: .sha512
        }
    }

    /// The size of a field element (and of the group order) in bytes.
    public var fieldLength: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }

    /// The key size in bits, as ssh-keygen prints it.
    public var bits: Int {
        switch self {
        case .p256: 256
        case .p384: 384
        case .p521: 521
        }
    }

    /// The length of an uncompressed point (SEC 1 §2.3.3: `04 || X || Y`).
    public var uncompressedPointLength: Int { 1 + 2 * fieldLength }

    /// OpenSSL's group name.
    public var opensslGroupName: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        }
    }

    /// The curve for an SSH identifier (`nistp256`), or nil.
    public init?(identifier: String) {
        guard let curve = Self.allCases.first(where: { $0.identifier == identifier }) else { return nil }
        self = curve
    }

    /// The curve for an OpenSSL group name (both NIST and X9.62/SEC names), or nil.
    init?(opensslGroupName name: String) {
        switch name {
        case "P-256", "prime256v1", "secp256r1": self = .p256
        case "P-384", "secp384r1": self = .p384
        case "P-521", "secp521r1": self = .p521
        default: return nil
        }
    }
}
