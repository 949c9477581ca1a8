import SSHCrypto
import SSHWire

/// What the transport engine tells its owner, in order.
public enum TransportEvent: Sendable {
    /// The peer's identification string (RFC 4253 §4.2), without CR LF.
    case peerVersion(String)
    /// Client, ``HostKeyApproval/ask``: the server proved possession of this key; answer with
    /// ``SSHTransport/approveHostKey(_:)``. Input is held until then.
    case hostKeyApprovalRequested(any SSHPublicKey)
    /// Both NEWKEYS are through; the new keys are in force in both directions.
    case keyExchangeCompleted(KeyExchangeSummary)
    /// RFC 8308 §2.3: the peer's extensions.
    case extensionInfo([SSHExtension])
    /// A message for the layers above the transport (service request/accept, user authentication,
    /// connection protocol), with the sequence number it arrived under (for UNIMPLEMENTED replies).
    case payload([UInt8], sequenceNumber: UInt32)
    /// RFC 4253 §11.3.
    case debug(alwaysDisplay: Bool, message: String)
    /// RFC 4253 §11.4: the peer did not implement our packet with this sequence number.
    case unimplemented(sequenceNumber: UInt32)
    /// OpenSSH `ping@openssh.com`: the peer answered our ping.
    case pong([UInt8])
    /// The connection is over: either side sent DISCONNECT, or we found a protocol violation
    /// (then a DISCONNECT with `reason` is in the output).
    case disconnected(reason: UInt32, description: String, byPeer: Bool)
}

/// The outcome of one key exchange.
public struct KeyExchangeSummary: Sendable {
    public var algorithms: NegotiatedAlgorithms
    public var isInitial: Bool
    public var strictKeyExchange: Bool
    public var sessionIdentifier: [UInt8]
    /// The server's host key blob (RFC 4253 §6.6).
    public var hostKeyBlob: [UInt8]
}
