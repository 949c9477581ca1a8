#!/usr/bin/env python3
"""What moving a file over loopback TCP costs the kernel alone: the floor under any SSH server.

Usage:
    bench/floor.py download FILE          # pread FILE, send it to a reader on 127.0.0.1
    bench/floor.py upload FILE OUTPUT     # a writer on 127.0.0.1 sends FILE; recv it, pwrite OUTPUT
    bench/floor.py cipher NAME            # OpenSSL's own speed of the cipher NAME, 32 KiB buffers

The "server" side does exactly the copies an SSH server must make for an SFTP transfer, in
256 KiB calls, with no protocol and no cipher: file → user memory → socket (download), or
socket → user memory → file (upload). Its CPU seconds (user + system, from wait4) per GiB are
printed as `cpu=SECONDS`. The peer runs in its own process, as the SFTP client does. A server
also has to encrypt or decrypt every byte; `cipher` prints what that costs at OpenSSL's own speed
as `cpu=SECONDS` per GiB. Together they bound from below what any server's CPU per GiB can be.

Loopback only; each transfer is one file, bounded by a 120 s alarm. OUTPUT is removed.
"""
import os
import signal
import socket
import subprocess
import sys

GIB = 1 << 30
CHUNK = 256 << 10
LIMIT_SECONDS = 120


def send_file(sock, path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        buffer = memoryview(bytearray(CHUNK))
        offset, size = 0, os.fstat(descriptor).st_size
        while offset < size:
            count = os.preadv(descriptor, [buffer], offset)
            if count == 0:
                break
            sock.sendall(buffer[:count])
            offset += count
        sock.shutdown(socket.SHUT_WR)
    finally:
        os.close(descriptor)


def receive_file(sock, path):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        buffer = memoryview(bytearray(CHUNK))
        offset = 0
        while True:
            count = sock.recv_into(buffer)
            if count == 0:
                return offset
            os.pwrite(descriptor, buffer[:count], offset)
            offset += count
    finally:
        os.close(descriptor)


def drain(sock):
    buffer = memoryview(bytearray(1 << 20))
    while sock.recv_into(buffer):
        pass


def transfer(direction, path, output=None):
    """Forks the server side; returns its CPU seconds and the bytes it moved."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    server = os.fork()
    if server == 0:
        status = 1
        try:
            signal.alarm(LIMIT_SECONDS)
            connection, _ = listener.accept()
            if direction == "download":
                send_file(connection, path)
                connection.recv(1)  # the peer's close: everything was taken
            else:
                receive_file(connection, output)
            connection.close()
            status = 0
        finally:
            os._exit(status)
    listener.close()
    signal.alarm(LIMIT_SECONDS)
    with socket.create_connection(("127.0.0.1", port)) as peer:
        if direction == "download":
            drain(peer)
        else:
            send_file(peer, path)
            peer.recv(1)  # the server's close: everything was written
    _, status, usage = os.wait4(server, 0)
    signal.alarm(0)
    if status != 0:
        sys.exit(f"floor: the {direction} side failed ({status})")
    moved = os.path.getsize(output if direction == "upload" else path)
    if output:
        os.unlink(output)
    return usage.ru_utime + usage.ru_stime, moved


def cipher(name):
    """OpenSSL's speed of `name` on 32 KiB buffers, as CPU seconds per GiB."""
    done = subprocess.run(["openssl", "speed", "-elapsed", "-seconds", "2", "-bytes", "32768", "-evp", name],
                          capture_output=True, text=True, timeout=60, check=True)
    last = [line for line in done.stdout.splitlines() if line.strip()][-1]
    thousands_of_bytes_per_second = float(last.split()[-1].rstrip("k"))
    return GIB / (thousands_of_bytes_per_second * 1000)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "cipher":
        print(f"cpu={cipher(sys.argv[2]):.4f}")
    elif len(sys.argv) == 3 and sys.argv[1] == "download":
        seconds, moved = transfer("download", sys.argv[2])
        print(f"cpu={seconds * GIB / moved:.4f}")
    elif len(sys.argv) == 4 and sys.argv[1] == "upload":
        seconds, moved = transfer("upload", sys.argv[2], sys.argv[3])
        print(f"cpu={seconds * GIB / moved:.4f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
