"""`vbc`: look at and act on calls and devices from a terminal.

Configured by VBC_BASE_URL (default: a local vbc-sandbox, so nothing rings by accident),
VBC_TOKEN and VBC_ACCOUNT_ID. A mistake gets one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from vbc_telephony._errors import APIConnectionError, APIError, APIStatusError
from vbc_telephony._sync.client import Telephony
from vbc_telephony._sync.resources import Legs
from vbc_telephony._version import __version__

SANDBOX_BASE_URL = "http://127.0.0.1:8080/t/vbc.prod/telephony/v3"
EXIT_API_ERROR, EXIT_USAGE = 1, 2
#: The longest error line `vbc` writes.
MESSAGE_CHARS = 300
#: The largest --state-file read: a watcher's state holds the calls active at once, about
#: 0.6 kB each as JSON, so 10,000 of them are some 6 MB.
MAX_STATE_BYTES = 64 * 1024 * 1024


class UsageError(Exception):
    pass


def as_plain(value: Any) -> Any:
    """A generated model (or list of them) as JSON-ready data."""
    if isinstance(value, list):
        return [as_plain(item) for item in value]
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def printable(value: object) -> str:
    """Text from a server as one line a terminal shows as it is: control characters
    (escape sequences, newlines, bidi overrides) become spaces."""
    text = "".join(char if char.isprintable() else " " for char in str(value))
    return " ".join(text.split())


def one_line(message: str) -> str:
    """A mistake as the one line `vbc` promises, however long the server's message."""
    text = printable(message)
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 3] + "..."


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [[printable(row.get(column, "")) for column in columns] for row in rows]
    widths = [
        max([len(column), *(len(cell[i]) for cell in cells)]) for i, column in enumerate(columns)
    ]
    lines = ["  ".join(column.upper().ljust(w) for column, w in zip(columns, widths, strict=True))]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in cells
    ]
    return "\n".join(line.rstrip() for line in lines)


CALL_COLUMNS = ("call_id", "status", "direction", "from", "to", "start_time")
LEG_COLUMNS = ("leg_id", "status", "direction", "from", "to")
DEVICE_COLUMNS = ("mac_address", "device_ip", "last_success")


def show(result: Any, columns: Sequence[str], as_json: bool) -> str:
    data = as_plain(result)
    if as_json:
        return json.dumps(data, indent=2)
    if isinstance(data, dict):
        return "\n".join(
            f"{key}: {printable(value)}" for key, value in data.items() if key != "legs"
        )
    return table(data, columns)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vbc",
        description="Calls and devices of a VBC account. Set VBC_TOKEN, VBC_ACCOUNT_ID and, for"
        f" anything but a local vbc-sandbox, VBC_BASE_URL (default {SANDBOX_BASE_URL}).",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    groups = p.add_subparsers(dest="group", required=True, metavar="{calls,legs,devices}")

    calls = groups.add_parser("calls", help="active calls").add_subparsers(
        dest="action", required=True
    )
    listing = calls.add_parser("list", help="list active calls")
    listing.add_argument("--extension")
    listing.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    calls.add_parser("get", help="one call").add_argument("call_id")
    watching = calls.add_parser(
        "watch",
        help="follow calls as they change: one JSON object per event (started, changed,"
        " ended) on each line",
    )
    watching.add_argument(
        "--interval", type=float, default=2.0, help="seconds between looks (default 2)"
    )
    watching.add_argument("--extension", help="only this extension's calls")
    watching.add_argument(
        "--state-file",
        type=Path,
        help="read on start (if it exists) and saved on exit: a restart reports only what"
        " changed meanwhile",
    )
    watching.add_argument(
        "--requests-per-minute",
        type=float,
        help="the token's quota: looks are spaced so that their requests stay within it",
    )
    watching.add_argument(
        "--max-backoff",
        type=float,
        default=300.0,
        help="the longest wait after errors, in seconds (default 300)",
    )
    dial = calls.add_parser("dial", help="ring FROM, then call TO")
    dial.add_argument(
        "--from",
        dest="from_",
        required=True,
        help="extension (or device VH id with --from-type device)",
    )
    dial.add_argument("--to", required=True, help="number, extension or device")
    dial.add_argument(
        "--from-type", default="extension", choices=["extension", "device", "feature_code"]
    )
    dial.add_argument(
        "--to-type", default="pstn", choices=["extension", "device", "pstn", "feature_code"]
    )
    calls.add_parser("hangup", help="hang up a call").add_argument("call_id")
    answer = calls.add_parser("answer", help="answer a ringing call on a device")
    answer.add_argument("call_id")
    answer.add_argument("device", help="the answering device's VH id")
    park = calls.add_parser("park", help="park a call")
    park.add_argument("call_id")
    park.add_argument("--by", required=True, help="the extension that parks it")

    legs = groups.add_parser("legs", help="parties of a call").add_subparsers(
        dest="action", required=True
    )
    legs.add_parser("list", help="legs of a call").add_argument("call_id")
    for action in ("get", "hold", "unhold", "drop"):
        sub = legs.add_parser(action, help=f"{action} a leg")
        sub.add_argument("call_id")
        sub.add_argument("leg_id")
    dtmf = legs.add_parser("dtmf", help="send DTMF tones")
    dtmf.add_argument("call_id")
    dtmf.add_argument("leg_id")
    dtmf.add_argument("digits")
    transfer = legs.add_parser("transfer", help="blind-transfer a leg")
    transfer.add_argument("call_id")
    transfer.add_argument("leg_id")
    transfer.add_argument("to")
    transfer.add_argument("--to-type", default="extension", choices=["extension", "device", "pstn"])

    devices = groups.add_parser("devices", help="desk phones").add_subparsers(
        dest="action", required=True
    )
    devices.add_parser("list", help="registration of the devices").add_argument(
        "--limit", type=int, default=1000, help="at most this many (default 1000)"
    )
    devices.add_parser("get", help="one device").add_argument("mac_address")
    return p


def client_from_env() -> Telephony:
    token, account = os.environ.get("VBC_TOKEN"), os.environ.get("VBC_ACCOUNT_ID")
    if not token:
        raise UsageError("set VBC_TOKEN to an access token")
    if not account:
        raise UsageError("set VBC_ACCOUNT_ID to the account number")
    try:
        return Telephony(
            account_id=account,
            token=token,
            base_url=os.environ.get("VBC_BASE_URL", SANDBOX_BASE_URL),
        )
    except ValueError as error:  # a base URL that is not one, an account id that is not one
        raise UsageError(str(error)) from None


def first(items: Iterable[Any], limit: int) -> list[Any]:
    """At most `limit` items, fetching no page past the one that holds the last of them."""
    return list(itertools.islice(items, max(limit, 0)))


def drop(legs: Legs, call_id: str, leg_id: str) -> tuple[dict[str, str], Sequence[str]]:
    legs.drop(call_id, leg_id)
    return {"dropped": leg_id}, ()


def run(args: argparse.Namespace, client: Telephony) -> str:
    calls, legs = client.calls, client.calls.legs
    commands: dict[tuple[str, str], Callable[[], tuple[Any, Sequence[str]]]] = {
        ("calls", "list"): lambda: (
            first(calls.list(extension=args.extension), args.limit),
            CALL_COLUMNS,
        ),
        ("calls", "get"): lambda: (calls.get(args.call_id), CALL_COLUMNS),
        ("calls", "dial"): lambda: (
            {
                "call_id": calls.dial(
                    args.to, from_=args.from_, to_type=args.to_type, from_type=args.from_type
                )
            },
            (),
        ),
        ("calls", "hangup"): lambda: (calls.hangup(args.call_id), ()),
        ("calls", "answer"): lambda: (calls.answer(args.call_id, args.device), ()),
        ("calls", "park"): lambda: (calls.park(args.call_id, args.by), ()),
        ("legs", "list"): lambda: (legs.list(args.call_id), LEG_COLUMNS),
        ("legs", "get"): lambda: (legs.get(args.call_id, args.leg_id), LEG_COLUMNS),
        ("legs", "hold"): lambda: (legs.hold(args.call_id, args.leg_id), ()),
        ("legs", "unhold"): lambda: (legs.unhold(args.call_id, args.leg_id), ()),
        ("legs", "drop"): lambda: drop(legs, args.call_id, args.leg_id),
        ("legs", "dtmf"): lambda: (legs.send_dtmf(args.call_id, args.leg_id, args.digits), ()),
        ("legs", "transfer"): lambda: (
            legs.transfer(args.call_id, args.leg_id, args.to, args.to_type),
            (),
        ),
        ("devices", "list"): lambda: (first(client.devices.list(), args.limit), DEVICE_COLUMNS),
        ("devices", "get"): lambda: (client.devices.get(args.mac_address), DEVICE_COLUMNS),
    }
    result, columns = commands[(args.group, args.action)]()
    return show(result, columns, args.json)


def read_state(path: Path | None) -> dict[str, Any] | None:
    """A watcher's saved state; None when there is none yet."""
    if path is None:
        return None
    try:
        with path.open("rb") as file:
            data = file.read(MAX_STATE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UsageError(f"--state-file {path}: {error.strerror}") from None
    if len(data) > MAX_STATE_BYTES:
        raise UsageError(f"--state-file {path}: larger than {MAX_STATE_BYTES} bytes")
    try:
        state = json.loads(data)
    except ValueError:
        raise UsageError(f"--state-file {path}: not a watcher's state (not JSON)") from None
    if not isinstance(state, dict):
        raise UsageError(f"--state-file {path}: not a watcher's state")
    return state


def save_state(path: Path, state: dict[str, Any]) -> None:
    """Atomically: a new file beside the old one, then renamed over it, so a crash mid-way
    leaves the old state whole. Readable by its owner only (it holds phone numbers)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(state, file, separators=(",", ":"))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def watch_calls(args: argparse.Namespace, client: Telephony) -> None:
    """One JSON object per event, each line flushed, until Ctrl-C, SIGTERM or a closed
    pipe; the state is saved on the way out, whatever the way."""
    state = read_state(args.state_file)
    try:
        watcher = client.calls.watch(
            interval=args.interval,
            extension=args.extension,
            state=state,
            max_backoff=args.max_backoff,
            requests_per_minute=args.requests_per_minute,
        )
    except ValueError as error:  # an option out of bounds, a state of another watcher
        raise UsageError(str(error)) from None
    # Ctrl-C and SIGTERM stop it even where they came ignored or blocked from the parent
    # (Python keeps an inherited SIG_IGN for SIGINT: the watcher would run on for ever).
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, interrupted)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        for event in watcher:
            try:
                sys.stdout.write(json.dumps(event.to_dict()) + "\n")
                sys.stdout.flush()
            except BrokenPipeError:
                watcher.take_back(event)  # nobody read it: report it again on resume
                raise
    finally:
        if args.state_file is not None:
            save_state(args.state_file, watcher.state)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        with client_from_env() as client:
            if (args.group, args.action) == ("calls", "watch"):
                watch_calls(args, client)
            else:
                print(run(args, client))
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        # The reader went away (`| head -1`): say nothing more, even at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UsageError as error:
        print(f"vbc: {one_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except APIStatusError as error:
        print(f"vbc: {one_line(f'{error.status_code} {error.detail}')}", file=sys.stderr)
        return EXIT_API_ERROR
    except APIConnectionError as error:
        target = error.url or os.environ.get("VBC_BASE_URL", SANDBOX_BASE_URL)
        print(f"vbc: {one_line(f'cannot reach {target}: {error.message}')}", file=sys.stderr)
        return EXIT_API_ERROR
    except APIError as error:
        print(f"vbc: {one_line(error.message)}", file=sys.stderr)
        return EXIT_API_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
