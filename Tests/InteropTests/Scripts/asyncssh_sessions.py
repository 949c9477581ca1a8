"""Opens session channels on one connection until the server refuses one (asyncssh).

Usage: asyncssh_sessions.py PORT USER KEY_FILE COUNT
Starts COUNT commands (`sleep 5`) at once on one connection and prints "opened N" and, for a
refused channel, "refused". Every wait is bounded.
"""
import asyncio
import sys

import asyncssh


async def main(port: int, user: str, key_file: str, count: int) -> None:
    async with asyncssh.connect("127.0.0.1", port, username=user, client_keys=[key_file], known_hosts=None) as connection:
        opened = []
        refused = 0
        for _ in range(count):
            try:
                opened.append(await asyncio.wait_for(connection.create_process("sleep 5"), 10))
            except asyncssh.ChannelOpenError:
                refused += 1
        print(f"opened {len(opened)}", flush=True)
        print(f"refused {refused}", flush=True)
        for process in opened:
            process.terminate()


asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])))
