"""Whether ``serve`` can listen where it is told to, and if not, who listens there."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

LISTEN = "0A"  # the state column of /proc/net/tcp for a listening socket


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (one line), or None when it can.

    Binds a probe the way uvicorn does (``SO_REUSEADDR``: a closing connection does not
    count, a listener does), so the answer is uvicorn's, asked before anything starts.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        return f"cannot listen on {host}: {error.strerror}"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                return f"cannot listen on {host}:{port}: {error.strerror}"
            holder = listener(port)
            return f"port {port} on {host} is in use" + (f" by {holder}" if holder else "")
    return None


def listener(port: int) -> str | None:
    """``pid N (command line)`` of the process listening on TCP ``port``, where the system
    shows it (Linux's /proc, for processes this user may see); None otherwise."""
    sockets = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                sockets.add(f"socket:[{inode}]")
    if not sockets:
        return None
    for descriptors in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) in sockets for fd in descriptors.iterdir()):
                command = (descriptors.parent / "cmdline").read_bytes()
                shown = command.replace(b"\0", b" ").decode(errors="replace").strip()
                return f"pid {descriptors.parent.name} ({shown[:100]})"
        except OSError:  # gone meanwhile, or not ours to see
            continue
    return None
