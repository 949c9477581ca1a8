#!/usr/bin/env python3
"""Drives an interactive `ssh -tt` on a real pseudo-terminal, as a person at a terminal would.

Usage: pty_session.py ROWS COLS NEW_ROWS NEW_COLS -- SSH ARGUMENTS...

Asks the remote shell for its terminal size, resizes the local terminal (the kernel tells ssh
with SIGWINCH, and ssh sends window-change), asks until the remote size follows (at most 10 s),
then exits the shell with status 6. Prints the whole transcript, then "exit=N" with ssh's status.
Every wait is bounded; the script ends by itself.
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

rows, cols, new_rows, new_cols = map(int, sys.argv[1:5])
command = sys.argv[6:]


def set_size(fd, r, c):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", r, c, 0, 0))


pid, master = pty.fork()
if pid == 0:
    set_size(0, rows, cols)
    os.execv(command[0], command)

transcript = b""


def read_until(marker, limit):
    global transcript
    deadline = time.time() + limit
    while marker not in transcript and time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            transcript += chunk
    return marker in transcript


# The marker is computed by the shell, so the echoed command line never contains it.
os.write(master, b"stty size; echo MARK$((40+1))\n")
read_until(b"MARK41", 20)
set_size(master, new_rows, new_cols)
wanted = ("%d %d" % (new_rows, new_cols)).encode()
deadline = time.time() + 10
attempt = 0
while wanted not in transcript and time.time() < deadline:
    attempt += 1
    os.write(master, b"stty size; echo MARK$((50+%d))\n" % attempt)
    read_until(b"MARK%d" % (50 + attempt), 10)
os.write(master, b"exit 6\n")
read_until(b"\x00never", 5)
_, status = os.waitpid(pid, 0)
sys.stdout.write(transcript.decode("utf-8", "replace"))
sys.stdout.write("\nexit=%d\n" % (os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1))
