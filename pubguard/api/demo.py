"""Demo data for `make run`: one demo site, a user for every role of 三审三校, and sample drafts
from `samples/` at different stages. Idempotent: users, the site and drafts (by title) that
already exist are left alone, so running it before every `pubguard serve` is safe.

Demo accounts (password for all: `pubguard-demo`; for a local demonstration only):

| 用户名 | 角色 |
| --- | --- |
| editor, editor2 | 编辑 |
| proof1, proof2, proof3 | 校对（一校、二校、三校） |
| reviewer1 | 初审 |
| reviewer2 | 复审 |
| reviewer3 | 终审 |
| publisher | 发布 |
| govoffice | 本级人民政府办公室审批（重大信息的分级审批步骤） |
| admin | 系统管理员（兼站点管理员） |
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from pubguard.review import ReviewService
from pubguard.review.models import Draft, Site, User

DEMO_SITE = "demo"
DEMO_SITE_NAME = "示例市人民政府门户网站"
DEMO_BASE_URL = "https://www.example.gov.cn/"  # where the demo site would serve its releases
DEMO_PASSWORD = "pubguard-demo"
DEMO_USERS: list[tuple[str, str, list[str]]] = [
    ("editor", "王编辑", ["editor"]),
    ("editor2", "李编辑", ["editor"]),
    ("proof1", "赵校对", ["proofreader"]),
    ("proof2", "钱校对", ["proofreader"]),
    ("proof3", "孙校对", ["proofreader"]),
    ("reviewer1", "周初审", ["reviewer1"]),
    ("reviewer2", "吴复审", ["reviewer2"]),
    ("reviewer3", "郑终审", ["reviewer3"]),
    ("publisher", "冯发布", ["publisher"]),
    ("govoffice", "陈政府办", ["gov_office"]),
    ("admin", "系统管理员", ["admin"]),
]

# The demo site's 栏目 (menu order): the upload form offers these.
DEMO_COLUMNS = ["通知公告", "政策文件", "政策解读", "工作动态", "公示公告", "人事信息", "财政信息"]

# (file in samples/, title, column, stage): stage "uploaded" | "submitted" | "proofread" | "queued"
# | "returned" (一校 sent it back with a reason: the editor's 我的待办 and 消息 show it)
DEMO_DRAFTS = [
    ("clean_notice.pdf", "关于公布2024年第一批市级示范家庭农场名单的通知", "通知公告", "proofread"),
    ("clean_policy.docx", "关于进一步优化营商环境的若干措施", "政策文件", "submitted"),
    (
        "red_header_seal.pdf",
        "南宁市人民政府办公室关于春季农业生产的通知（含红头、公章）",
        "通知公告",
        "uploaded",
    ),
    ("draft_tracked.docx", "2024年度部门工作要点（含修订痕迹）", "工作动态", "returned"),
    ("subsidy_roster.xlsx", "2024年春季农业补贴发放名单", "公示公告", "uploaded"),
    ("scan_red_header_seal.jpg", "民政局通知（扫描件）", "通知公告", "queued"),
]


def seed(svc: ReviewService, samples_dir: Path | str = "samples") -> dict[str, Any]:
    """Create what is missing; returns counts of what was created."""
    created_users = created_drafts = 0
    with svc.db.read() as s:
        has_site = s.get(Site, DEMO_SITE) is not None
        existing_users = set(s.execute(select(User.username)).scalars())
    if not has_site:
        svc.create_site(
            DEMO_SITE,
            DEMO_SITE_NAME,
            publish={"type": "folder", "base_url": DEMO_BASE_URL},
            columns=DEMO_COLUMNS,
        )
    for username, label, roles in DEMO_USERS:
        if username in existing_users:
            continue
        svc.create_user(
            username,
            display_name=label,
            password=DEMO_PASSWORD,
            is_admin=username == "admin",
            roles=[(DEMO_SITE, r) for r in roles],
        )
        created_users += 1
    from pubguard.api.demo_registers import seed_registers

    created_users += seed_registers(svc, DEMO_SITE, DEMO_PASSWORD)  # 政民互动, 依申请公开 (issue 16)
    with svc.db.read() as s:
        titles = set(s.execute(select(Draft.title).where(Draft.site == DEMO_SITE)).scalars())
    samples = Path(samples_dir)
    if not samples.is_dir():  # run from elsewhere: the samples shipped beside the package
        samples = Path(__file__).resolve().parents[2] / "samples"
    for filename, title, column, stage in DEMO_DRAFTS:
        path = samples / filename
        if title in titles or not path.is_file():
            continue
        draft = svc.create_draft(
            "editor",
            DEMO_SITE,
            title,
            column=column,
            data=path.read_bytes(),
            filename=filename,
            scan=stage != "queued",
        )
        created_drafts += 1
        if stage == "returned" and draft["scan_status"] == "ok":
            from pubguard.review import ReviewError

            try:
                svc.set_disclosure("editor", draft["id"], "主动公开")
                svc.submit("editor", draft["id"], draft["current_version_id"], acknowledge_blockers=True)
                svc.reject(
                    "proof1",
                    draft["id"],
                    draft["current_version_id"],
                    "文中仍有修订痕迹和批注，请全部接受或删除后重新上传。",
                    step_key="proof1",
                )
            except ReviewError:  # the sample changed so that it cannot be sent: leave it uploaded
                pass
        if stage in ("submitted", "proofread") and draft["scan_status"] == "ok":
            svc.set_disclosure("editor", draft["id"], "主动公开")
            svc.submit("editor", draft["id"], draft["current_version_id"])
            if stage == "proofread":
                svc.approve("proof1", draft["id"], draft["current_version_id"], comment="已校对，无误。")
    return {"users": created_users, "drafts": created_drafts}
