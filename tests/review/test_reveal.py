"""Seeing a masked personal value in full: only with the site's authority (`[authority]`
unmask_min_level / unmask_admin) and a reason, audited as `finding.unmask` without the value,
read from the managed original each time (never stored)."""

from __future__ import annotations

import pytest

from pubguard.review import InvalidInput, NotFound, PermissionDenied
from pubguard.review.workflow import WORKFLOW_DIR
from review.helpers import CLEAN, SITE, database_text, make_service

MOBILE = "13912345678"


@pytest.fixture
def real(svc, db_url, tmp_path, clock):  # type: ignore[no-untyped-def]
    """The same database and files with the real scanner (offsets, detector)."""
    service = make_service(db_url, tmp_path / "data", clock, scanner=None)
    yield service
    service.close()


def _draft(svc, id_number: str, site: str = SITE) -> dict:  # type: ignore[no-untyped-def]
    text = f"联系人：王先生，手机 {MOBILE}，身份证号 {id_number}。\n" + CLEAN
    d = svc.create_draft("ed", site, "公示", data=text.encode(), filename="notice.txt")
    return {f["rule"]: f for f in svc.list_findings("r1", d["id"])} | {"draft": d}


def test_a_level_2_reviewer_sees_the_value_with_a_reason_and_it_is_audited(real, id_number):
    f = _draft(real, id_number)
    assert MOBILE not in f["mobile"]["evidence"]
    got = real.reveal_value("r2", f["mobile"]["id"], "核实是否为单位公开电话")
    assert got == {"finding_id": f["mobile"]["id"], "value": MOBILE}
    assert real.reveal_value("r3", f["id_card"]["id"], "核对身份证号真伪")["value"] == id_number
    assert real.reveal_value("root", f["mobile"]["id"], "系统管理员核查")["value"] == MOBILE
    log = [e for e in real.audit_log(None, limit=20) if e["action"] == "finding.unmask"]
    assert sorted((e["actor"], e["details"]["finding_id"]) for e in log) == sorted(
        [("root", f["mobile"]["id"]), ("r3", f["id_card"]["id"]), ("r2", f["mobile"]["id"])]
    )
    first = next(e for e in log if e["actor"] == "r2")
    assert first["comment"] == "核实是否为单位公开电话" and first["details"]["rule"] == "mobile"
    dump = database_text(real)
    assert MOBILE not in dump and id_number not in dump  # neither the audit nor anything else


def test_others_are_refused_in_chinese(real, id_number):
    f = _draft(real, id_number)
    fid = f["mobile"]["id"]
    for user in ("r1", "p1", "ed", "pub"):
        with pytest.raises(PermissionDenied, match="无权查看完整的个人信息"):
            real.reveal_value(user, fid, "想看一下完整号码")
    with pytest.raises(InvalidInput, match="理由"):
        real.reveal_value("r2", fid, "  ")
    real.create_user("stranger", display_name="外站")
    real.grant_role("stranger", "other", "reviewer3")
    with pytest.raises(NotFound, match=f"问题不存在：{fid}"):
        real.reveal_value("stranger", fid, "另一站点的人")
    with pytest.raises(NotFound):
        real.reveal_value("r2", 999999, "不存在的问题")
    assert not [e for e in real.audit_log(None, limit=50) if e["action"] == "finding.unmask"]
    assert real.may_unmask("r2", f["draft"]["id"]) and not real.may_unmask("r1", f["draft"]["id"])


def test_only_personal_data_has_a_full_value(svc):
    d = svc.create_draft(
        "ed", SITE, "通知", data=b"!low proofreading typo \xe6\x8c\x89\xe6\x8e\x92\n", filename="n.txt"
    )
    fid = svc.list_findings("r1", d["id"])[0]["id"]
    with pytest.raises(InvalidInput, match="个人信息"):
        svc.reveal_value("r2", fid, "看一下原文")


def test_the_authority_is_per_site_data(real, tmp_path, id_number):
    text = (WORKFLOW_DIR / "default.toml").read_text("utf-8")
    strict = text.replace("unmask_min_level = 2", "unmask_min_level = 3").replace(
        "unmask_admin = true", "unmask_admin = false"
    )
    assert strict != text
    path = tmp_path / "strict.toml"
    path.write_text(strict, "utf-8")
    real.create_site("strict", "严格站点", workflow=str(path))
    for name, role in [("ed", "editor"), ("r1", "reviewer1"), ("r2", "reviewer2"), ("r3", "reviewer3")]:
        real.grant_role(name, "strict", role)
    real.grant_role("adm", "strict", "admin")
    f = _draft(real, id_number, site="strict")
    with pytest.raises(PermissionDenied, match="终审"):
        real.reveal_value("r2", f["mobile"]["id"], "核实号码")
    with pytest.raises(PermissionDenied):
        real.reveal_value("adm", f["mobile"]["id"], "核实号码")
    assert real.reveal_value("r3", f["mobile"]["id"], "核实号码")["value"] == MOBILE
