"""Exercises the SFTP extensions OpenSSH's sftp client does not use, through asyncssh.

Usage: asyncssh_sftp_extensions.py PORT KEY_FILE
Prints one line per check, "name ok ..." or "name error ...", then "done".
"""
import asyncio
import sys

import asyncssh


async def main(port: int, key_file: str) -> None:
    async with asyncssh.connect(
        "127.0.0.1", port, username="demo", client_keys=[key_file], known_hosts=None
    ) as connection:
        async with connection.start_sftp_client() as sftp:
            async def check(name, action):
                try:
                    result = await action()
                    print(f"{name} ok {result}", flush=True)
                except Exception as error:  # every failure is reported, none stops the run
                    print(f"{name} error {type(error).__name__}: {error}", flush=True)

            async with sftp.open("/data.bin", "wb") as file:
                await file.write(b"0123456789" * 1000)
                await check("fsync", file.fsync)
                await check("fstatvfs", lambda: _blocks(file.statvfs()))
            await check("statvfs", lambda: _blocks(sftp.statvfs("/")))
            await check("hardlink", lambda: sftp.link("/data.bin", "/hard.bin"))
            await check("posix-rename", lambda: sftp.posix_rename("/hard.bin", "/renamed.bin"))
            await check("copy-data", lambda: sftp.remote_copy("/data.bin", "/copy.bin"))
            await check("copy-size", lambda: _size(sftp, "/copy.bin"))
            await check("lsetstat", lambda: sftp.setstat(
                "/renamed.bin", asyncssh.SFTPAttrs(permissions=0o600), follow_symlinks=False))
            await check("limits", lambda: _limits(sftp))
            await check("realpath", lambda: sftp.realpath("/./data.bin"))
            await check("check-file-name", lambda: _check_file(sftp, "check-file-name", b"/data.bin", 0))
            await check("check-file-blocks", lambda: _check_file(sftp, "check-file-name", b"/data.bin", 4096))
            await check("refused-remove", lambda: sftp.remove("/copy.bin"))
    print("done", flush=True)


async def _blocks(awaitable):
    attrs = await awaitable
    return attrs.bsize


async def _size(sftp, path):
    return (await sftp.stat(path)).size


async def _check_file(sftp, name, path, block_size):
    # draft-ietf-secsh-filexfer-extensions-00 section 3, sent by hand: asyncssh has no helper.
    from asyncssh.packet import String, UInt32, UInt64, SSHPacket
    from asyncssh.sftp import FXP_EXTENDED_REPLY
    handler = sftp._handler
    # asyncssh accepts an EXTENDED_REPLY only for the extensions it knows; teach it this one.
    handler._return_types = {**handler._return_types, name.encode(): FXP_EXTENDED_REPLY}
    reply = await handler._make_request(
        name.encode(), String(path), String(b"md5,sha256"), UInt64(0), UInt64(0), UInt32(block_size))
    packet = SSHPacket(reply) if isinstance(reply, bytes) else reply
    assert packet.get_string() == b"check-file"
    algorithm = packet.get_string().decode()
    digests = packet.get_remaining_payload()
    return f"{algorithm} {digests.hex()}"


async def _limits(sftp):
    limits = sftp.limits
    return f"{limits.max_packet_len} {limits.max_read_len} {limits.max_write_len} {limits.max_open_handles}"


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
