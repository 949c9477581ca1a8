#!/usr/bin/env python3
"""Produces packet-vectors.json: runs of whole packets, each run sealed in order by one
direction of a packet protection, computed here independently of the Swift code.

- chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305): every packet is computed
  twice and the results must agree: (1) a plain-Python ChaCha20 in the original layout (64-bit
  block counter in state words 12-13, 64-bit nonce in words 14-15) with a plain-Python
  Poly1305 (RFC 8439 section 2.5); (2) the `cryptography` package, whose 16-byte ChaCha20 nonce
  is counter (LE) || nonce, with the 64-bit layout mapped onto it.
- aes128-gcm@openssh.com / aes256-gcm@openssh.com (RFC 5647, OpenSSH PROTOCOL 1.6): AES-GCM
  from `cryptography`, length as AAD, invocation counter incremented per packet; the run starts
  just below the 64-bit wrap to show that the fixed field is untouched.
- aes128-ctr with hmac-sha2-256-etm@openssh.com (OpenSSH PROTOCOL 1.5) and with hmac-sha2-256
  (RFC 4253 section 6.4, RFC 6668), and the legacy CBC and RC4 ciphers (RFC 4253 section 6.3,
  RFC 4345) with legacy MACs: ciphers from `cryptography` (RC4, 3DES, Blowfish and CAST5 from
  its `decrepit` module), HMAC from Python's `hmac`.

Run: python3 make_packet_vectors.py > packet-vectors.json
"""
import json
import struct

MASK = 0xFFFFFFFF


def rotl(value, count):
    return ((value << count) & MASK) | (value >> (32 - count))


def quarter_round(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & MASK; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & MASK; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & MASK; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & MASK; s[b] = rotl(s[b] ^ s[c], 7)


def chacha_block(key, counter64, nonce8):
    """One 64-byte block, original ChaCha: words 12-13 counter, 14-15 nonce."""
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    state += list(struct.unpack("<8I", key))
    state += [counter64 & MASK, counter64 >> 32]
    state += list(struct.unpack("<2I", nonce8))
    working = list(state)
    for _ in range(10):
        quarter_round(working, 0, 4, 8, 12); quarter_round(working, 1, 5, 9, 13)
        quarter_round(working, 2, 6, 10, 14); quarter_round(working, 3, 7, 11, 15)
        quarter_round(working, 0, 5, 10, 15); quarter_round(working, 1, 6, 11, 12)
        quarter_round(working, 2, 7, 8, 13); quarter_round(working, 3, 4, 9, 14)
    return struct.pack("<16I", *[(w + s) & MASK for w, s in zip(working, state)])


def chacha_xor(key, counter64, nonce8, data):
    out = bytearray()
    for offset in range(0, len(data), 64):
        block = chacha_block(key, counter64 + offset // 64, nonce8)
        out += bytes(x ^ y for x, y in zip(data[offset:offset + 64], block))
    return bytes(out)


def poly1305(key, message):
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:32], "little")
    p = (1 << 130) - 5
    acc = 0
    for offset in range(0, len(message), 16):
        chunk = message[offset:offset + 16] + b"\x01"
        acc = ((acc + int.from_bytes(chunk, "little")) * r) % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def seal_plain(key, seq, packet):
    k2, k1 = key[:32], key[32:]
    nonce = struct.pack(">Q", seq)
    encrypted_length = chacha_xor(k1, 0, nonce, packet[:4])
    poly_key = chacha_block(k2, 0, nonce)[:32]
    encrypted_body = chacha_xor(k2, 1, nonce, packet[4:])
    sealed = encrypted_length + encrypted_body
    return sealed + poly1305(poly_key, sealed)


def seal_cryptography(key, seq, packet):
    from cryptography.hazmat.primitives.ciphers import Cipher
    from cryptography.hazmat.primitives.ciphers.algorithms import ChaCha20
    from cryptography.hazmat.primitives.poly1305 import Poly1305

    def stream(k, counter, data):
        iv = struct.pack("<Q", counter) + struct.pack(">Q", seq)
        return Cipher(ChaCha20(k, iv), mode=None).encryptor().update(data)

    k2, k1 = key[:32], key[32:]
    encrypted_length = stream(k1, 0, packet[:4])
    poly_key = stream(k2, 0, bytes(32))
    sealed = encrypted_length + stream(k2, 1, packet[4:])
    return sealed + Poly1305.generate_tag(poly_key, sealed)


def seal_gcm(key, nonce, packet):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    sealed = AESGCM(key).encrypt(nonce, packet[4:], packet[:4])
    return packet[:4] + sealed


def seal_cipher_mac(cipher, mac, mac_key, seq, packet, etm):
    """mac = (hashlib name, tag length); cipher runs on from packet to packet."""
    import hmac
    digest, tag_length = mac
    if etm:
        sealed = packet[:4] + cipher.update(packet[4:])
        return sealed + hmac.new(mac_key, struct.pack(">I", seq) + sealed, digest).digest()[:tag_length]
    tag = hmac.new(mac_key, struct.pack(">I", seq) + packet, digest).digest()[:tag_length]
    return cipher.update(packet) + tag


def plaintext_packet(payload, block, length_counted):
    # RFC 4253 section 6: at least 4 bytes of padding; packet_length (+4 when the length is
    # encrypted) is a multiple of max(8, block). Padding bytes are fixed for reproducibility.
    multiple = max(8, block)
    counted = (4 if length_counted else 0) + 1 + len(payload)
    padding = multiple - counted % multiple
    if padding < 4:
        padding += multiple
    length = 1 + len(payload) + padding
    return struct.pack(">IB", length, padding) + payload + bytes((0xA0 + i) & 0xFF for i in range(padding))


PAYLOADS = [
    b"\x05\x00\x00\x00\x0cssh-userauth",
    b"\x02\x00\x00\x00\xc8" + bytes(i & 0xFF for i in range(200)),
    b"\x5e\x00\x00\x00\x00\x00\x00\x00\x05hello",
]


def run(cipher, mac, key, iv, mac_key, first_seq, seal_one, block, length_counted):
    packets = []
    for index, payload in enumerate(PAYLOADS):
        seq = (first_seq + index) & 0xFFFFFFFF
        packet = plaintext_packet(payload, block, length_counted)
        packets.append({"sequenceNumber": seq, "plaintext": packet.hex(), "sealed": seal_one(index, seq, packet).hex()})
    return {"cipher": cipher, "mac": mac, "key": key.hex(), "iv": iv.hex(), "macKey": mac_key.hex(), "packets": packets}


def chacha_run():
    key = bytes(range(64))

    def seal_one(index, seq, packet):
        sealed = seal_plain(key, seq, packet)
        if sealed != seal_cryptography(key, seq, packet):
            raise SystemExit("the two chacha20-poly1305 computations disagree at sequence number %d" % seq)
        return sealed
    return run("chacha20-poly1305@openssh.com", None, key, b"", b"", 0xFFFFFFFE, seal_one, 8, False)


def gcm_run(cipher, key_length):
    key = bytes((0x40 + i) & 0xFF for i in range(key_length))
    iv = bytes.fromhex("a1b2c3d4") + bytes.fromhex("fffffffffffffffe")

    def seal_one(index, seq, packet):
        counter = (int.from_bytes(iv[4:], "big") + index) % (1 << 64)
        return seal_gcm(key, iv[:4] + counter.to_bytes(8, "big"), packet)
    return run(cipher, None, key, iv, b"", 5, seal_one, 16, False)


MACS = {
    "hmac-sha2-256-etm@openssh.com": ("sha256", 32, 32, True),
    "hmac-sha2-256": ("sha256", 32, 32, False),
    "hmac-sha2-512-etm@openssh.com": ("sha512", 64, 64, True),
    "hmac-sha1": ("sha1", 20, 20, False),
    "hmac-sha1-96": ("sha1", 20, 12, False),
    "hmac-md5": ("md5", 16, 16, False),
    "hmac-md5-96-etm@openssh.com": ("md5", 16, 12, True),
    "hmac-ripemd160": ("ripemd160", 20, 20, False),
}


def cipher_mac_run(cipher_name, mac_name, key_length, block, make_cipher, iv_length=None):
    digest, key_length_mac, tag_length, etm = MACS[mac_name]
    key = bytes((0x10 + i) & 0xFF for i in range(key_length))
    iv = bytes((0xF0 + i * 17) & 0xFF for i in range(block if iv_length is None else iv_length))
    mac_key = bytes((0x80 + i) & 0xFF for i in range(key_length_mac))
    cipher = make_cipher(key, iv)
    return run(cipher_name, mac_name, key, iv, mac_key, 3,
               lambda index, seq, packet: seal_cipher_mac(cipher, (digest, tag_length), mac_key, seq, packet, etm),
               block, not etm)


def main():
    import warnings
    warnings.simplefilter("ignore")
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.decrepit.ciphers import algorithms as decrepit

    def ctr(key, iv):
        return Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()

    def cbc(algorithm):
        return lambda key, iv: Cipher(algorithm(key), modes.CBC(iv)).encryptor()

    def arcfour(discard):
        def make(key, iv):
            stream = Cipher(decrepit.ARC4(key), mode=None).encryptor()
            stream.update(bytes(discard))  # RFC 4345 section 4
            return stream
        return make

    runs = [
        chacha_run(),
        gcm_run("aes128-gcm@openssh.com", 16),
        gcm_run("aes256-gcm@openssh.com", 32),
        cipher_mac_run("aes128-ctr", "hmac-sha2-256-etm@openssh.com", 16, 16, ctr),
        cipher_mac_run("aes128-ctr", "hmac-sha2-256", 16, 16, ctr),
        cipher_mac_run("aes256-cbc", "hmac-sha1", 32, 16, cbc(algorithms.AES)),
        cipher_mac_run("3des-cbc", "hmac-md5-96-etm@openssh.com", 24, 8, cbc(decrepit.TripleDES)),
        cipher_mac_run("blowfish-cbc", "hmac-ripemd160", 16, 8, cbc(decrepit.Blowfish)),
        cipher_mac_run("cast128-cbc", "hmac-sha2-512-etm@openssh.com", 16, 8, cbc(decrepit.CAST5)),
        cipher_mac_run("arcfour256", "hmac-sha1-96", 32, 8, arcfour(1536), iv_length=0),
        cipher_mac_run("arcfour", "hmac-md5", 16, 8, arcfour(0), iv_length=0),
    ]
    print(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
