"""Concurrent writers, kill -9 durability, and fault injection."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.helpers import EmulatorProcess


def test_fifty_concurrent_writers_lose_nothing(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    notices = [api.new_notice(f"n{i}") for i in range(10)]
    drafts = {n["id"]: api.draft(n["id"])["id"] for n in notices}
    errors: list[str] = []

    def writer(i: int) -> tuple[str, str]:
        http = httpx.Client(
            base_url=emulator.url + "/v1",
            timeout=30,
            headers={"Authorization": f"Bearer {api.token}", "v": "2"},
        )
        notice = notices[i % 10]["id"]
        target = f"target-{i}.example.com"
        # Each writer owns one key of custom_json... no: PATCH replaces top-level fields, so
        # writers to one draft race; each writer also creates a notice of its own.
        r = http.post("/widgets/notices", json={"organization_id": api.org, "name": f"w{i}"})
        if r.status_code != 201:
            errors.append(r.text)
        r2 = http.patch(f"/widgets/notices/configs/{drafts[notice]}", json={"targets": [target]})
        if r2.status_code != 200:
            errors.append(r2.text)
        return r.json()["id"], r2.json()["updated_at"]

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(writer, range(50)))
    assert errors == []
    listed = api.ok("GET", "/widgets/notices", params={"$limit": 100})
    assert listed["total"] == 60
    assert {nid for nid, _ in results} <= {n["id"] for n in listed["data"]}
    # Every PATCH was applied in some order: each draft's version counts its 5 writes.
    for notice in notices:
        draft = api.draft(notice["id"])
        assert draft["version"] == 5
        assert draft["targets"][0].startswith("target-")


def test_kill_9_keeps_every_acknowledged_write(start_emulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "durable.sqlite3")
    emu = start_emulator("--credential", ORG_A, "--rate-limit", "off", db=db)
    api = Api(emu.url, ORG_A)
    acknowledged: list[str] = []
    stop = threading.Event()

    def stream() -> None:
        http = httpx.Client(
            base_url=emu.url + "/v1", timeout=5, headers={"Authorization": f"Bearer {api.token}"}
        )
        i = 0
        while not stop.is_set():
            try:
                r = http.post(
                    "/widgets/notices", json={"organization_id": api.org, "name": f"s{i}"}
                )
            except httpx.TransportError:
                return
            if r.status_code == 201:
                acknowledged.append(r.json()["id"])
            i += 1

    threads = [threading.Thread(target=stream) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    emu.kill()
    stop.set()
    for t in threads:
        t.join(10)
    assert len(acknowledged) > 20
    emu2 = start_emulator("--credential", ORG_A, "--rate-limit", "off", db=db)
    api2 = Api(emu2.url, ORG_A)
    stored: set[str] = set()
    skip = 0
    while True:
        page = api2.ok("GET", "/widgets/notices", params={"$skip": skip})
        stored |= {n["id"] for n in page["data"]}
        skip += 100
        if skip >= page["total"]:
            break
    assert set(acknowledged) <= stored
    # Every stored notice has its draft (notice + draft are one transaction).
    configs = emu2.data("configs")
    assert {c["notice_id"] for c in configs} == stored


def test_fault_injection(emulator: EmulatorProcess) -> None:
    api = Api(emulator.url, ORG_A)
    notice = api.new_notice()
    emulator.set_faults(error_rate=1.0, routes=["GET /widgets/notices/{notice_id}"])
    r = api.http.get(f"/widgets/notices/{notice['id']}")
    assert r.status_code in (502, 503, 504) and r.json()["code"] == r.status_code
    assert api.http.get("/widgets/notices").status_code == 200  # other routes unaffected

    emulator.set_faults(rate_limit_rate=1.0)
    r = api.http.get("/widgets/notices")
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"

    emulator.set_faults(drop_rate=1.0)
    dropped = 0
    for _ in range(6):
        try:
            api.http.get("/widgets/notices")
        except httpx.TransportError:
            dropped += 1
    assert dropped == 6

    emulator.set_faults(commit_then_fail_routes=["POST /widgets/notices/deployments"])
    draft = api.draft(notice["id"])
    r = api.post_deployment(notice["id"], draft["id"])
    assert r.status_code == 502
    emulator.clear_faults()
    deployments = api.ok("GET", "/widgets/notices/deployments")["data"]
    assert [d["production_config_id"] for d in deployments] == [draft["id"]]  # it committed

    emulator.set_faults(latency_ms=300)
    started = time.monotonic()
    api.http.get("/widgets/notices")
    assert time.monotonic() - started >= 0.3
    emulator.clear_faults()
    faults = emulator.stats()["faults"]
    assert faults["error"] == 1 and faults["429"] == 1 and faults["commit_then_fail"] >= 1
    assert faults.get("drop_before", 0) + faults.get("drop_after", 0) == 6
