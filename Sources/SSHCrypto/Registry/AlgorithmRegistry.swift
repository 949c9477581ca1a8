/// Every algorithm this library implements, keyed by wire name (DESIGN §4). Each family's
/// catalog lives beside its implementations; this is the one place that looks them up.
public enum AlgorithmRegistry {
    public static func keyExchange(named name: String) -> (any KeyExchangeAlgorithm)? {
        KeyExchangeAlgorithms.named(name)
    }

    public static func cipher(named name: String) -> (any CipherAlgorithm)? {
        TransportAlgorithms.cipher(named: name)
    }

    public static func mac(named name: String) -> (any MACAlgorithm)? {
        TransportAlgorithms.mac(named: name)
    }

    /// Compression methods (RFC 4253 §6.2). `zlib@openssh.com` (delayed) comes with the daemon.
    public static let compression = ["none"]

    /// Every implemented name per family, in catalog order.
    public static var allKeyExchangeNames: [String] { KeyExchangeAlgorithms.all.map(\.name) }
    public static var allCipherNames: [String] { TransportAlgorithms.ciphers.map(\.name) }
    public static var allMACNames: [String] { TransportAlgorithms.macs.map(\.name) }
    public static var allSignatureNames: [String] { SignatureAlgorithm.all.map(\.name) }
}
