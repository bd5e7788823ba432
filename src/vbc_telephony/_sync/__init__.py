# Written by scripts/unasync.py from __init__.py: edit that file, then run `make generate`.
"""The SDK's I/O, written once for asyncio. scripts/unasync.py writes the sync twin of every
module here into vbc_telephony._sync; `make check-generated` fails when they drift apart."""
