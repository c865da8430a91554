"""Users, roles per site, passwords and tokens, sites."""

from __future__ import annotations

import datetime as dt

import pytest

from pubguard.review import Conflict, InvalidInput, NotFound, PermissionDenied
from pubguard.review.passwords import hash_password, verify_password
from review.helpers import SITE


def test_password_hash_is_salted_scrypt():
    h1, h2 = hash_password("正确的密码-123"), hash_password("正确的密码-123")
    assert h1 != h2 and h1.startswith("scrypt$")
    assert verify_password("正确的密码-123", h1)
    assert not verify_password("错误的密码", h1)
    assert not verify_password("x", None) and not verify_password("x", "garbage")


def test_authenticate_and_tokens(svc, clock):
    svc.set_password("r1", "long-enough-pw")
    assert svc.authenticate("r1", "long-enough-pw")["username"] == "r1"
    assert svc.authenticate("r1", "wrong-password") is None
    assert svc.authenticate("nobody", "whatever-pw") is None
    with pytest.raises(InvalidInput):
        svc.set_password("r1", "short")
    tok = svc.issue_token("r1", kind="api", ttl=dt.timedelta(hours=1))
    assert svc.resolve_token(tok)["username"] == "r1"
    assert svc.resolve_token(tok + "x") is None
    clock.advance(hours=2)
    assert svc.resolve_token(tok) is None  # expired
    tok2 = svc.issue_token("r1")
    svc.revoke_token(tok2)
    assert svc.resolve_token(tok2) is None
    tok3 = svc.issue_token("r1")
    svc.set_password("r1", "another-long-pw")  # a new password ends every session
    assert svc.resolve_token(tok3) is None
    svc.set_user_active("r1", False)
    assert svc.authenticate("r1", "another-long-pw") is None


def test_user_admin_rules(svc):
    with pytest.raises(Conflict):
        svc.create_user("r1")
    with pytest.raises(InvalidInput):
        svc.create_user("bad name!")
    with pytest.raises(InvalidInput):
        svc.create_user("x1", roles=[(SITE, "boss")])
    with pytest.raises(NotFound):
        svc.create_user("x2", roles=[("nosite", "editor")])
    # a site admin manages users of their site only
    u = svc.create_user("x3", roles=[(SITE, "editor")], actor="adm")
    assert u["roles"] == [{"site": SITE, "role": "editor"}]
    with pytest.raises(PermissionDenied):
        svc.create_user("x4", roles=[("other", "editor")], actor="adm")
    with pytest.raises(PermissionDenied):
        svc.create_user("x5", roles=[(SITE, "editor")], actor="r1")
    with pytest.raises(PermissionDenied):
        svc.create_user("x6", is_admin=True, roles=[(SITE, "editor")], actor="adm")
    svc.grant_role("x3", SITE, "proofreader", actor="adm")
    assert {r["role"] for r in svc.get_user("x3")["roles"]} == {"editor", "proofreader"}
    svc.revoke_role("x3", SITE, "editor", actor="root")
    assert [r["role"] for r in svc.get_user("x3")["roles"]] == ["proofreader"]
    with pytest.raises(PermissionDenied):
        svc.create_site("s3", "三号站", actor="adm")


def test_site_validation(svc):
    with pytest.raises(InvalidInput):
        svc.create_site("../etc", "坏站点")
    with pytest.raises(InvalidInput):
        svc.create_site("s4", "未知工作流", workflow="nosuch")
    with pytest.raises(InvalidInput):
        svc.create_site("s5", "坏目标", publish={"type": "ftp"})
    with pytest.raises(Conflict):
        svc.create_site(SITE, "重复")
    assert {s["key"] for s in svc.list_sites()} == {SITE, "other"}
