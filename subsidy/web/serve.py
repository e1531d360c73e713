"""`subsidy serve` and `subsidy user add`: open (and migrate) the database, optionally load the
demo (the seed scenarios and one user per role), run the server."""

from __future__ import annotations

import logging
from pathlib import Path

from subsidy.web.store import Store, open_engine
from subsidy.web.uploads import read_upload

SEEDS = Path(__file__).resolve().parents[2] / "scenarios"
DEMO_PASSWORD = "demo-password"
DEMO_USERS = [("admin", "admin", []), ("analyst", "analyst", []), ("approver", "approver", []), ("viewer", "viewer", []),
              ("clerk-xianning", "clerk", ["湖北/咸宁"]), ("clerk-chuxiong", "clerk", ["云南/楚雄"])]


def open_store(url: str) -> Store:
    return Store(open_engine(url))


def load_demo(store: Store, seeds: Path = SEEDS) -> list[str]:
    """The seed scenarios and demo users (password DEMO_PASSWORD), each once: what was added."""
    added = []
    have_users = set(store.user_names())
    for name, role, regions in DEMO_USERS:
        if name not in have_users:
            store.add_user(name, role, DEMO_PASSWORD, regions, by="demo")
            added.append(f"user {name} ({role})")
    have = {r.name for r in store.scenario_list()}
    for path in sorted(seeds.glob("*.yaml")):
        data = read_upload(path.name, path.read_bytes())
        if data.get("name") not in have:
            store.create_scenario(data["name"], data, "demo", how="upload")
            added.append(f"scenario {path.name}")
    return added


def run(url: str, host: str, port: int, demo: bool) -> None:
    import uvicorn

    from subsidy.web.app import create_app

    store = open_store(url)
    if demo:
        for line in load_demo(store):
            print(f"demo: {line}")
        print(f"demo users: {', '.join(n for n, *_ in DEMO_USERS)}; password {DEMO_PASSWORD}")
    logging.basicConfig(level=logging.INFO)
    print(f"workbench on http://{host}:{port}/ (database {store.engine.url.render_as_string(hide_password=True)})")
    uvicorn.run(create_app(store), host=host, port=port, log_level="warning", server_header=False)
