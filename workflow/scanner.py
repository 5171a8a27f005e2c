"""The virus scan of uploads: ClamAV's clamd, spoken to over its socket with the INSTREAM command.

Configured by `CLAMAV_SOCKET` (a Unix socket path) or `CLAMAV_HOST` and `CLAMAV_PORT`; with neither,
uploads are stored unscanned and marked so (production may choose not to run a scanner).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(OSError):
    pass


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


def configured() -> bool:
    return bool(getattr(settings, "CLAMAV_SOCKET", "") or getattr(settings, "CLAMAV_HOST", ""))


def _connect(timeout: float) -> socket.socket:
    path = getattr(settings, "CLAMAV_SOCKET", "")
    try:
        if path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(path)
            return sock
        return socket.create_connection((settings.CLAMAV_HOST, settings.CLAMAV_PORT), timeout=timeout)
    except OSError as exc:
        raise ScannerUnavailable(f"The virus scanner is not reachable ({exc.strerror or exc}).") from exc


def scan(data: bytes, timeout: float = 60.0) -> Verdict:
    """Stream `data` to clamd and read its verdict: 'stream: OK' or 'stream: <signature> FOUND'."""
    with _connect(timeout) as sock:
        try:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
        except OSError as exc:
            raise ScannerUnavailable(f"The virus scan did not finish ({exc}).") from exc
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith("FOUND"):
        return Verdict(False, text.removeprefix("stream:").removesuffix("FOUND").strip())
    if text.endswith("OK"):
        return Verdict(True)
    raise ScannerUnavailable(f"The virus scanner answered: {text or 'nothing'}")


def ping(timeout: float = 2.0) -> bool:
    try:
        with _connect(timeout) as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False
