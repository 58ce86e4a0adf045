"""The bootstrap admin of a fresh installation, and the production refusal of a weak one."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from pydantic import ValidationError

from gateway.auth.passwords import Passwords
from gateway.auth.users import UserStore
from gateway.settings import Settings
from gateway.store import create_engine_for, upgrade_database
from gateway.workorders.lifecycle import Role
from gateway.workorders.wiring import ensure_bootstrap_admin


def test_bootstrap_admin_is_created_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hotline.sqlite3'}"
    upgrade_database(url)
    engine = create_engine_for(url)
    users = UserStore(engine, Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)))
    settings = Settings(data_dir=tmp_path, bootstrap_admin="root", bootstrap_admin_password="管理员初始密码-2026")
    assert ensure_bootstrap_admin(users, Settings(data_dir=tmp_path)) is None  # not configured
    assert ensure_bootstrap_admin(users, settings) == "root"
    assert users.authenticate("root", "管理员初始密码-2026").role is Role.ADMIN
    # An admin exists: nothing more is created, even under another name.
    other = Settings(data_dir=tmp_path, bootstrap_admin="root2", bootstrap_admin_password="另一个初始密码-2026")
    assert ensure_bootstrap_admin(users, other) is None
    assert [u.username for u in users.all()] == ["root"]
    engine.dispose()


def test_production_refuses_a_weak_bootstrap_password() -> None:
    strong = {
        "env": "production",
        "secret_key": "k" * 16 + "0123456789abcdefXYZ",
        "maintainer_token": "m" * 10 + "0123456789abcdef",
    }
    with pytest.raises(ValidationError, match="HOTLINE_BOOTSTRAP_ADMIN_PASSWORD"):
        Settings(**strong, bootstrap_admin="root", bootstrap_admin_password="password")
    Settings(**strong, bootstrap_admin="root", bootstrap_admin_password="a-long-random-passphrase-2026")
