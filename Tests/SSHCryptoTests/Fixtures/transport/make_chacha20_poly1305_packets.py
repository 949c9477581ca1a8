#!/usr/bin/env python3
"""Produces chacha20-poly1305-packets.json: whole packets sealed with
chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305).

Each packet is computed twice and the results must agree:
  1. a plain-Python ChaCha20 in the original layout (64-bit block counter in state words
     12-13, 64-bit nonce in words 14-15) and a plain-Python Poly1305 (RFC 8439 section 2.5);
  2. the `cryptography` package (OpenSSL underneath), whose 16-byte ChaCha20 nonce is
     counter (LE) || nonce, with the 64-bit layout mapped onto it.

Run: python3 make_chacha20_poly1305_packets.py > chacha20-poly1305-packets.json
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


def plaintext_packet(payload, block=8):
    # RFC 4253 section 6: at least 4 bytes of padding; for this cipher packet_length alone is a
    # multiple of the block size. Padding bytes are fixed here so that the packet is reproducible.
    padding = block - (1 + len(payload)) % block
    if padding < 4:
        padding += block
    length = 1 + len(payload) + padding
    return struct.pack(">IB", length, padding) + payload + bytes((0xA0 + i) & 0xFF for i in range(padding))


def main():
    key = bytes(range(64))
    cases = [
        ("service request, seq 0", 0, b"\x05\x00\x00\x00\x0cssh-userauth"),
        ("ignore message spanning blocks, seq 7", 7, b"\x02\x00\x00\x00\xc8" + bytes(i & 0xFF for i in range(200))),
        ("channel data, seq 0xfffffffe", 0xFFFFFFFE, b"\x5e\x00\x00\x00\x00\x00\x00\x00\x05hello"),
    ]
    vectors = []
    for description, seq, payload in cases:
        packet = plaintext_packet(payload)
        sealed = seal_plain(key, seq, packet)
        if sealed != seal_cryptography(key, seq, packet):
            raise SystemExit("the two computations disagree for " + description)
        vectors.append({
            "description": description,
            "key": key.hex(),
            "sequenceNumber": seq,
            "plaintext": packet.hex(),
            "sealed": sealed.hex(),
        })
    print(json.dumps(vectors, indent=2))


if __name__ == "__main__":
    main()
