"""A JSON Lines file read in a second process while this one records (issue 14: bulk import).

Reading a line does not depend on the ledger: decoding, validating it into an
event and sealing it (its canonical JSON and fingerprint) read the line alone;
only the hash chain's link needs the event before it, and the writer adds
that. So a child process reads, validates and seals, and sends the lines back
in order, a chunk at a time, through a bounded queue; this process records
them. Errors keep their line numbers and master-data lines their place: the
lines are the same `Line`s `read_lines` gives, in the same order.

The child runs in its own session (Ctrl-C reaches this process, which stops
it), is stopped when this one stops reading (the iterator closed, or
collected) and ends on a broken pipe if this one dies; it is always waited
for, so none is left behind. A small file is read in this process: starting
the child costs about a third of a second.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import io
import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Callable, Generator
from pathlib import Path
from typing import IO, Any

import lotledger
from lotledger.domain.events import EVENT_TYPES, Event, LotLine, Result
from lotledger.domain.recording import Sealed, seal
from lotledger.interchange.jsonl import Line, read_lines

AHEAD_FROM = 4 * 2**20  # bytes (about 15,000 lines): smaller files are read in this process
CHUNK = 1000  # lines a message
_FRAME = struct.Struct("<cQ")  # kind (L lines, E error, D done), payload length


def read_file_lines(path: Path, *, ahead: bool | None = None) -> Generator[Line, None, None]:
    """The lines of the JSON Lines file at `path`, as `read_lines` reads them, each event sealed when a
    second process reads them (`ahead`, by default for files of AHEAD_FROM bytes or more). Close the
    iterator (or read it to its end) to stop the process: `contextlib.closing` does."""
    if ahead is None:
        ahead = path.stat().st_size >= AHEAD_FROM
    if ahead:
        yield from _read_in_child(path)
    else:
        with path.open("rb") as handle:
            yield from read_lines(handle)


def _read_in_child(path: Path) -> Generator[Line, None, None]:
    # A plain child interpreter on a pipe: nothing of this process (connections, threads, the main
    # module) is copied or re-run, the pipe's buffer bounds how far it reads ahead, and it ends on
    # a broken pipe if this process goes away. Its own session: Ctrl-C reaches this process only.
    source = str(Path(lotledger.__file__).resolve().parents[1])  # the same lotledger as this process
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (source, os.environ.get("PYTHONPATH"))))}
    command = [sys.executable, "-m", "lotledger.interchange.read_ahead", str(path)]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env, start_new_session=True)
    assert child.stdout is not None
    try:
        while True:
            kind, payload = _read_frame(child.stdout)
            if kind == b"D":
                return
            if kind == b"E":
                raise pickle.loads(payload)
            if kind != b"L":
                code = child.wait()
                raise RuntimeError(f"the reader process of {path} stopped (exit code {code})")
            yield from pickle.loads(payload)
    finally:
        if child.poll() is None:
            child.terminate()
        child.wait()
        child.stdout.close()


def _read_frame(pipe: IO[bytes]) -> tuple[bytes, bytes]:
    head = pipe.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return b"", b""  # the child ended without saying it was done
    kind, size = _FRAME.unpack(head)
    payload = pipe.read(size)
    return (kind, payload) if len(payload) == size else (b"", b"")


def _produce(path: str, out: IO[bytes]) -> None:
    """The child: each line read, validated and sealed, CHUNK lines a frame; then a done (or error) frame."""
    try:
        with open(path, "rb") as handle:
            chunk: list[Line] = []
            for line in read_lines(handle):
                if isinstance(line.record, Event):
                    line = Line(line.number, line.record, sealed=seal(line.record))
                chunk.append(line)
                if len(chunk) >= CHUNK:
                    _write_frame(out, b"L", _dumps(chunk))
                    chunk = []
        _write_frame(out, b"L", _dumps(chunk))
        _write_frame(out, b"D", b"")
    except (BrokenPipeError, KeyboardInterrupt):
        return  # the reader stopped reading
    except Exception as error:  # the parent raises it
        _write_frame(out, b"E", _picklable(error))
    with contextlib.suppress(BrokenPipeError):
        out.flush()


def _write_frame(out: IO[bytes], kind: bytes, payload: bytes) -> None:
    out.write(_FRAME.pack(kind, len(payload)))
    out.write(payload)


def _picklable(error: Exception) -> bytes:
    try:
        pickle.loads(data := pickle.dumps(error))
        return data
    except Exception:  # not picklable: its words are
        return pickle.dumps(RuntimeError(f"reading the file failed: {type(error).__name__}: {error}"))


# Dataclasses pickled as their class and field values: unpickling calls the class
# (C-level argument passing) instead of setting each slot from a state dict, which
# takes this process about a third of the time the default way does.
def _by_fields(names: dict[type, tuple[str, ...]]) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    def reduce(value: Any) -> tuple[type, tuple[Any, ...]]:
        return type(value), tuple([getattr(value, name) for name in names[type(value)]])

    return reduce


_FIELDS = {
    cls: tuple(f.name for f in dataclasses.fields(cls))
    for cls in (Line, Sealed, LotLine, Result, *EVENT_TYPES.values())
}
_DISPATCH = {**copyreg.dispatch_table, **dict.fromkeys(_FIELDS, _by_fields(_FIELDS))}


def _dumps(lines: list[Line]) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(lines)
    return buffer.getvalue()


if __name__ == "__main__":
    _produce(sys.argv[1], sys.stdout.buffer)
    with contextlib.suppress(BrokenPipeError):  # the reader may have gone: no complaint about the pipe at exit
        sys.stdout.close()
