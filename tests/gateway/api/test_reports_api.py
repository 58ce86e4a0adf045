"""Reports, exports, staffing, hot spots and linkage administration over HTTP, role by role."""

from __future__ import annotations

import csv
import io

from gateway.workdays import hotline_today
from tests.gateway.api.conftest import Api, LinkageServer
from tests.gateway.api.test_workorders_api import act, open_ticket, wait_for


def test_indicators_exports_and_staffing(api: Api) -> None:
    first = open_ticket(api, "幸福小区东门的路灯坏了一个多月了，我电话13812345678，晚上一片漆黑")
    open_ticket(api, "幸福小区东门路灯不亮好久了，老人晚上出门摔了一跤")
    act(api, "agent.wang", first["ticket"], "resolve", reply="已修复")
    today = hotline_today().isoformat()
    window = {"from": today, "to": today}
    assert api.get("agent.wang", "/api/reports/indicators", params=window).status_code == 403
    report = api.get("kb.zhou", "/api/reports/indicators", params=window)
    assert report.status_code == 200, report.text
    figures = report.json()
    assert figures["work_orders"]["total"] == 2 and figures["messages"]["by_channel"]["web"] == 2
    assert figures["callback"]["answered"] == 1 and figures["callback"]["rate"] == 0.0
    reversed_window = api.get("kb.zhou", "/api/reports/indicators", params={"from": today, "to": "2000-01-01"})
    assert reversed_window.status_code == 422

    exported = api.get("kb.zhou", "/api/exports/workorders", params={**window, "format": "csv"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert {r["ticket"] for r in rows} >= {first["ticket"]} and "13812345678" not in exported.text
    personal = {**window, "format": "json", "include_personal": "true"}
    assert api.get("kb.zhou", "/api/exports/workorders", params=personal).status_code == 403
    full = api.get("sup.chen", "/api/exports/workorders", params=personal).json()
    assert any("13812345678" in (row["description"] or "") for row in full)

    staffing = api.get("sup.chen", "/api/staffing", params={"calls_per_hour": 200, "aht": 180, "shrinkage": 0.3})
    assert staffing.json()["agents"] == 14 and staffing.json()["seats"] == 20
    assert api.get("sup.chen", "/api/staffing", params={"calls_per_hour": 200, "aht": 0}).status_code == 422


def test_hotspots_and_utility_referrals(api: Api, linkage_server: LinkageServer) -> None:
    # Two citizens report the same broken lamp: same place, same category (the same text classifies alike).
    first = open_ticket(api, "幸福小区东门的路灯坏了，晚上太黑了")["ticket"]
    second = open_ticket(api, "幸福小区东门的路灯坏了，晚上太黑了")["ticket"]
    # Linked at creation by the background listener, or by the sweep at the latest.
    assert api.post("sup.chen", "/api/workorders/sweep").status_code == 200
    detail = api.get("agent.wang", f"/api/workorders/{second}").json()
    assert detail["order"]["duplicate_of"] == first and detail["order"]["place_key"] == "幸福小区"
    assert api.get("agent.wang", f"/api/workorders/{first}").json()["duplicates"] == [second]
    spots = api.get("agent.wang", "/api/hotspots").json()
    assert spots[0]["ticket"] == first and spots[0]["orders"] == 2
    assert api.get("kb.zhou", "/api/hotspots").status_code == 403

    referred = api.post("agent.wang", f"/api/workorders/{first}/utility-referral", {"utility": "water"})
    assert referred.status_code == 202, referred.text
    assert api.post("agent.wang", f"/api/workorders/{first}/utility-referral", {"utility": "gas"}).status_code == 422
    wait_for(lambda: any(path == "/water" for path, _b, _h in linkage_server.received))
    kinds = [h["kind"] for h in api.get("agent.wang", f"/api/workorders/{first}").json()["history"]]
    assert "work_order.utility_referral" in kinds
    deliveries = api.get("sup.chen", "/api/linkage/deliveries", params={"status": "delivered"}).json()
    assert deliveries[0]["target"] == "water"
    assert api.get("agent.wang", "/api/linkage/deliveries").status_code == 403
    retried = api.post("sup.chen", f"/api/linkage/deliveries/{deliveries[0]['id']}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "pending"


def test_admin_manages_accounts(api: Api) -> None:
    created = api.post(
        "root",
        "/api/users",
        {"username": "gas.wu", "role": "department", "department": "市燃气公司", "password": "燃气公司吴工-2026"},
    )
    assert created.status_code == 201
    assert api.post("root", "/api/users", {"username": "gas.wu", "role": "agent"}).status_code == 409
    bad = api.post("root", "/api/users", {"username": "x1", "role": "department"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_user"
    disabled = api.client.patch("/api/users/gas.wu", json={"active": False}, headers=api.auth("root"))
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    login = api.client.post("/api/auth/token", data={"username": "gas.wu", "password": "燃气公司吴工-2026"})
    assert login.status_code == 401
    assert api.client.patch("/api/users/gas.wu", json={"active": True}, headers=api.auth("sup.chen")).status_code == 403


def test_absurd_inputs_are_refused_not_crashed(api: Api) -> None:
    # Found by the OpenAPI fuzzer: each of these used to answer 500.
    huge = api.get("sup.chen", "/api/staffing", params={"calls_per_hour": 1e300, "aht": 180})
    assert huge.status_code == 422
    retry = api.post("sup.chen", f"/api/linkage/deliveries/{2**40}/retry")
    assert retry.status_code == 422
    token = api.post("sup.chen", "/api/auth/api-tokens", {"name": "sync\x00job"})
    assert token.status_code == 422
