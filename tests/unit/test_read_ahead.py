"""A JSON Lines file read in a second process gives what `read_lines` gives in this one (the same lines,
numbers, records and errors, in order), each event sealed as the ledger would seal it; and the process
stops whenever the reading stops."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from lotledger.demo import plant
from lotledger.domain.events import Event
from lotledger.domain.recording import seal
from lotledger.interchange import read_ahead
from lotledger.interchange.jsonl import Line, read_lines
from lotledger.interchange.read_ahead import read_file_lines

RECEIPT = (
    '{"type":"receive","time":"2026-11-01T08:00:00+01:00","location":"RAW","partner":"MILLCO",'
    '"lines":[{"item":"FLOUR","lot":"F-1","qty":"%s","uom":"kg"}]}'
)
BAD = [
    b"{not json",
    (RECEIPT % "1e999999").encode(),
    (RECEIPT % "5").replace("MILL", "\\ud800").encode(),  # a lone surrogate
    (RECEIPT % "5").replace("RAW", "R\\u0000W").encode(),  # a NUL
    b"[" * 10_000 + b"]" * 10_000,
    b"\xff\xfe not UTF-8",
    b"   ",  # blank: skipped, its number kept by the lines after it
    (RECEIPT % "-5").encode(),
    b'{"type":"item","sku":"NEW","name":"A new item","uom":"kg"}',
    (RECEIPT % "5").encode(),  # no id: one derived from its content
    (RECEIPT % "5").replace("08:00", "09:00").encode(),
]


def plant_file(path: Path, cycles: int) -> Path:
    """The demo bakery's records with the bad lines of BAD among them."""
    lines = [json.dumps(record, separators=(",", ":")).encode() for record in plant(cycles)]
    for i, bad in enumerate(BAD):
        lines.insert(40 + 25 * i, bad)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def described(lines: Iterator[Line]) -> list[tuple[Any, ...]]:
    return [
        (line.number, line.record, None if line.error is None else (type(line.error), str(line.error)), line.sealed)
        for line in lines
    ]


def test_read_ahead_gives_the_lines_read_lines_gives_with_each_event_sealed(tmp_path: Path) -> None:
    path = plant_file(tmp_path / "plant.jsonl", cycles=300)
    with path.open("rb") as handle:
        expected = [
            (number, record, error, seal(record) if isinstance(record, Event) else None)
            for number, record, error, _ in described(read_lines(handle))
        ]
    with closing(read_file_lines(path, ahead=True)) as lines:
        found = described(lines)
    assert found == expected
    assert len(found) > 2 * read_ahead.CHUNK  # several chunks crossed the pipe
    assert sum(1 for *_, error, _ in found if error is not None) == 7


def test_a_small_file_is_read_in_this_process_unsealed(tmp_path: Path) -> None:
    path = tmp_path / "small.jsonl"
    path.write_text(RECEIPT % "5" + "\n")
    [line] = read_file_lines(path)
    assert isinstance(line.record, Event)
    assert line.sealed is None  # the ledger seals it, as it always did


def test_a_file_that_cannot_be_read_raises_what_reading_it_here_would(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(read_file_lines(tmp_path / "gone.jsonl", ahead=True))


class Children:
    """Every reader process started, to check that each has ended."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[subprocess.Popen[bytes]] = []
        popen = subprocess.Popen

        def started(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
            child = popen(*args, **kwargs)
            self.started.append(child)
            return child

        monkeypatch.setattr(read_ahead.subprocess, "Popen", started)

    def all_ended(self) -> bool:
        return bool(self.started) and all(child.returncode is not None for child in self.started)


def test_the_reader_process_ends_when_the_reading_stops_early(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    children = Children(monkeypatch)
    path = plant_file(tmp_path / "plant.jsonl", cycles=300)  # more than the pipe holds: the child waits on it
    with closing(read_file_lines(path, ahead=True)) as lines:
        for line in lines:
            if line.number == 10:
                break
    assert children.all_ended()


@pytest.mark.parametrize("stop", [KeyboardInterrupt, ValueError])
def test_the_reader_process_ends_when_recording_raises(
    stop: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = Children(monkeypatch)
    path = plant_file(tmp_path / "plant.jsonl", cycles=300)

    def record(lines: Iterator[Line]) -> None:
        for line in lines:
            if line.number == 10:
                raise stop  # Ctrl-C, or an unforeseen failure, while this process records

    with closing(read_file_lines(path, ahead=True)) as lines, pytest.raises(stop):
        record(lines)
    assert children.all_ended()


def test_a_reader_process_that_dies_is_an_error_not_a_short_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = Children(monkeypatch)
    path = plant_file(tmp_path / "plant.jsonl", cycles=300)
    lines = read_file_lines(path, ahead=True)
    next(lines)
    children.started[0].kill()
    with pytest.raises(RuntimeError, match=r"the reader process of .* stopped \(exit code -9\)"):
        list(lines)
    assert children.all_ended()


def test_an_event_sealed_in_the_reader_process_has_the_canonical_json_and_hash_it_always_had(tmp_path: Path) -> None:
    # Pinned with the code before the reader process existed: stored hash chains must keep verifying.
    line = (
        '{"id":"6513270e-269e-4d37-b2a7-4de452e6b438","type":"receive","time":"2026-11-01T08:00:00+01:00",'
        '"location":"RAW","partner":"MILLCO","note":"Mehl \\u00e9t\\u00e9 \\u2014 \\u6771",'
        '"lines":[{"item":"FLOUR","lot":"F-1","qty":"12.50","uom":"kg"}]}'
    )
    path = tmp_path / "one.jsonl"
    path.write_text(line + "\n")
    [read] = read_file_lines(path, ahead=True)
    assert read.sealed is not None
    assert read.sealed.text == (
        '{"id":"6513270e-269e-4d37-b2a7-4de452e6b438","lines":[{"item":"FLOUR","lot":"F-1","qty":"12.5","uom":"kg"}],'
        '"location":"RAW","note":"Mehl \\u00e9t\\u00e9 \\u2014 \\u6771","partner":"MILLCO",'
        '"time":"2026-11-01T08:00:00+01:00","type":"receive"}'
    )
    assert read.sealed.digest == "a70e5a2ba8b27eb4ed1b126b070a95e5ef80b5c024f5877a33bed921e18e57c1"
