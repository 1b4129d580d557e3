"""A throwaway PostgreSQL cluster from Debian's binaries, on 127.0.0.1, for the tests."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """initdb + pg_ctl start in a temporary directory; stop() removes it.

    The benchmarks pass `data` (a directory kept after stop(keep=True), reused
    if it holds a cluster) and `settings` (extra server settings, e.g. memory).
    """

    def __init__(self, data: Path | None = None, settings: dict[str, str] | None = None) -> None:
        bindir = _bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
        self.bindir = bindir
        self.port = _free_port()
        self.data = data or Path(tempfile.mkdtemp(prefix="lotledger-pg-"))
        self.data.mkdir(parents=True, exist_ok=True)
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.data, "postgres", "postgres")
        if not (self.data / "db").exists():
            self._run(f"{bindir}/initdb -D {self.data}/db -A trust -U postgres --no-sync -E UTF8")
        options = f"-k {self.data} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        options += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
        self._run(f"{bindir}/pg_ctl -D {self.data}/db -o '{options}' -l {self.data}/log -w start")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, command: str) -> None:
        argv = ["su", "postgres", "-s", "/bin/sh", "-c", command] if self.as_root else ["/bin/sh", "-c", command]
        subprocess.run(argv, check=True, capture_output=True, cwd="/tmp")

    def stop(self, keep: bool = False) -> None:
        try:
            self._run(f"{self.bindir}/pg_ctl -D {self.data}/db -m {'fast' if keep else 'immediate'} -w stop")
        finally:
            if not keep:
                shutil.rmtree(self.data, ignore_errors=True)
