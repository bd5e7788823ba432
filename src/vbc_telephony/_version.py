"""The installed distribution's version: one number, kept in pyproject.toml."""

from importlib.metadata import PackageNotFoundError, version

__version__: str
"""The installed version of vbc-telephony (its three packages share it)."""

try:
    __version__ = version("vbc-telephony")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

#: Sent with every request the SDK makes, so a gateway's logs can tell who called.
USER_AGENT = {"User-Agent": f"vbc-telephony/{__version__}"}
