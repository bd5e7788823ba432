"""Undoing an answer's Content-Encoding a piece at a time, so that its decoded size can be
bounded as it grows: httpx decodes each chunk whole, and 96 KB of gzip is 96 MiB of zeros.

Only gzip and deflate are asked for (every request says so), and only they are decoded:
zlib can stop after any number of output bytes. An answer in another encoding (br, zstd,
which httpx would decode whole where their libraries are installed) is refused.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

import httpx

#: What every request accepts.
ACCEPT_ENCODING = "gzip, deflate"
#: The most one step of decoding makes before its output is counted.
PIECE = 64 * 1024


class UnreadableEncoding(ValueError):
    """An encoding the SDK did not ask for, or a body its encoding does not decode."""


class Inflate:
    """One gzip or deflate layer. Deflate is the zlib format, or raw deflate as some servers
    send it (httpx reads both the same way)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.raw_deflate_tried = encoding != "deflate"
        wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
        self.decompressor = zlib.decompressobj(wbits)

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """`data` decoded, in pieces of at most PIECE bytes, each made only when asked for."""
        try:
            while data:
                out = self.decompressor.decompress(data, PIECE)
                data = self.decompressor.unconsumed_tail
                self.raw_deflate_tried = True
                yield out
                while not data and len(out) == PIECE:  # output still pending inside zlib
                    out = self.decompressor.decompress(b"", PIECE)
                    yield out
        except zlib.error as error:
            if self.raw_deflate_tried:
                raise UnreadableEncoding(f"the {self.encoding} body does not decode") from error
            self.raw_deflate_tried = True
            self.decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
            yield from self.pieces(data)

    def end(self) -> Iterator[bytes]:
        try:
            yield self.decompressor.flush()
        except zlib.error as error:
            raise UnreadableEncoding(f"the {self.encoding} body does not decode") from error


class Decoding:
    """The layers an answer's Content-Encoding names, undone in the reverse order."""

    def __init__(self, headers: httpx.Headers) -> None:
        names = [
            name.strip().lower()
            for value in headers.get_list("content-encoding")
            for name in value.split(",")
        ]
        unknown = [name for name in names if name not in ("gzip", "deflate", "identity", "")]
        if unknown:
            raise UnreadableEncoding(
                f"the answer is encoded as {', '.join(unknown)[:100]}, which the SDK did not"
                f" ask for (Accept-Encoding: {ACCEPT_ENCODING})"
            )
        self.layers = [Inflate(name) for name in reversed(names) if name in ("gzip", "deflate")]

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        pieces: Iterable[bytes] = [chunk]
        for layer in self.layers:
            pieces = through(layer, pieces)
        yield from pieces

    def end(self) -> Iterator[bytes]:
        """What the layers still hold once the whole body has arrived."""
        for at, layer in enumerate(self.layers):
            pieces: Iterable[bytes] = layer.end()
            for later in self.layers[at + 1 :]:
                pieces = through(later, pieces)
            yield from pieces


def through(layer: Inflate, pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from layer.pieces(piece)
