"""Government prose as it arrives from scraped pages, for `make bench`: full-width and
half-width punctuation mixed (editors paste from Word, WPS and web forms), natural doubled
characters (工作作风, 人民民主, 一一对应), a few 发文字号, and 1 % of lines carrying a contact
person's name, ID number and mobile. Generated (nothing scraped is committed); the sentence
bank is written in the style of 通知/工作方案/年度报告 published on municipal sites."""

from __future__ import annotations

import random

SENTENCES = [
    "为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步提升政务服务效能，结合我市实际，制定本方案。",
    "各县（区）人民政府、市直各部门要严格执行保密制度，涉及国家秘密的事项不得公开。",
    "对外发布的文件一律使用电子版本，不得在网站上发布加盖公章的扫描件。",
    "二、工作要求。各单位要高度重视，加强组织领导，确保各项任务按期完成。",
    "根据《中华人民共和国政府信息公开条例》第五十条规定，现将我局2023年度政府信息公开工作情况报告如下。",
    "本年度主动公开政府信息1286条，其中规范性文件12件，政策解读材料36篇。",
    "（一）加强作风建设。持续整治形式主义、官僚主义，切实转变工作作风，提高办事效率。",
    "坚持人民民主专政，坚持以人民为中心的发展思想，不断增强人民群众获得感、幸福感、安全感。",
    "各地要对照任务清单一一对应抓好落实，逐项明确责任单位和完成时限。",
    "市财政局要会同市人力资源社会保障局做好资金保障，按规定及时足额拨付补助资金。",
    "申请人可通过政务服务网、窗口现场等方式提交申请材料，材料齐全的当场受理。",
    "按照《关于印发〈政府网站与政务新媒体检查指标〉的通知》（国办函〔2019〕19号）要求，开展季度检查。",
    "三、保障措施。加强统筹协调，建立健全工作台账，实行清单化管理、项目化推进。",
    "请各单位于每月5日前将上月工作进展情况报送市政务服务管理局，逾期未报的予以通报。",
    "对群众反映强烈的突出问题，要建立问题清单、责任清单和整改清单，限期整改到位。",
    "全年共受理政府信息公开申请35件，其中予以公开21件，部分公开6件，不予公开2件。",
    "加快推进“一网通办”，实现高频政务服务事项“掌上办”“指尖办”，让数据多跑路、群众少跑腿。",
    "本方案自印发之日起施行，有效期至2026年12月31日，由市政务服务管理局负责解释。",
    "联系人：市政务服务监督管理局办公室，咨询电话：0771-5512345。",
    "附件：1.重点任务分工表 2.工作进度报表（样表）",
    "四、存在的主要问题及改进情况。个别栏目更新不及时，下一步将严格落实“三审三校”制度。",
    "各乡镇人民政府要组织村（社区）干部逐户上门宣传，确保应保尽保、应缴尽缴。",
    "学生生活补助标准按照每生每年1500元执行，资金由市、县两级财政按比例分担。",
    "会议强调，要时刻绷紧安全生产这根弦，层层压实责任，坚决遏制重特大事故发生。",
    "市人民政府办公室关于做好2024年元旦春节期间有关工作的通知",
    "各有关单位要于2024年3月15日前完成自查，并将自查报告加盖单位公章后报送。",
    "严禁在政府网站发布涉及个人隐私的信息，确需公开的应当依法脱敏处理。",
    "五、监督考核。将工作落实情况纳入年度绩效考核，对工作不力的单位进行约谈。",
]
# How scraped pages lose full-width punctuation: the half-width look-alike in Chinese text.
HALF = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "？": "?", "！": "!"})
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉玉兰海燕俊峰晓东"


def id_number(rng: random.Random) -> str:
    body = f"{rng.choice(['110101', '450102', '320106', '440304'])}{rng.randint(1950, 2005)}"
    body += f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def contact_line(rng: random.Random) -> str:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    mobile = "1" + rng.choice("3589") + "".join(str(rng.randint(0, 9)) for _ in range(9))
    shape = rng.randrange(3)
    if shape == 0:
        return f"联系人：{name}，身份证号：{id_number(rng)}，手机：{mobile}。"
    if shape == 1:
        return f"申请人{name}({id_number(rng)}),联系电话{mobile}。"
    return f"经审核，{name} 身份证 {id_number(rng)} 手机 {mobile} 符合补助条件。"


def gov_text(megabytes: float, seed: int = 3, half_width_share: float = 0.3, pii_share: float = 0.01) -> str:
    """About `megabytes` MB (UTF-8) of prose; lines as on a scraped page."""
    rng = random.Random(seed)
    lines: list[str] = []
    size = 0
    target = megabytes * 1024 * 1024
    while size < target:
        r = rng.random()
        if r < pii_share:
            line = contact_line(rng)
        else:
            line = "".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3)))
            if rng.random() < half_width_share:
                line = line.translate(HALF)
        lines.append(line)
        size += len(line.encode("utf-8")) + 1
    return "\n".join(lines) + "\n"


def wordlist_terms(n: int, seed: int = 4) -> list[str]:
    """`n` distinct 3–6-character terms of common characters (a site's own sensitive list)."""
    rng = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    terms: set[str] = set()
    while len(terms) < n:
        terms.add("".join(rng.choice(chars) for _ in range(rng.randint(3, 6))))
    return sorted(terms)
