"""Undoing Content-Encoding while streaming, with the decompressed size capped at every layer.

httpx decompresses each chunk whole: a small gzip-of-gzip body can expand to gigabytes
inside one call before any size check sees it. Here every layer inflates at most
``PIECE`` bytes at a time and hands them on, so memory stays within the cap plus a few
pieces however the body was built, and the cap is checked at every layer.
"""

from __future__ import annotations

import zlib

PIECE = 64 * 1024
ACCEPTED = "gzip, deflate"  # what requests ask for: the encodings decoded here


class BodyTooLarge(Exception):
    """The body, decoded, would be larger than the cap."""


class UnsupportedEncoding(Exception):
    """A Content-Encoding this decoder does not know."""


def _layer(name: str) -> zlib._Decompress:
    if name in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if name == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, detected
    raise UnsupportedEncoding(f"unsupported Content-Encoding {name!r}")


class CappedDecoder:
    """Feed it raw body chunks; it returns decoded bytes, never more than ``cap`` in all.

    ``content_encoding`` is the header's value: "gzip, gzip" means gzip applied twice, so
    the layers are undone last first. Raises ``BodyTooLarge``, ``UnsupportedEncoding`` or
    ``zlib.error`` (a corrupt body).
    """

    def __init__(self, content_encoding: str, cap: int) -> None:
        names = [n.strip().lower() for n in content_encoding.split(",")]
        self._layers = [_layer(n) for n in reversed(names) if n and n != "identity"]
        self._sizes = [0] * len(self._layers)
        self.cap = cap
        self.size = 0  # decoded bytes so far
        self._out: list[bytes] = []

    def feed(self, chunk: bytes) -> bytes:
        self._out = []
        self._pump(chunk, 0)
        return b"".join(self._out)

    def flush(self) -> bytes:
        self._out = []
        for i, layer in enumerate(self._layers):
            rest = layer.flush(PIECE)
            self._count(i, rest)
            if rest:
                self._pump(rest, i + 1)
        return b"".join(self._out)

    def _count(self, level: int, data: bytes) -> None:
        self._sizes[level] += len(data)
        if self._sizes[level] > self.cap:
            raise BodyTooLarge(f"decompressed body larger than {self.cap} bytes")

    def _pump(self, data: bytes, level: int) -> None:
        if level == len(self._layers):
            self.size += len(data)
            if self.size > self.cap:
                raise BodyTooLarge(f"decompressed body larger than {self.cap} bytes")
            self._out.append(data)
            return
        layer = self._layers[level]
        while data and not layer.eof:
            piece = layer.decompress(data, PIECE)
            data = layer.unconsumed_tail
            self._count(level, piece)
            if piece:
                self._pump(piece, level + 1)
            elif data:  # no output and input left: should not happen; never spin
                raise zlib.error("the compressed body does not progress")
