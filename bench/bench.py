#!/usr/bin/env python3
"""swift-sshd against OpenSSH's sshd, side by side in one run (issue 6; DESIGN §9).

Usage (as root; `make bench` builds the release binary and runs this):
    bench/bench.py --binary PATH [--login-client PATH] [--runs 3] [--quick]

Prints a Markdown report: each measurement for both servers, medians of the runs, and the ratio
swift-sshd / OpenSSH. Every load is bounded in count and time and stops by itself; all traffic
stays on 127.0.0.1. Benchmarks are not tests: nothing here passes or fails.
"""
import argparse
import asyncio
import concurrent.futures
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from servers import OpenSSH, SwiftSSHD, prepare  # noqa: E402

GIB = 1 << 30
CIPHERS = ["aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com"]


def cpu_seconds(server):
    """CPU seconds of every process of the server (its cgroup)."""
    return server.cpu_seconds()


def settle(server, limit=10):
    """Waits until the server has no child processes left (per-connection processes reaped)."""
    deadline = time.time() + limit
    while time.time() < deadline and len(server.processes()) > 1:
        time.sleep(0.05)
    time.sleep(0.1)


def timed(server, command, limit=600, **kwargs):
    """Runs a client command; returns (wall seconds, server CPU seconds)."""
    settle(server)
    cpu = cpu_seconds(server)
    start = time.monotonic()
    done = subprocess.run(command, timeout=limit, stdout=kwargs.pop("stdout", subprocess.DEVNULL), stderr=subprocess.PIPE, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{server.name}: {' '.join(command)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    wall = time.monotonic() - start
    settle(server)
    return wall, cpu_seconds(server) - cpu


def sftp_transfer(server, work, cipher, upload):
    batch = work / "batch"
    if not upload:
        batch.write_text(f"get {server.path('1g.bin')} /dev/null\n")
        return timed(server, server.sftp("-c", cipher, "-b", str(batch)))
    batch.write_text(f"put {work}/data/1g.bin {server.path('up.bin')}\n")
    try:
        return timed(server, server.sftp("-c", cipher, "-b", str(batch)))
    finally:
        # Removed outside the measured window: dropping a GiB of page cache is not transfer work,
        # and its cost swings with how much of it was written back yet.
        (work / "data" / "up.bin").unlink(missing_ok=True)


def raw_channel(server, work, upload):
    if upload:
        with open(work / "data" / "1g.bin", "rb") as source:
            return timed(server, server.ssh("-c", "aes128-gcm@openssh.com") + ["cat > /dev/null"], stdin=source)
    return timed(server, server.ssh("-c", "aes128-gcm@openssh.com") + [f"cat {server.shell_path('1g.bin')}"])


def handshakes(server, count, in_flight):
    """`count` logins running `true` (curve25519-sha256, ed25519), `in_flight` at a time."""
    command = server.ssh("-o", "KexAlgorithms=curve25519-sha256", "-o", "HostKeyAlgorithms=ssh-ed25519") + ["true"]
    settle(server)
    cpu = cpu_seconds(server)
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(in_flight) as pool:
        results = list(pool.map(lambda _: subprocess.run(command, timeout=60, capture_output=True).returncode, range(count)))
    wall = time.monotonic() - start
    settle(server)
    failed = sum(1 for code in results if code != 0)
    return count / wall, (cpu_seconds(server) - cpu) * 1000 / count, failed


def light_handshakes(server, work, client, count, in_flight):
    """The same logins from `LoginBenchmark`: one process, one thread per login in flight, built
    on this package's protocol engine, so that the servers rather than `ssh` start-ups are what
    the two cores spend their time on. Its host key is pinned to the servers' own."""
    command = [client, "--port", str(server.port), "--user", server.login, "--key", str(work / "user_key"),
               "--host-key", str(work / "host_key"), "--count", str(count), "--in-flight", str(in_flight),
               "--command", "true", "--time-limit", "300"]
    settle(server)
    cpu = cpu_seconds(server)
    done = subprocess.run(command, timeout=400, capture_output=True, text=True)
    settle(server)
    fields = dict(item.split("=") for item in done.stdout.split())
    if done.returncode not in (0, 1) or "seconds" not in fields:
        raise RuntimeError(f"{server.name}: LoginBenchmark failed ({done.returncode}): {done.stderr}")
    succeeded, failed = int(fields["logins"]), int(fields["failed"])
    if failed:
        print(f"{server.name}: {failed} of {count} logins failed: {done.stderr.strip()}", file=sys.stderr)
    return succeeded / float(fields["seconds"]), (cpu_seconds(server) - cpu) * 1000 / max(succeeded, 1), failed


FLOOR = pathlib.Path(__file__).resolve().parent / "floor.py"
# The OpenSSL cipher each SSH cipher does its bulk work with (OpenSSH's chacha20-poly1305 runs
# the same ChaCha20 and Poly1305 over every byte as the IETF construction does).
FLOOR_CIPHERS = {"aes128-gcm@openssh.com": "aes-128-gcm", "chacha20-poly1305@openssh.com": "chacha20-poly1305"}


def floor_run(arguments):
    done = subprocess.run([sys.executable, str(FLOOR)] + arguments, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not done.stdout.startswith("cpu="):
        raise RuntimeError(f"floor.py {' '.join(arguments)} failed ({done.returncode}): {done.stderr}")
    return float(done.stdout.strip().split("=")[1])


def floor(work, upload):
    """CPU seconds per GiB of the copies alone (bench/floor.py): no SSH, no cipher."""
    source = str(work / "data" / "1g.bin")
    if upload:
        return floor_run(["upload", source, str(work / "data" / "floor-up.bin")])
    return floor_run(["download", source])


def floor_cipher(cipher):
    """CPU seconds per GiB of the cipher alone, at OpenSSL's own speed."""
    return floor_run(["cipher", FLOOR_CIPHERS[cipher]])


def floor_report(floors):
    lines = [
        "Floor: what the kernel's copies (file ↔ user memory ↔ loopback socket, `bench/floor.py`, "
        "no SSH) and the cipher at OpenSSL's own speed cost per GiB, measured in the same run; no "
        "server can spend less. CPU seconds per GiB.",
        "",
        "| transfer | OpenSSH sshd | swift-sshd | kernel copies | cipher | floor | floor / OpenSSH | swift-sshd − floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, theirs, ours, kernel, cipher_alone in floors:
        total = kernel + cipher_alone
        lines.append(f"| {label} | {theirs:.2f} s | {ours:.2f} s | {kernel:.2f} s | {cipher_alone:.2f} s | "
                     f"{total:.2f} s | {ratio(total, theirs):.2f}× | {ours - total:.2f} s |")
    return "\n".join(lines)


def pss_kib(server):
    total = 0
    for pid in server.processes():
        try:
            for line in pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def available_mib():
    for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    return 0


async def hold_connections(server, work, target, measure, time_limit):
    """Opens authenticated connections (asyncssh, 50 at a time) up to `target`, stopping at the
    first batch that fails, at `time_limit` seconds, or when less than 2 GiB of memory is left;
    calls `measure(held)` while they are open, then closes them all."""
    import asyncssh
    key = asyncssh.read_private_key(str(work / "user_key"))
    held = []
    deadline = time.monotonic() + time_limit

    async def one():
        return await asyncio.wait_for(asyncssh.connect(
            "127.0.0.1", server.port, username=server.login, client_keys=[key], known_hosts=None,
            kex_algs=["curve25519-sha256"], encryption_algs=["aes128-gcm@openssh.com"]), 60)

    try:
        while len(held) < target and time.monotonic() < deadline and available_mib() > 2048:
            batch = min(50, target - len(held))
            results = await asyncio.gather(*(one() for _ in range(batch)), return_exceptions=True)
            good = [r for r in results if not isinstance(r, BaseException)]
            held.extend(good)
            if len(good) < batch:
                break
        return measure(len(held))
    finally:
        for connection in held:
            connection.close()
        await asyncio.gather(*(c.wait_closed() for c in held), return_exceptions=True)


def median(values):
    return statistics.median(values)


def ratio(ours, theirs):
    return ours / theirs if theirs else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--login-client", help="the LoginBenchmark binary, for handshakes from one light process")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run, smaller counts (a smoke test of the harness)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: run as root (OpenSSH's sshd needs it, and the bench makes a user)")
    runs = 1 if args.quick else args.runs
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = pathlib.Path(tempfile.mkdtemp(prefix="swift-sshd-bench-"))
    prepare(work)
    servers = [OpenSSH(work, 2301), SwiftSSHD(work, 2302, args.binary)]
    rows = []
    try:
        for server in servers:
            server.start()

        def both(label, unit, measure, better="higher"):
            values = {server.name: [] for server in servers}
            for _ in range(runs):
                for server in servers:  # interleaved, so drifts hit both alike
                    values[server.name].append(measure(server))
            theirs, ours = median(values[servers[0].name]), median(values[servers[1].name])
            rows.append((label, unit, theirs, ours, ratio(ours, theirs), better))
            print(f"{label}: OpenSSH {theirs:.3f} {unit}, swift-sshd {ours:.3f} {unit}", file=sys.stderr, flush=True)

        size = GIB
        floors = []
        for cipher in CIPHERS:
            short = cipher.split("@")[0]
            for upload in (False, True):
                direction = "upload" if upload else "download"
                samples = {}

                def transfer(server, cipher=cipher, upload=upload, samples=samples):
                    wall, cpu = sftp_transfer(server, work, cipher, upload)
                    samples.setdefault(server.name, []).append(cpu / (size / GIB))
                    return size / wall / 1e6
                both(f"SFTP {direction}, {short}", "MB/s", transfer)
                theirs, ours = median(samples[servers[0].name]), median(samples[servers[1].name])
                rows.append((f"server CPU per GiB, SFTP {direction}, {short}", "s", theirs, ours, ratio(ours, theirs), "lower"))
                kernel = median([floor(work, upload) for _ in range(runs)])
                cipher_alone = median([floor_cipher(cipher) for _ in range(runs)])
                floors.append((f"SFTP {direction}, {short}", theirs, ours, kernel, cipher_alone))
                print(f"floor, {direction} {short}: kernel {kernel:.3f} s, cipher {cipher_alone:.3f} s", file=sys.stderr, flush=True)
        for upload in (True, False):
            direction = "client → server (`cat > /dev/null`)" if upload else "server → client (`cat file`)"
            both(f"raw channel {direction}, aes128-gcm", "MB/s", lambda server, upload=upload: size / raw_channel(server, work, upload)[0] / 1e6)

        count = 30 if args.quick else 200
        clients = [("`ssh`", lambda server, in_flight: handshakes(server, count, in_flight))]
        if args.login_client:
            clients.append(("LoginBenchmark", lambda server, in_flight: light_handshakes(server, work, args.login_client, count, in_flight)))
        for client, measure in clients:
            for in_flight in (1, 20):
                cpu_samples = {}

                def rate(server, in_flight=in_flight, cpu_samples=cpu_samples, measure=measure):
                    per_second, cpu_ms, failed = measure(server, in_flight)
                    if failed:
                        print(f"{server.name}: {failed} of {count} logins failed", file=sys.stderr)
                    cpu_samples.setdefault(server.name, []).append(cpu_ms)
                    return per_second
                label = f"{client}, " + ("sequential" if in_flight == 1 else f"{in_flight} in flight")
                both(f"handshakes per second ({label}; {count} logins running `true`)", "1/s", rate)
                theirs, ours = median(cpu_samples[servers[0].name]), median(cpu_samples[servers[1].name])
                rows.append((f"server CPU per connection ({label})", "ms", theirs, ours, ratio(ours, theirs), "lower"))

        # Memory is measured on fresh processes: what the transfers left in the heap would hide
        # (or pad) what idle connections cost.
        for server in servers:
            server.stop()
            server.start()
        idle = 50 if args.quick else 500
        memory = {}
        for server in servers:
            settle(server)
            before = pss_kib(server)
            after = asyncio.run(hold_connections(server, work, idle, lambda held, server=server: (held, pss_kib(server)), 300))
            memory[server.name] = (after[1] - before) / max(after[0], 1)
        rows.append((f"memory per idle authenticated connection (PSS, {idle} connections)", "KiB",
                     memory[servers[0].name], memory[servers[1].name], ratio(memory[servers[1].name], memory[servers[0].name]), "lower"))

        target = 500 if args.quick else 10000
        most = {}
        for server in servers:
            settle(server)
            most[server.name] = asyncio.run(hold_connections(
                server, work, target, lambda held, server=server: (held, rss_kib(server.pid), pss_kib(server)), 600))
        rows.append((f"concurrent authenticated connections held (aim {target})", "",
                     most[servers[0].name][0], most[servers[1].name][0], ratio(most[servers[1].name][0], most[servers[0].name][0]), "higher"))
        rows.append(("memory with that many open (PSS of every process)", "MiB",
                     most[servers[0].name][2] / 1024, most[servers[1].name][2] / 1024, float("nan"), "lower"))
        rows.append(("swift-sshd RSS with that many open", "MiB", float("nan"), most[servers[1].name][1] / 1024, float("nan"), "lower"))
    finally:
        for server in servers:
            server.stop()
        subprocess.run(["rm", "-rf", str(work)])

    print(report(rows, runs, args))
    print()
    print(floor_report(floors))


def report(rows, runs, args):
    cpu = next((line.split(":", 1)[1].strip() for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    ssh_version = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr.strip()
    lines = [
        f"Machine: {os.cpu_count()} × {cpu}, {available_mib() // 1024} GiB free, Linux {platform.release()}; "
        f"client and both servers on it, over 127.0.0.1. Client: {ssh_version}. Medians of {runs} interleaved runs.",
        "",
        "| measurement | OpenSSH sshd | swift-sshd | swift-sshd / OpenSSH |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, unit, theirs, ours, value, better in rows:
        def cell(number):
            if number != number:  # NaN
                return "—"
            return f"{number:,.0f} {unit}".strip() if abs(number) >= 100 else f"{number:,.2f} {unit}".strip()
        shown = "—" if value != value else f"{value:.2f}× ({better} is better)"
        lines.append(f"| {label} | {cell(theirs)} | {cell(ours)} | {shown} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
