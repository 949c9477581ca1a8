"""Sends RFC 4254 §6.9 `signal` requests through asyncssh, which OpenSSH's ssh cannot send.

Usage: asyncssh_signal.py PORT USER KEY_FILE
Runs `trap 'echo got USR1' USR1; ...` and signals it USR1, then TERM; prints what the command
wrote, and how it ended ("exit-signal TERM" or "exit-status N"). Every wait is bounded.
"""
import asyncio
import sys

import asyncssh

SCRIPT = "trap 'echo got USR1' USR1; echo ready; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done"


async def main(port: int, user: str, key_file: str) -> None:
    async with asyncssh.connect("127.0.0.1", port, username=user, client_keys=[key_file], known_hosts=None) as connection:
        process = await connection.create_process(SCRIPT)
        print((await asyncio.wait_for(process.stdout.readline(), 10)).strip(), flush=True)
        process.send_signal("USR1")
        print((await asyncio.wait_for(process.stdout.readline(), 10)).strip(), flush=True)
        process.send_signal("TERM")
        result = await asyncio.wait_for(process.wait(), 10)
        if result.exit_signal:
            print(f"exit-signal {result.exit_signal[0]}", flush=True)
        else:
            print(f"exit-status {result.exit_status}", flush=True)


asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
