"""Work-order exports for data exchange (GB/T 44190 6.2.4): CSV (Excel-friendly UTF-8) and JSON.

Contact numbers are masked and personal data in the description is masked unless the caller may and
asks to include it; confidential (保密) orders never export the contact.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

from gateway.workorders.records import WorkOrderRecord, mask_phone

Format = Literal["csv", "json"]

FIELDS: tuple[str, ...] = (
    "ticket",
    "created_at",
    "channel",
    "appeal_type",
    "category_l1",
    "category_l2",
    "department",
    "status",
    "deadline",
    "overdue",
    "completed_at",
    "callback_at",
    "archived_at",
    "assignee",
    "rating",
    "rating_reason",
    "supervision_count",
    "duplicate_of",
    "confidential",
    "contact",
    "description",
    "reply_text",
)


def export_row(order: WorkOrderRecord, today: date, *, include_personal: bool = False) -> dict[str, Any]:
    from nlu.pii import mask_pii

    view = order.to_dict(today, include_contact=include_personal and not order.confidential)
    row = {name: view.get(name) for name in FIELDS}
    if not include_personal:
        row["contact"] = mask_phone(order.contact)
        row["description"] = mask_pii(order.description)
        row["reply_text"] = mask_pii(order.reply_text) if order.reply_text else None
    return row


def export(orders: Iterable[WorkOrderRecord], today: date, fmt: Format, *, include_personal: bool = False) -> str:
    rows = [export_row(o, today, include_personal=include_personal) for o in orders]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    buffer = io.StringIO()
    # The BOM lets spreadsheet programs open Chinese text as UTF-8.
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()
