"""Desk-phone registration data, read-only as in production."""

from __future__ import annotations

import re
from typing import Any

from vbc_sandbox.errors import NotFound
from vbc_sandbox.phone import paging
from vbc_sandbox.phone.dialects import as_json_number
from vbc_sandbox.storage.store import Row, Store


def canonical_mac(text: str) -> str:
    """79:5c:7d:28:1b:b3, 795C7D281BB3 and 79-5C-7D-28-1B-B3 name the same device."""
    digits = re.sub(r"[-:]", "", text).upper()
    return "-".join(digits[i : i + 2] for i in range(0, 12, 2))


def device_json(row: Row) -> dict[str, Any]:
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
        row = self.store.device(account_id, canonical_mac(device_id))
        if row is None:
            raise NotFound()
        return device_json(row)

    def list(self, account_id: str, query: paging.PageQuery) -> dict[str, Any]:
        listing = self.store.devices(account_id, query.start_time, query.end_time)
        first = paging.first_page("list_devices")
        rows, pages = paging.page_of(self.store, listing, query, first)
        path = f"/registration/accounts/{account_id}/devices"
        return {
            "devices": [device_json(row) for row in rows],
            **paging.page_fields(path, query, pages, {}, first),
        }
