"""Static assets of the web UI: the Chinese font stack (system fonts first, the bundled font as
a swap fallback, the login page included) and the favicon (no 404 on any page)."""

from __future__ import annotations

import re

from api.conftest import auth, upload
from api.test_ui import ui_login

SYSTEM_CJK = ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC")


def _stack(css: str, selector: str) -> list[str]:
    rule = re.search(re.escape(selector) + r"\s*\{[^}]*?font-family:\s*([^;]+);", css).group(1)
    variables = dict(re.findall(r"--([\w-]+):\s*([^;]+);", css))
    rule = re.sub(r"var\(--([\w-]+)\)", lambda m: variables[m.group(1)], rule)
    return [name.strip().strip('"') for name in rule.split(",")]


def test_system_chinese_fonts_come_before_the_bundled_font(client):
    for path, selector in (("/static/app.css", "body"), ("/static/sheet.css", "body.sheet")):
        css = client.get(path).text
        stack = _stack(css, selector)
        bundled = stack.index("PubGuard CJK")
        assert bundled == len(stack) - 2, (path, stack)  # last before the generic family
        assert stack[-1] in ("sans-serif", "serif")
        if path.endswith("app.css"):
            assert all(stack.index(name) < bundled for name in SYSTEM_CJK), stack
        faces = re.findall(r"@font-face\s*\{([^}]*)\}", css)
        assert faces and all("font-display:swap" in face.replace(" ", "") for face in faces), path
    login = client.get("/login").text
    assert '<link rel="stylesheet" href="/static/app.css">' in login


def test_monospace_text_also_prefers_system_chinese_fonts(client):
    css = client.get("/static/app.css").text
    stack = _stack(css, "code")
    assert stack.index("Microsoft YaHei") < stack.index("PubGuard CJK")


def test_favicon_is_linked_and_served(app, client):
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/login").text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")
    r = client.get("/favicon.ico", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/static/favicon.svg"
    assert client.get("/favicon.ico").status_code == 200
    upload(client, auth(app, "ed"), "关于通知\n", title="甲稿")
    ui_login(client)
    assert '<link rel="icon"' in client.get("/queue").text
