"""personal_data: free-mail addresses (qq/163/126) an office publishes as its own are low.

Look-alikes of three real government pages (a training notice's 心得提交邮箱, two 文明网 footers
with 主办/邮编/ICP备 around the address), against the same address shapes that stay personal:
after a person's name, with a personal label, in a roster table, in a 名单/公示 list."""

from __future__ import annotations

import pytest

from pubguard.config import ScanConfig
from pubguard.detectors.base import ScanContext
from pubguard.detectors.personal_data import PersonalDataDetector
from pubguard.document import BlockKind
from pubguard.extract import extract
from pubguard.finding import Finding, Severity
from tests.detectors.test_personal_data import prose, scan, table


def emails(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule == "email"]


def severities(*paragraphs: str) -> list[Severity]:
    return [f.severity for f in emails(scan(prose(*paragraphs)))]


@pytest.mark.parametrize(
    "paragraphs",
    [
        # a training notice: where the participants send their reports
        (
            "（一）学满60学时后，三天内提交不少于1000字的个人学习心得体会，学习心得提交邮箱：2188563967@qq.com。",
        ),
        ("账号：继续教育培训报名表所填写的本人手机号码", "心得提交邮箱：2188563967@qq.com"),
        ("欢迎广大干部群众踊跃投稿，投稿邮箱：hdwmb2023@163.com，来稿请注明作者及联系方式。",),
        ("请于6月30日前将报名表发送至 xqjyj_bm@126.com，逾期不予受理。",),
        ("如对公示对象有异议，请通过举报邮箱 jwjb_2024@163.com 反映。",),
        ("区文明办邮箱：qywmb@163.com",),
        # a site footer: the office's mailbox among 主办 / 邮编 / 电话 / ICP备
        (
            "主办单位：北京市朝阳区精神文明建设委员会办公室",
            "电子邮箱：chywmb@163.com 联系电话：86-010-65099776",
            "ICP备案号：京ICP备06033490号-1",
        ),
        (
            "南昌文明网©版权所有    技术支持：南昌新闻网",
            "主办：南昌市精神文明建设指导委员会办公室",
            "邮编：330038   电话：0791-83885841",
            "邮箱：ncwmb@126.com   赣ICP备13004817号-1",
        ),
        ("地址：某某县人民路1号  电话：0771-5551234  邮箱：xxwmb@163.com",),
    ],
)
def test_office_mailbox_on_free_mail_is_low(paragraphs: tuple[str, ...]) -> None:
    found = emails(scan(prose(*paragraphs)))
    assert [f.severity for f in found] == [Severity.LOW]
    assert "单位" in found[0].message
    assert "@" in found[0].evidence and "*" in found[0].evidence  # still masked


@pytest.mark.parametrize(
    "paragraphs",
    [
        # after a person's name, or a personal label: the same shapes stay personal
        ("联系人：王芳，联系电话：0771-5551234，投稿邮箱：wangfang1988@163.com",),
        ("如有疑问请联系李老师，联系邮箱：lilaoshi1975@qq.com",),
        ("张伟，男，1990年3月生，本科学历，邮箱：zhangwei1990@163.com",),
        ("申请人邮箱：chenjing_1992@126.com",),
        ("个人邮箱：zhangsan1990@163.com",),
        # a 名单/公示 list with 地址/电话 columns in prose: no page furniture
        (
            "2024年度拟聘用人员名单公示",
            "序号 单位 地址 电话 邮箱",
            "1 某某街道 人民路3号 0771-5551234 liuyang0908@163.com",
        ),
        # a bare address, nothing around it
        ("邮箱：zhaolei1985@qq.com",),
        ("电话：0771-5551234  邮箱：zhaolei1985@qq.com",),  # one contact label is not a footer
    ],
)
def test_personal_mailbox_on_free_mail_stays_medium(paragraphs: tuple[str, ...]) -> None:
    assert severities(*paragraphs) == [Severity.MEDIUM]


def test_roster_table_keeps_footer_words_from_lowering() -> None:
    """A roster with 地址/电话 headers and a name column: its addresses are the people's."""
    rows = [
        ["姓名", "工作单位", "地址", "电话", "邮箱"],
        ["王芳", "某某街道", "人民路3号", "0771-5551234", "wangfang88@163.com"],
        ["李强", "某某社区", "解放路8号", "0771-5551235", "liqiang77@qq.com"],
    ]
    found = emails(scan(table(rows)))
    assert [f.severity for f in found] == [Severity.MEDIUM, Severity.MEDIUM]


def test_row_with_a_name_but_no_name_header_stays_personal() -> None:
    rows = [
        ["序号", "单位", "地址", "电话", "邮箱"],
        ["1", "王芳", "人民路3号", "0771-5551234", "wangfang88@163.com"],
    ]
    assert [f.severity for f in emails(scan(table(rows)))] == [Severity.MEDIUM]


def test_footer_block_is_furniture_unless_a_person_is_named() -> None:
    office = scan(prose("如有问题请发邮件：gzwmb@163.com", kind=BlockKind.FOOTER))
    person = scan(prose("经办人：赵磊  邮箱：zhaolei1985@qq.com", kind=BlockKind.FOOTER))
    assert [f.severity for f in emails(office)] == [Severity.LOW]
    assert [f.severity for f in emails(person)] == [Severity.MEDIUM]


FOOTER_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>南昌文明网</title></head>
<body><div class="article"><h1>{title}</h1><p>{body}</p></div>
<div class="footer"><p>南昌文明网&copy;版权所有 &nbsp; 技术支持：南昌新闻网</p>
<p>主办：南昌市精神文明建设指导委员会办公室</p><p>邮编：330038 &nbsp; 电话：0791-83885841</p>
<p>邮箱：ncwmb@126.com &nbsp; 赣ICP备13004817号-1</p></div></body></html>"""


def page_findings(title: str, body: str) -> list[Finding]:
    html = FOOTER_PAGE.format(title=title, body=body).encode()
    doc = extract(html, "index.html", ScanConfig())
    return emails(list(PersonalDataDetector().detect(doc, ScanContext(config=ScanConfig()))))


def test_real_footer_page_lookalike() -> None:
    """The footer's mailbox is low; a person's address in the article above stays medium."""
    found = page_findings(
        "我市评选出第三批文明家庭", "获奖家庭代表李明表示，欢迎来信交流：liming1979@163.com。"
    )
    by_domain = {f.evidence.split("@")[1]: f.severity for f in found}
    assert by_domain == {"126.com": Severity.LOW, "163.com": Severity.MEDIUM}
