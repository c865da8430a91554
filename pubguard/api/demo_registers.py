"""Demo data of the registers (issue 16) for `pubguard demo-seed`: 政民互动 and 依申请公开 users,
one handling unit, one message waiting to be assigned and one request. Idempotent. The writer
and applicant are invented."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from pubguard.review import ReviewService
from pubguard.review.models import User
from pubguard.review.registers import FoiRequest, Message, Unit

REGISTER_USERS: list[tuple[str, str, list[str]]] = [
    ("hudong", "陈受理", ["interaction"]),
    ("chengguan", "褚承办", []),
    ("cgjhead", "卫科长", []),
    ("yishenqing", "蒋经办", ["foi", "editor"]),
    ("gongkai", "沈主任", ["foi_head"]),
]


def seed_registers(svc: ReviewService, site: str, password: str) -> int:
    """Create what is missing; returns the number of users created."""
    created = 0
    with svc.db.read() as s:
        existing = set(s.execute(select(User.username)).scalars())
        has_unit = s.execute(select(Unit.id).where(Unit.site == site)).first() is not None
        messages = s.execute(select(func.count()).select_from(Message).where(Message.site == site)).scalar()
        requests = s.execute(
            select(func.count()).select_from(FoiRequest).where(FoiRequest.site == site)
        ).scalar()
    for username, label, roles in REGISTER_USERS:
        if username not in existing:
            svc.create_user(username, display_name=label, password=password, roles=[(site, r) for r in roles])
            created += 1
    admin: Any = "admin"
    if not has_unit:
        svc.create_unit(admin, site, "市城管局", head="cgjhead", members=["chengguan"])
        svc.create_unit(admin, site, "市住建局")
    if not messages:
        svc.receive_message(
            "hudong",
            site,
            subject="小区门口路灯坏了半年",
            body="我叫测试甲，电话13800000000，住在示范路1号。小区门口路灯坏了半年，晚上出行很不安全，请尽快修复。",
            type="投诉",
            channel="市长信箱",
            writer={"name": "测试甲", "phone": "13800000000", "address": "示范路1号"},
        )
    if not requests:
        svc.register_foi(
            "yishenqing",
            site,
            description="2024年本市春季农业补贴发放情况",
            applicant={"name": "测试乙", "phone": "13900000000"},
        )
    return created
