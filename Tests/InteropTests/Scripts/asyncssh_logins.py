"""Logs in many times at once (asyncssh), as a burst of clients would.

Usage: asyncssh_logins.py PORT USER KEY_FILE COUNT
Opens COUNT authenticated connections, 50 at a time, holds them, and prints "logged in N"; then
closes them. Every wait is bounded.
"""
import asyncio
import sys

import asyncssh


async def main(port: int, user: str, key_file: str, count: int) -> None:
    key = asyncssh.read_private_key(key_file)
    held = []
    for start in range(0, count, 50):
        batch = [asyncio.wait_for(asyncssh.connect("127.0.0.1", port, username=user, client_keys=[key], known_hosts=None), 30)
                 for _ in range(min(50, count - start))]
        held += [c for c in await asyncio.gather(*batch, return_exceptions=True) if not isinstance(c, BaseException)]
    print(f"logged in {len(held)}", flush=True)
    for connection in held:
        connection.close()
    await asyncio.gather(*(c.wait_closed() for c in held), return_exceptions=True)


asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])))
