"""The whole flow, upload to release, on the real scanner (the detectors of this project):
a draft with a 密级 mark and an ID number is caught, rejected, fixed, reviewed by six
different people and released; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile

from factories import make_id_number

from pubguard.review import GateClosed, InvalidState
from pubguard.scan import scan_bytes
from review.helpers import SITE, make_service

BODY = "关于开展2026年春季农田水利建设的通知\n各乡镇人民政府、区直有关单位：\n现将有关事项通知如下。\n"


def test_upload_to_release_with_the_real_scanner(db_url, tmp_path, clock):
    svc = make_service(db_url, tmp_path / "data", clock, scanner=scan_bytes)
    try:
        svc.create_site(SITE, "示例市人民政府网站")
        people = {
            "editor": "editor",
            "proof_a": "proofreader",
            "proof_b": "proofreader",
            "proof_c": "proofreader",
            "chief1": "reviewer1",
            "chief2": "reviewer2",
            "leader": "reviewer3",
            "webmaster": "publisher",
        }
        for name, role in people.items():
            svc.create_user(name, roles=[(SITE, role)])
        svc.create_user("root", is_admin=True)
        idn = make_id_number()
        v1_text = "秘密★1年\n" + BODY + f"联系人身份证号码：{idn}\n"
        d = svc.create_draft(
            "editor",
            SITE,
            "春季农田水利建设通知",
            column="通知公告",
            data=v1_text.encode("utf-8"),
            filename="通知.txt",
        )
        findings = {f["category"]: f for f in svc.list_findings("editor", d["id"])}
        assert findings["classification_mark"]["severity"] == "blocker"
        assert findings["personal_data"]["severity"] == "high"
        leaked = idn in json.dumps(findings, ensure_ascii=False)
        assert not leaked, "the raw ID number must never be stored in findings"
        d = svc.get_draft("editor", d["id"])
        assert d["disclosure"]["proposed"] in ("不予公开", "依申请公开")

        svc.set_disclosure("editor", d["id"], "主动公开")
        svc.submit("editor", d["id"])
        svc.decide_finding(
            "proof_a", findings["classification_mark"]["id"], "confirmed", reason="删除密级标志"
        )
        svc.decide_finding("chief1", findings["personal_data"]["id"], "confirmed", reason="删除身份证号")
        try:
            svc.release("webmaster", d["id"])
            raise AssertionError("the gate must refuse")
        except GateClosed as exc:
            assert any("已确认须修改" in r for r in exc.details["reasons"])
        try:  # issue 18.4: a step is not approved over a confirmed, unfixed blocker
            svc.approve("proof_a", d["id"], d["current_version_id"])
            raise AssertionError("a confirmed blocker must hold the step")
        except InvalidState as exc:
            assert "已确认须修改" in exc.message
        svc.reject("proof_a", d["id"], d["current_version_id"], "请删除密级标志和身份证号后重新提交")
        assert svc.get_draft("editor", d["id"])["status"] == "draft"

        v2 = svc.upload_version(
            "editor", d["id"], "通知-修改稿.txt", (BODY + "联系人：办公室\n").encode("utf-8")
        )
        after = svc.list_findings("editor", d["id"])
        fixed = {f["category"] for f in after if f["status"] == "fixed"}
        assert {"classification_mark", "personal_data"} <= fixed
        assert not [f for f in after if f["status"] != "fixed" and f["severity"] in ("blocker", "high")]
        d = svc.submit("editor", d["id"], version_id=v2["id"])
        order = {
            "proof1": "proof_a",
            "review1": "chief1",
            "proof2": "proof_b",
            "review2": "chief2",
            "proof3": "proof_c",
            "review3": "leader",
        }
        while d["active_step"]:
            key = d["active_step"]["key"]
            d = svc.approve(order[key], d["id"], v2["id"], step_key=key, comment="同意")
        assert d["status"] == "approved" and d["disclosure"]["confirmed_by"] == "leader"
        rel = svc.release("webmaster", d["id"], v2["id"])
        published = svc.settings.publish_dir / SITE / str(d["id"])
        assert (published / "通知-修改稿.txt").read_text(encoding="utf-8").startswith("关于开展")
        assert rel["version_id"] == v2["id"]
        assert svc.verify_audit().ok
        manifest = zipfile.ZipFile(io.BytesIO(svc.export_archive("root", d["id"]))).read("manifest.json")
        leaked = idn.encode() in manifest
        assert not leaked, "the archive manifest must not hold the raw ID number"
        svc.withdraw("webmaster", d["id"], "栏目调整")
        assert not published.exists()
        assert svc.get_draft("editor", d["id"])["status"] == "withdrawn"
    finally:
        svc.close()
