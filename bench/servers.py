"""The two servers under comparison, set up side by side on loopback (issue 6).

OpenSSH's sshd runs as root with its own config (privilege separation, a process per connection,
/usr/lib/openssh/sftp-server); swift-sshd runs the way a users-file deployment runs it, as an
unprivileged user with SFTP in its own process. Both have the same ed25519 host key and accept the
same ed25519 user key; both serve the same files.
"""
import os
import pathlib
import pwd
import shutil
import signal
import subprocess
import time

BENCH_USER = "sshbench"
CLIENT_OPTIONS = [
    "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
]


def run(args, **kwargs):
    """Runs a command, failing loudly; output captured."""
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=kwargs.pop("timeout", 600), **kwargs)


def hard_limit():
    """The descriptor limit the server may take: this process's hard limit."""
    import resource
    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


def ensure_user():
    try:
        return pwd.getpwnam(BENCH_USER)
    except KeyError:
        run(["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", BENCH_USER])
        return pwd.getpwnam(BENCH_USER)


def wait_for_port(port, limit=20):
    import socket
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.recv(64)
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


class Server:
    """One server process: its name, port, pid, the user and key to log in with, and where the
    benchmark's files are in the client's view. Each runs in a cgroup of its own, so that its CPU
    time counts every process it starts (OpenSSH's per-connection processes, sessions)."""

    name = ""

    def __init__(self, work, port):
        self.work = work
        self.port = port
        self.process = None
        self.cgroup = None

    def enter_cgroup(self):
        """Moves the (just started) server into a new cgroup: cgroup v1's cpuacct, or v2."""
        tag = f"swift-sshd-bench-{self.port}-{os.getpid()}"
        for base, usage in (("/sys/fs/cgroup/cpuacct", "cpuacct.usage"), ("/sys/fs/cgroup", "cpu.stat")):
            if os.path.exists(os.path.join(base, "cgroup.procs")):
                path = pathlib.Path(base) / tag
                path.mkdir(exist_ok=True)
                (path / "cgroup.procs").write_text(str(self.pid))
                self.cgroup = (path, usage)
                return
        raise RuntimeError("no cgroup hierarchy to count the servers' CPU time")

    def cpu_seconds(self):
        """CPU time of every process that ran in the server's cgroup."""
        path, usage = self.cgroup
        text = (path / usage).read_text()
        if usage == "cpuacct.usage":
            return int(text) / 1e9
        return next(int(line.split()[1]) for line in text.splitlines() if line.startswith("usage_usec")) / 1e6

    @property
    def pid(self):
        return self.process.pid

    def ssh(self, *extra):
        return ["ssh", *CLIENT_OPTIONS, "-i", str(self.work / "user_key"), "-p", str(self.port), *extra, f"{self.login}@127.0.0.1"]

    def sftp(self, *extra):
        return ["sftp", *CLIENT_OPTIONS, "-i", str(self.work / "user_key"), "-P", str(self.port), *extra, f"{self.login}@127.0.0.1"]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.cgroup:
            deadline = time.time() + 10
            while time.time() < deadline:
                try:
                    self.cgroup[0].rmdir()
                    break
                except OSError:
                    time.sleep(0.1)

    def processes(self):
        """The server's pid and every descendant's."""
        children = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = pathlib.Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found


class OpenSSH(Server):
    name = "OpenSSH sshd"
    login = BENCH_USER

    def start(self):
        os.makedirs("/run/sshd", exist_ok=True)
        config = self.work / "sshd_config"
        config.write_text(f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.work}/host_key
PidFile {self.work}/sshd.pid
AuthorizedKeysFile {self.work}/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
Subsystem sftp /usr/lib/openssh/sftp-server
MaxStartups 20000
MaxSessions 10
UseDNS no
PrintMotd no
LogLevel ERROR
""")
        self.process = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stderr=open(self.work / "sshd.log", "w"))
        self.enter_cgroup()
        wait_for_port(self.port)

    def path(self, name):
        return f"{self.work}/data/{name}"

    def shell_path(self, name):
        return self.path(name)


class SwiftSSHD(Server):
    name = "swift-sshd"
    login = "bench"

    def __init__(self, work, port, binary):
        super().__init__(work, port)
        self.binary = binary

    def start(self):
        user = ensure_user()
        own = self.work / "swift"
        own.mkdir(exist_ok=True)
        shutil.copy(self.work / "host_key", own / "host_key")
        config = own / "swift-sshd.conf"
        config.write_text(f"""HostKey = {own}/host_key
AuthMode = users
UsersFile = {own}/users
RootDirectory = {self.work}/data
LocalHost = 127.0.0.1
LocalPort = {self.port}
MaxStartups = 20000
MaxConnections = 20000
LogLevel = ERROR
Workers = {os.environ.get("BENCH_WORKERS", "0")}
""")
        if not (own / "users").exists():
            run([self.binary, "user", "add", "bench", "-f", str(config), "--keys-only", "--root", "", "--options", "shell,exec,sftp"])
        (self.work / "data" / ".ssh").mkdir(exist_ok=True)
        shutil.copy(self.work / "user_key.pub", self.work / "data" / ".ssh" / "authorized_keys")
        for path in (own, self.work / "data"):
            run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(path)])
        os.chmod(own / "host_key", 0o600)
        self.process = subprocess.Popen(
            ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
             "prlimit", f"--nofile={hard_limit()}", self.binary, "-D", "-f", str(config)],
            stderr=open(self.work / "swift-sshd.log", "w"),
            env={**os.environ, "SWIFT_BACKTRACE": "enable=yes,limit=200,top=200,threads=crashed,unwind=precise"})
        self.enter_cgroup()
        wait_for_port(self.port)

    def path(self, name):
        return f"/{name}"

    def shell_path(self, name):
        # Shells start in the account's root, which holds the files; Landlock keeps them there.
        return name


def prepare(work):
    """Keys and data shared by both servers."""
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o755)
    for name in ("host_key", "user_key"):
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / name)])
    shutil.copy(work / "user_key.pub", work / "authorized_keys")
    data = work / "data"
    data.mkdir(exist_ok=True)
    os.chmod(data, 0o777)
    home = work / "home"
    home.mkdir(exist_ok=True)
    user = ensure_user()
    os.chown(home, user.pw_uid, user.pw_gid)
    # "*": no password, but not locked ("!"), which sshd without PAM refuses for key logins too.
    run(["usermod", "--home", str(home), "--password", "*", BENCH_USER])
    blob = data / "1g.bin"
    if not blob.exists():
        run(["sh", "-c", f"head -c 1073741824 /dev/urandom > {blob}"])
    os.chmod(blob, 0o644)
