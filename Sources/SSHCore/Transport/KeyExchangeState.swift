import SSHCrypto
import SSHWire

/// One key exchange in progress: what both sides said in their KEXINITs and what was agreed.
struct KeyExchangeRound {
    var algorithm: any KeyExchangeAlgorithm
    var negotiated: NegotiatedAlgorithms
    /// I_C and I_S of RFC 4253 §8: the KEXINIT payloads, message number included.
    var clientKexInitPayload: [UInt8]
    var serverKexInitPayload: [UInt8]
    var isInitial: Bool
    var strict: Bool
}

/// Keys derived from a finished exchange, waiting to be taken into use at NEWKEYS.
struct PendingKeys {
    var outgoing: any PacketProtection
    var incoming: any PacketProtection
    var summary: KeyExchangeSummary
}

/// Where the current key exchange stands (RFC 4253 §7–8). Named after what is awaited (STYLE §4).
enum KeyExchangeState {
    /// Keys in force and no exchange in progress, or we have sent KEXINIT and await the peer's.
    case idle
    /// Client: sent our KEX init message (number 30), awaiting the server's reply (31).
    case awaitingReply(KeyExchangeRound, any KeyExchangeClient)
    /// Server: awaiting the client's KEX init message (30).
    case awaitingClientPublicValue(KeyExchangeRound)
    /// Client with ``HostKeyApproval/ask``: the reply verified; awaiting the application's decision.
    case awaitingHostKeyApproval(PendingKeys, any SSHPublicKey)
    /// We sent NEWKEYS; awaiting the peer's, after which `incoming` takes effect.
    case awaitingNewKeys(incoming: any PacketProtection, summary: KeyExchangeSummary)
}
