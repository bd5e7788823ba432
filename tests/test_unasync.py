"""The sync SDK is written from the async source (scripts/unasync.py; `make check-generated`
fails when a twin is stale): what its rules turn async code into."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("unasync", ROOT / "scripts/unasync.py")
assert spec is not None and spec.loader is not None
unasync = importlib.util.module_from_spec(spec)
sys.modules["unasync"] = unasync
spec.loader.exec_module(unasync)


def test_async_code_becomes_its_sync_twin_word_for_word() -> None:
    source = """import asyncio
import time
from collections.abc import AsyncGenerator


class AsyncCalls:
    async def get(self) -> AsyncGenerator[int, str]:
        async with self._ahttp() as http:
            response = await http.get(asyncio_detailed)
            await response.aread()
            await asyncio.sleep(self.atoken_count)
        async for x in self.list():
            yield await self.provider.atoken()
"""
    assert (
        unasync.unasync(source)
        == """import time
from collections.abc import Generator


class Calls:
    def get(self) -> Generator[int, str, None]:
        with self._http() as http:
            response = http.get(sync_detailed)
            response.read()
            time.sleep(self.atoken_count)
        for x in self.list():
            yield self.provider.token()
"""
    )
