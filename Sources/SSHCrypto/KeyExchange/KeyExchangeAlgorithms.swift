/// The catalog of every key-exchange method this library implements, one descriptor each.
/// Which of them are offered, and in what order, is the registry's choice (DESIGN §4).
public enum KeyExchangeAlgorithms {
    /// One instance of each method.
    public static let all: [any KeyExchangeAlgorithm] = [
        MLKEM768X25519KeyExchange.sha256,
        Curve25519KeyExchange.sha256,
        Curve25519KeyExchange.sha256LibSSH,
        ECDHKeyExchange.nistp256,
        ECDHKeyExchange.nistp384,
        ECDHKeyExchange.nistp521,
        DiffieHellmanGroupKeyExchange.group14SHA256,
        DiffieHellmanGroupKeyExchange.group16SHA512,
        DiffieHellmanGroupKeyExchange.group18SHA512,
        DiffieHellmanGroupKeyExchange.group14SHA1,
        DiffieHellmanGroupKeyExchange.group1SHA1,
    ]

    /// The method with wire name `name`, or nil when there is none.
    public static func named(_ name: String) -> (any KeyExchangeAlgorithm)? {
        all.first { $0.name == name }
    }
}
