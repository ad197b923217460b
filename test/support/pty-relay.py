"""Runs a command in a pseudo-terminal of a given size, for the tests that look at a screen.

    python3 pty-relay.py COLUMNS ROWS COMMAND [ARG...]

What the command writes to its terminal goes to stdout as is (for a terminal emulator to show).
stdin takes one instruction a line: "resize COLUMNS ROWS" (the terminal changes size and the
command gets SIGWINCH, as a window resize does) or "interrupt" (Ctrl-C typed at the terminal).
Exits with the command's exit code (128 + the signal's number when a signal ended it).
Python's standard library only: CI has python3 (moto_server runs on it), not always tmux.
"""

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios


def set_size(fd, columns, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def main():
    columns, rows = int(sys.argv[1]), int(sys.argv[2])
    command = sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        # The size before the command starts: its first look at the terminal is right.
        set_size(sys.stdin.fileno(), columns, rows)
        os.execvp(command[0], command)
    out = sys.stdout.buffer
    stdin = sys.stdin.fileno()
    inputs = [fd, stdin]
    pending = b""
    while True:
        ready, _, _ = select.select(inputs, [], [])
        if fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                # EIO: every process holding the terminal has ended.
                data = b""
            if not data:
                break
            out.write(data)
            out.flush()
        if stdin in ready:
            chunk = os.read(stdin, 4096)
            if not chunk:
                inputs.remove(stdin)
                continue
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                words = line.decode().split()
                if words[:1] == ["resize"]:
                    set_size(fd, int(words[1]), int(words[2]))
                    # The kernel signals the foreground process group too; a second one is harmless.
                    os.kill(pid, signal.SIGWINCH)
                elif words == ["interrupt"]:
                    os.write(fd, b"\x03")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(128 - code if code < 0 else code)


main()
