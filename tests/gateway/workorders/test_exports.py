"""CSV and JSON exports: fields, masking of personal data, confidential orders."""

from __future__ import annotations

import csv
import io
import json

from gateway.store import Store
from gateway.workdays import hotline_today
from gateway.workorders.exports import FIELDS, export
from gateway.workorders.repository import WorkOrderRepository
from tests.gateway.workorders.conftest import OpenOrder

TEXT = "我叫王小明，电话13812345678，幸福小区3号楼下水道堵了"


def test_csv_and_json_mask_personal_data(store: Store, open_order: OpenOrder) -> None:
    ticket = open_order(TEXT, contact="13812345678")
    today = hotline_today()
    orders = WorkOrderRepository(store.engine).between(today, today)
    body = export(orders, today, "csv")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert tuple(rows[0]) == FIELDS
    assert rows[0]["ticket"] == ticket and rows[0]["contact"] == "138****5678"
    assert "13812345678" not in body and "王小明" not in body and "下水道" in body
    data = json.loads(export(orders, today, "json"))
    assert data[0]["status"] == "受理" and data[0]["contact"] == "138****5678"
    personal = json.loads(export(orders, today, "json", include_personal=True))
    assert personal[0]["contact"] == "13812345678" and personal[0]["description"] == TEXT


def test_confidential_orders_never_export_the_contact(store: Store, open_order: OpenOrder) -> None:
    ticket = open_order(TEXT, contact="13812345678")
    store.update_work_order(ticket, confidential=True)
    today = hotline_today()
    orders = WorkOrderRepository(store.engine).between(today, today)
    personal = json.loads(export(orders, today, "json", include_personal=True))
    assert personal[0]["confidential"] is True and personal[0]["contact"] == "138****5678"
