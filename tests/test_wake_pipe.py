"""The pipe that ends a sleeping thread's select: woken, drained, and harmless once closed."""

from __future__ import annotations

import os
import select
import threading
from pathlib import Path

from lishi_tui.wake_pipe import WakePipe


def readable(pipe: WakePipe) -> bool:
    ready, _, _ = select.select([pipe.fileno()], [], [], 0)
    return bool(ready)


def test_a_wake_from_another_thread_ends_the_wait_and_a_drain_takes_it() -> None:
    pipe = WakePipe()
    try:
        assert not readable(pipe)

        def wake_often() -> None:
            for _ in range(200):
                pipe.wake()

        waker = threading.Thread(target=wake_often)
        waker.start()
        ready, _, _ = select.select([pipe.fileno()], [], [], 10)
        waker.join()
        assert ready == [pipe.fileno()]
        pipe.drain()  # 200 wakes: more than one read's worth
        assert not readable(pipe)
    finally:
        pipe.close()


def test_once_closed_a_wake_never_writes_to_a_descriptor_opened_since(tmp_path: Path) -> None:
    pipe = WakePipe()
    numbers = (pipe.fileno(), pipe._w)
    pipe.close()
    # The lowest free numbers are given first: two files opened now take the pipe's two.
    files = [os.open(tmp_path / f"{n}.db", os.O_RDWR | os.O_CREAT) for n in range(2)]
    try:
        assert sorted(files) == sorted(numbers)
        os.write(files[0], b"kept")
        os.lseek(files[0], 0, os.SEEK_SET)
        pipe.wake()
        pipe.drain()
        pipe.close()  # twice: nothing closed that is not its own
        assert [os.fstat(f).st_size for f in files] == [4, 0]
        assert os.read(files[0], 16) == b"kept"  # nothing read away by the drain
    finally:
        for f in files:
            os.close(f)
