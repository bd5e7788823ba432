"""The proxy's judge, in a process of its own: the exchanges the proxy forwarded arrive on its
standard input, one frame each; it judges them through `exchanges.Judge` (the path replay
and generated runs share), prints a line per finding as it happens, and at the end of its
input the run's summary, reports and exit code. Forwarding never waits for it: it runs at a
lower CPU priority, and what the proxy could not hand it in time arrives as a count."""

from __future__ import annotations

import argparse
import os
import struct
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
import orjson

from vbc_conformance.exchanges import Exchange, Judge
from vbc_spec import API_BASE_PATH
from vbc_telephony._encodings import Decoding, UnreadableEncoding

#: A frame: the lengths of its head (JSON) and of the request's and the answer's bodies.
LENGTHS = struct.Struct(">III")
#: The most of one body judged (kept by the proxy, and once decoded); a longer one is
#: forwarded whole and counted as not judged.
MOST_JUDGED_BYTES = 16 * 1024 * 1024
#: How much less CPU the judge asks for than the proxy (nice(1)): traffic goes first.
NICENESS = 10
#: The key a run's errors count exchanges the proxy forwarded but could not have judged under.
NOT_JUDGED = ("proxy", "not judged")


def frame(head: dict[str, Any], request_body: bytes, response_body: bytes) -> bytes:
    """One exchange as the proxy writes it to the judge (`head`: method, url, status, label,
    headers as [name, value] pairs; or, last, {"unjudged": {reason: count}})."""
    encoded = orjson.dumps(head)
    lengths = LENGTHS.pack(len(encoded), len(request_body), len(response_body))
    return b"".join((lengths, encoded, request_body, response_body))


def read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError
    return data


def frames(stream: IO[bytes]) -> Iterator[tuple[dict[str, Any], bytes, bytes]]:
    """Each frame until the end of the stream (a frame cut short: the proxy died)."""
    while True:
        try:
            sizes = LENGTHS.unpack(read_exactly(stream, LENGTHS.size))
            head, request_body, response_body = (read_exactly(stream, n) for n in sizes)
        except EOFError:
            return
        yield orjson.loads(head), request_body, response_body


def header_lists(pairs: list[list[str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        found.setdefault(name.lower(), []).append(value)
    return found


def decoded(headers: dict[str, list[str]], body: bytes) -> bytes:
    """The answer's body with its Content-Encoding (gzip, deflate) undone, for judging only
    (the application got it as sent); at most MOST_JUDGED_BYTES, else UnreadableEncoding."""
    decoding = Decoding(
        httpx.Headers([("content-encoding", v) for v in headers.get("content-encoding", [])])
    )
    if not decoding.layers:
        return body
    out = bytearray()
    for piece in chain(decoding.decode(body), decoding.end()):
        out += piece
        if len(out) > MOST_JUDGED_BYTES:
            raise UnreadableEncoding(f"decodes to more than {MOST_JUDGED_BYTES // 2**20} MiB")
    return bytes(out)


def exchanges(stream: IO[bytes], judge: Judge) -> Iterator[Exchange]:
    """The exchanges the proxy sends; those that cannot be judged are counted in the run's
    errors under NOT_JUDGED, with why."""
    for head, request_body, response_body in frames(stream):
        if "unjudged" in head:
            for reason, count in head["unjudged"].items():
                judge.outcome.errors[(*NOT_JUDGED, reason)] += count
            continue
        if judge.in_scope(head["url"]) is None:
            judge.ignored += 1  # the token endpoint, a page: forwarded, not the API's
            continue
        response_headers = header_lists(head["response_headers"])
        try:
            if head["cut"]:
                raise UnreadableEncoding(f"a body over {MOST_JUDGED_BYTES // 2**20} MiB")
            body = decoded(response_headers, response_body)
        except UnreadableEncoding as error:
            judge.outcome.errors[(*NOT_JUDGED, str(error)[:120])] += 1
            continue
        yield Exchange(
            method=head["method"],
            url=head["url"],
            request_headers=header_lists(head["request_headers"]),
            request_body=request_body,
            status=head["status"],
            response_headers=response_headers,
            response_body=body,
            label=head["label"],
        )


def parser() -> argparse.ArgumentParser:
    from vbc_conformance.replay import add_outputs

    p = argparse.ArgumentParser(prog="vbc-conformance proxy (judge)")
    p.add_argument("--upstream", required=True)
    add_outputs(p)
    return p


def main(argv: list[str]) -> int:
    from vbc_conformance import cli
    from vbc_conformance.replay import judge_for

    os.nice(NICENESS)
    args = parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vbc-conformance-") as scratch:
        events = Path(scratch)
        judge = judge_for(args.upstream.rstrip("/") + API_BASE_PATH, events)
        started = time.monotonic()
        for exchange in exchanges(sys.stdin.buffer, judge):
            for finding in judge.judge(exchange):
                print(
                    f"FINDING {finding.label} {exchange.method} {urlsplit(exchange.url).path}:"
                    f" {finding.check}: {finding.title}",
                    flush=True,
                )
        seconds = time.monotonic() - started
        where = f"traffic through the proxy to {args.upstream}"
        return cli.conclude_traffic(args, judge, events, where, seconds)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
