"""Run inside fresh namespaces (``unshare``): bring loopback up, empty ``.env`` files, exec a command.

Usage: ``python -m course.grading._jail [--hide FILE ...] -- COMMAND ...``. Started by
:func:`course.grading._isolation.jail_command`; it must stay tiny and import nothing
heavy, since it runs before every grading kernel.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import socket
import struct
import sys

_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP, _MS_BIND = 0x8913, 0x8914, 0x1, 4096


def loopback_up() -> None:
    """Set the ``lo`` interface of this network namespace up (a new namespace starts with it down)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))


def hide(path: str) -> None:
    """Bind ``/dev/null`` over ``path`` in this mount namespace: reading it gives nothing."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.mount(b"/dev/null", path.encode(), None, _MS_BIND, None) != 0:
        raise OSError(ctypes.get_errno(), f"cannot hide {path}")


def main(argv: list[str]) -> int:
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    loopback_up()
    for flag, path in zip(options[::2], options[1::2], strict=False):
        if flag == "--hide":
            hide(path)
    os.execvp(command[0], command)
    return 127  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
