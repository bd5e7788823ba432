"""Desk-phone registration data, read-only as in production."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from vbc_sandbox import paging
from vbc_sandbox.dialects import as_json_number
from vbc_sandbox.errors import NotFound
from vbc_sandbox.store import Store


def canonical_mac(text: str) -> str:
    """79:5c:7d:28:1b:b3, 795C7D281BB3 and 79-5C-7D-28-1B-B3 name the same device."""
    digits = re.sub(r"[-:]", "", text).upper()
    return "-".join(digits[i : i + 2] for i in range(0, 12, 2))


def device_json(row: sqlite3.Row) -> dict[str, Any]:
    registered = row["registered_at"]
    return {
        "account_id": as_json_number(row["account_id"]),
        "mac_address": row["mac"],
        "device_ip": row["ip"],
        "last_request": registered,
        "last_success": registered,
        "registration": {"last_success": registered},
        "provisioned": {"last_success": registered, "last_request": registered},
    }


class Registrations:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, account_id: str, device_id: str) -> dict[str, Any]:
        row = self.store.one(
            "SELECT * FROM devices WHERE account_id = ? AND mac = ?",
            account_id,
            canonical_mac(device_id),
        )
        if row is None:
            raise NotFound()
        return device_json(row)

    def list(self, account_id: str, query: paging.PageQuery) -> dict[str, Any]:
        window, window_args = query.window("registered_at")
        where = ["account_id = ?", *window]
        args: list[Any] = [account_id, *window_args]
        rows, pages = paging.page_of(
            self.store, "devices", " AND ".join(where), args, query, "registered_at"
        )
        return {
            "devices": [device_json(row) for row in rows],
            **paging.page_fields(f"/registration/accounts/{account_id}/devices", query, pages, {}),
        }
