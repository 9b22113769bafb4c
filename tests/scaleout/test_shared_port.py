"""``colonnade serve --shared-port``: a port another process holds without sharing it is
refused at start with a message, not taken over or half-served."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from support import free_port


def test_a_port_held_unshared_is_refused_with_a_message() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}
        own = free_port()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "colonnade",
                "serve",
                "--port",
                str(own),
                "--shared-port",
                str(port),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"colonnade: cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    with socket.socket() as probe:  # its own port was let go as well
        probe.bind(("127.0.0.1", own))
