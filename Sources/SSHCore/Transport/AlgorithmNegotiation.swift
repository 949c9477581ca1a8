import SSHCrypto
import SSHWire

/// The algorithms both sides agreed on in one key exchange.
public struct NegotiatedAlgorithms: Sendable, Equatable {
    public var keyExchange: String
    public var hostKey: String
    public var cipherClientToServer: String
    public var cipherServerToClient: String
    /// Empty when the cipher is AEAD (the MAC list is then ignored, RFC 5647 §5.1).
    public var macClientToServer: String
    public var macServerToClient: String
    public var compressionClientToServer: String
    public var compressionServerToClient: String
}

/// Pseudo-algorithms that signal extensions in the key-exchange list and are never chosen.
enum KeyExchangeMarker {
    /// RFC 8308 §2.1.
    static let extInfoClient = "ext-info-c"
    static let extInfoServer = "ext-info-s"
    /// OpenSSH PROTOCOL §1.10 (strict key exchange, the Terrapin mitigation).
    static let strictClient = "kex-strict-c-v00@openssh.com"
    static let strictServer = "kex-strict-s-v00@openssh.com"

    static func isMarker(_ name: String) -> Bool {
        name == extInfoClient || name == extInfoServer || name == strictClient || name == strictServer
    }
}

enum AlgorithmNegotiation {
    /// RFC 4253 §7.1: the first algorithm on the client's list that is also on the server's.
    static func firstMatch(client: [String], server: [String]) -> String? {
        client.first { name in !KeyExchangeMarker.isMarker(name) && server.contains(name) }
    }

    /// Negotiates every family from the two KEXINITs. Throws ``TransportError/keyExchangeFailed(_:)``
    /// naming the family with no common algorithm.
    static func negotiate(client: SSHMsgKexInit, server: SSHMsgKexInit) throws(TransportError) -> NegotiatedAlgorithms {
        func pick(_ c: [String], _ s: [String], _ family: String) throws(TransportError) -> String {
            guard let name = firstMatch(client: c, server: s) else {
                throw .keyExchangeFailed("no matching \(family) algorithm (client: \(c.joined(separator: ",")); server: \(s.joined(separator: ",")))")
            }
            return name
        }
        let kex = try pick(client.kexAlgorithms, server.kexAlgorithms, "key exchange")
        let hostKey = try pick(client.serverHostKeyAlgorithms, server.serverHostKeyAlgorithms, "host key")
        let cipherCS = try pick(client.encryptionAlgorithmsClientToServer, server.encryptionAlgorithmsClientToServer, "cipher (client to server)")
        let cipherSC = try pick(client.encryptionAlgorithmsServerToClient, server.encryptionAlgorithmsServerToClient, "cipher (server to client)")
        // RFC 5647 §5.1 / PROTOCOL.chacha20poly1305: an AEAD cipher makes the MAC irrelevant, and a
        // peer may then offer no MAC we know.
        func mac(for cipher: String, _ c: [String], _ s: [String], _ family: String) throws(TransportError) -> String {
            if AlgorithmRegistry.cipher(named: cipher)?.isAEAD == true { return "" }
            return try pick(c, s, family)
        }
        let macCS = try mac(for: cipherCS, client.macAlgorithmsClientToServer, server.macAlgorithmsClientToServer, "MAC (client to server)")
        let macSC = try mac(for: cipherSC, client.macAlgorithmsServerToClient, server.macAlgorithmsServerToClient, "MAC (server to client)")
        let compCS = try pick(client.compressionAlgorithmsClientToServer, server.compressionAlgorithmsClientToServer, "compression (client to server)")
        let compSC = try pick(client.compressionAlgorithmsServerToClient, server.compressionAlgorithmsServerToClient, "compression (server to client)")
        return NegotiatedAlgorithms(
            keyExchange: kex, hostKey: hostKey,
            cipherClientToServer: cipherCS, cipherServerToClient: cipherSC,
            macClientToServer: macCS, macServerToClient: macSC,
            compressionClientToServer: compCS, compressionServerToClient: compSC)
    }

    /// RFC 4253 §7: a guessed first key-exchange packet is wrong when either side's preferred key
    /// exchange or host key algorithm differs from the negotiated one.
    static func guessWasRight(peer: SSHMsgKexInit, negotiated: NegotiatedAlgorithms) -> Bool {
        peer.kexAlgorithms.first == negotiated.keyExchange && peer.serverHostKeyAlgorithms.first == negotiated.hostKey
    }
}
