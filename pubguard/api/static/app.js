/* PubGuard web UI behaviour: upload with drag-and-drop and progress, scan-status polling,
   messages, and linking boxes on the page image with the findings list. No inline scripts
   (the Content-Security-Policy allows scripts from this origin only). */
(function () {
  "use strict";

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  // ---------------------------------------------------------------- place and messages
  // An action re-renders the draft body. The section acted on stays where it was on screen
  // (no jump), and the action's message appears inside that section, in the flow of the page,
  // so it never covers content. Without a section (other pages) the message goes to #flash at
  // the top, which is in the flow too; if that is out of view it shows as a corner toast.
  var origin = null; // {el, id, top, scroll, inner, message}
  var INNER_SCROLLERS = [".draft-grid > .side", ".findings-card .findings", ".page-rail", ".text-view"];

  function sectionOf(el) {
    return el && el.closest ? el.closest("li.finding[id], section[id], .card") : null;
  }

  function findOrigin() {
    if (!origin) return null;
    if (origin.el && document.body.contains(origin.el)) return origin.el;
    return origin.id ? document.getElementById(origin.id) : null;
  }

  function place(node) {
    var sec = findOrigin();
    if (sec) {
      sec.querySelectorAll(":scope > .inline-flash").forEach(function (old) { old.remove(); });
      node.classList.add("inline-flash");
      var head = sec.querySelector(":scope > h2, :scope > .f-head, :scope > details");
      if (head && head.nextSibling) sec.insertBefore(node, head.nextSibling); else sec.insertBefore(node, sec.firstChild);
      return;
    }
    var area = document.getElementById("flash");
    if (!area) return;
    area.innerHTML = "";
    area.appendChild(node);
    area.classList.toggle("toast", area.getBoundingClientRect().bottom < 0);
  }

  function flash(message, kind) {
    var div = document.createElement("div");
    div.className = "alert " + (kind === "error" ? "alert-error" : "alert-ok");
    div.setAttribute("role", kind === "error" ? "alert" : "status");
    div.textContent = message;
    if (origin && origin.pending && kind !== "error") { origin.message = div; return; } // after the swap
    place(div);
    if (kind !== "error") setTimeout(function () { if (div.parentNode) div.parentNode.removeChild(div); }, 4000);
  }

  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var cfg = e.detail.requestConfig;
    if (cfg && cfg.verb === "get") { origin = null; return; } // polling and refreshes: the user's place is theirs
    var sec = sectionOf(e.detail.elt);
    var inner = {};
    INNER_SCROLLERS.forEach(function (sel) { var el = document.querySelector(sel); if (el) inner[sel] = [el.scrollTop, el.scrollLeft]; });
    origin = {
      inner: inner,
      el: sec,
      id: sec && sec.id ? sec.id : null,
      top: sec ? sec.getBoundingClientRect().top : 0,
      scroll: window.scrollY,
      pending: true,
      message: null,
    };
  });

  function keepPlace() {
    if (!origin) return;
    Object.keys(origin.inner).forEach(function (sel) { // columns with their own scroll first
      var el = document.querySelector(sel);
      if (el) { el.scrollTop = origin.inner[sel][0]; el.scrollLeft = origin.inner[sel][1]; }
    });
    var sec = findOrigin();
    if (!sec) { window.scrollTo(0, origin.scroll); return; }
    // What is left is corrected where it can be: first in the column that scrolls the section
    // (the sticky side column does not move with the window), then in the window.
    var delta = sec.getBoundingClientRect().top - origin.top;
    var box = scrollerOf(sec);
    if (box && Math.abs(delta) >= 1) {
      var was = box.scrollTop;
      box.scrollTop = was + delta;
      delta -= box.scrollTop - was;
    }
    if (Math.abs(delta) >= 1) window.scrollBy(0, delta);
  }

  function scrollerOf(el) {
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      var overflow = getComputedStyle(p).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  }

  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (!origin) return;
    if (e.detail.target && e.detail.target.id === "flash") { // an error answer: show it where the user acted
      var alertEl = e.detail.target.querySelector(".alert");
      if (alertEl && findOrigin()) place(alertEl);
      return;
    }
    keepPlace();
  });

  document.body.addEventListener("htmx:afterSettle", function (e) {
    if (!origin || (e.detail.target && e.detail.target.id === "flash")) return;
    keepPlace();
    origin.pending = false;
    if (origin.message) {
      var div = origin.message;
      origin.message = null;
      place(div);
      setTimeout(function () { if (div.parentNode) div.parentNode.removeChild(div); }, 4000);
    }
  });

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t.matches && t.matches("[data-dismiss]")) { var a = t.closest(".alert"); if (a) a.remove(); }
    if (t.matches && t.matches("[data-print]")) { window.print(); }
  });

  document.body.addEventListener("pg-flash", function (e) {
    var msg = e.detail && (e.detail.value || e.detail.message);
    if (typeof e.detail === "string") msg = e.detail;
    if (msg) flash(msg, "ok");
  });

  // A successful htmx swap clears an old error message.
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.successful && e.detail.target && e.detail.target.id !== "flash") {
      var area = document.getElementById("flash");
      if (area && area.querySelector(".alert-error")) area.innerHTML = "";
    }
  });

  // A personal value shown in full (查看完整值) is removed from the page again after a while.
  document.body.addEventListener("htmx:afterSwap", function (e) {
    var shown = e.detail.target && e.detail.target.querySelectorAll ? e.detail.target.querySelectorAll("[data-hide-after]") : [];
    Array.prototype.forEach.call(shown, function (el) {
      var seconds = parseInt(el.getAttribute("data-hide-after"), 10) || 60;
      setTimeout(function () { el.textContent = "（已隐藏）"; }, seconds * 1000);
    });
  });

  // ---------------------------------------------------------------- upload
  function errorMessage(xhr) {
    try { var body = JSON.parse(xhr.responseText); if (body && body.message) return body.message; } catch (err) { /* not JSON */ }
    if (xhr.status === 413) return "文件过大，超过上传上限。";
    return "上传失败（" + (xhr.status || "网络错误") + "），请重试。";
  }

  function pollScan(versionId, statusEl, done, bar) {
    var tries = 0;
    function tick() {
      tries += 1;
      fetch("/api/v1/versions/" + versionId + "/status", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.scan_status === "pending") {
            var j = s.job;
            if (j && j.status === "running" && j.pages_total) {  // long PDFs: pages read, then analysed
              var analyse = j.pages_stage === "analyse";
              statusEl.textContent = "正在检查：第 " + (j.pages_done || 0) + " / " + j.pages_total + " 页" +
                (j.pages_stage_label ? "（" + j.pages_stage_label + "）" : "");
              if (bar) { bar.hidden = false; bar.max = 2 * j.pages_total; bar.value = (j.pages_done || 0) + (analyse ? j.pages_total : 0); }
            } else {
              var job = j ? (j.status === "running" ? "检查中" : "排队中") : "排队中";
              statusEl.textContent = "上传完成，" + job + "……（已等待 " + tries + " 秒）";
            }
            setTimeout(tick, 1000);
          } else {
            statusEl.textContent = s.scan_status === "ok" ? "检查完成。" : "检查失败：" + (s.scan_error || "");
            done(s);
          }
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    tick();
  }

  function initUpload(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    var zone = form.querySelector(".dropzone");
    var input = form.querySelector('input[type="file"]');
    var nameEl = form.querySelector(".file-name");
    var bar = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector('button[type="submit"]');
    function showName() { if (nameEl) nameEl.textContent = input.files.length ? "已选择：" + input.files[0].name : ""; }
    input.addEventListener("change", showName);
    if (zone) {
      ["dragenter", "dragover"].forEach(function (ev) {
        zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (ev) {
        zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (e) {
        if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; showName(); }
      });
      zone.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!input.files.length) { flash("请先选择要上传的文件。", "error"); return; }
      var data = new FormData(form);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.action);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false; bar.value = 0; button.disabled = true;
      status.textContent = "正在上传……";
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) { bar.value = Math.round(ev.loaded / ev.total * 100); status.textContent = "正在上传 " + bar.value + "%"; }
      });
      xhr.addEventListener("load", function () {
        button.disabled = false;
        if (xhr.status !== 202) { bar.hidden = true; status.textContent = ""; flash(errorMessage(xhr), "error"); return; }
        bar.value = 100;
        var body = JSON.parse(xhr.responseText);
        var draftId = body.draft.id;
        if (form.dataset.then === "body" && window.htmx) {
          window.htmx.ajax("GET", "/drafts/" + draftId + "/body", { target: "#draft-body", swap: "innerHTML" });
          return;
        }
        // One status line: the text (replaced, never appended to) and then the link.
        status.innerHTML = "";
        var line = document.createElement("span");
        line.className = "upload-status-text";
        line.textContent = "上传完成，正在检查……";
        status.appendChild(line);
        var link = document.createElement("a");
        link.href = "/drafts/" + draftId; link.textContent = "打开稿件"; link.className = "open-draft";
        status.appendChild(document.createTextNode(" "));
        status.appendChild(link);
        pollScan(body.version.id, line, function () { window.location.href = "/drafts/" + draftId; }, bar);
      });
      xhr.addEventListener("error", function () { button.disabled = false; flash("网络错误，上传未完成。", "error"); });
      xhr.send(data);
    });
  }

  // The 栏目 field follows the chosen site: its list of columns, or free text when it has none.
  function showColumns(form) {
    var pick = form.querySelector("select.site-pick");
    if (!pick) return;
    form.querySelectorAll(".column-field").forEach(function (label) {
      var on = label.dataset.site === pick.value;
      label.hidden = !on;
      label.querySelectorAll("select, input").forEach(function (el) { el.disabled = !on; });
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select.site-pick")) showColumns(e.target.form);
    if (e.target.matches && e.target.matches(".attach-pick input[type=file]")) {
      var span = e.target.parentNode.querySelector(".file-pick");
      if (span) span.textContent = e.target.files.length ? "已选择：" + e.target.files[0].name : "选择附件文件";
    }
  });

  function initAll(root) {
    (root || document).querySelectorAll("form.upload-form").forEach(function (form) { initUpload(form); showColumns(form); });
  }
  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.body.addEventListener("htmx:afterSettle", function (e) { initAll(e.detail.elt); });

  // ---------------------------------------------------------------- boxes <-> findings
  function hot(id, on) {
    document.querySelectorAll('[data-finding="' + id + '"]').forEach(function (el) { el.classList.toggle("hot", on); });
  }
  document.addEventListener("mouseover", function (e) {
    var el = e.target.closest && e.target.closest(".box, .finding, mark.hl");
    if (el) hot(el.dataset.finding, true);
  });
  document.addEventListener("mouseout", function (e) {
    var el = e.target.closest && e.target.closest(".box, .finding, mark.hl");
    if (el) hot(el.dataset.finding, false);
  });

  // ---------------------------------------------------------------- the draft workspace
  // Selecting a finding (click, or j/k) highlights it with its box or text mark and scrolls
  // both into view; the findings can be filtered by category, severity and status; the page
  // rail shows which page is on screen. Filters and the selection survive htmx swaps of the
  // draft body (a decision re-renders it) for this browser tab.
  var FILTERS = ["category", "severity", "status"];
  var selected = null;

  function storeKey() { return "pg-ws:" + window.location.pathname; }
  function loadState() {
    try { return JSON.parse(window.sessionStorage.getItem(storeKey()) || "{}") || {}; } catch (err) { return {}; }
  }
  function saveState() {
    var state = { sel: selected, f: {} };
    document.querySelectorAll(".f-filters select[data-filter]").forEach(function (s) { state.f[s.dataset.filter] = s.value; });
    try { window.sessionStorage.setItem(storeKey(), JSON.stringify(state)); } catch (err) { /* private mode */ }
  }
  function scrollOpts(block) {
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return { block: block, inline: "nearest", behavior: still ? "auto" : "smooth" };
  }
  function marks(id) {
    var q = '[data-finding="' + id + '"]';
    return document.querySelectorAll(".box" + q + ", mark.hl" + q + ", .hl-table" + q);
  }

  function applyFilters() {
    var want = {};
    document.querySelectorAll(".f-filters select[data-filter]").forEach(function (s) { want[s.dataset.filter] = s.value; });
    var items = document.querySelectorAll(".findings .finding");
    var shown = 0;
    items.forEach(function (li) {
      var ok = FILTERS.every(function (k) { return !want[k] || li.dataset[k] === want[k]; });
      li.classList.toggle("f-hidden", !ok);
      marks(li.dataset.finding).forEach(function (m) { m.classList.toggle("f-hidden", !ok); });
      if (ok) shown += 1;
    });
    var out = document.querySelector(".f-shown");
    if (out) out.textContent = shown === items.length ? "共 " + items.length + " 个" : "显示 " + shown + " / " + items.length + " 个";
  }

  function select(id, opts) {
    opts = opts || {};
    document.querySelectorAll(".sel[data-finding]").forEach(function (el) { el.classList.remove("sel"); });
    selected = id;
    if (!id) { saveState(); return; }
    document.querySelectorAll('[data-finding="' + id + '"]').forEach(function (el) {
      if (!el.classList.contains("thumb")) el.classList.add("sel");
    });
    var item = document.getElementById("finding-" + id);
    var target = Array.prototype.filter.call(marks(id), function (m) { return !m.classList.contains("f-hidden"); })[0];
    if (opts.doc && target) target.scrollIntoView(scrollOpts("center"));
    if (opts.list && item) item.scrollIntoView(scrollOpts("nearest"));
    saveState();
  }

  function visibleFindings() {
    return Array.prototype.filter.call(document.querySelectorAll(".findings .finding"), function (li) {
      return !li.classList.contains("f-hidden");
    });
  }

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!t.closest) return;
    var mark = t.closest(".box[data-finding], mark.hl[data-finding], .hl-table[data-finding]");
    if (mark) { e.preventDefault(); select(mark.dataset.finding, { list: true }); return; }
    var li = t.closest(".findings .finding");
    if (li && !t.closest("a, button, input, select, textarea, summary, label, form, details")) {
      select(li.dataset.finding, { doc: true });
    }
  });

  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches(".f-filters select[data-filter]")) {
      applyFilters();
      var item = selected && document.getElementById("finding-" + selected);
      if (item && item.classList.contains("f-hidden")) select(null);
      saveState();
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "j" && e.key !== "k") return;
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    var t = e.target;
    if (t && (t.isContentEditable || (t.closest && t.closest("input, textarea, select")))) return;
    var list = visibleFindings();
    if (!list.length) return;
    e.preventDefault();
    var ids = list.map(function (li) { return li.dataset.finding; });
    var at = ids.indexOf(selected);
    var next = at < 0 ? (e.key === "j" ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + (e.key === "j" ? 1 : -1)));
    select(ids[next], { doc: true, list: true });
  });

  var pageObserver = null;
  function markPage(number) {
    var rail = document.querySelector(".page-rail");
    if (!rail) return;
    rail.querySelectorAll(".thumb").forEach(function (th) {
      var on = th.dataset.page === number;
      th.classList.toggle("current", on);
      if (on) th.setAttribute("aria-current", "page"); else th.removeAttribute("aria-current");
      if (!on) return;
      var horizontal = rail.scrollWidth > rail.clientWidth + 4;
      if (horizontal) {
        if (th.offsetLeft < rail.scrollLeft || th.offsetLeft + th.offsetWidth > rail.scrollLeft + rail.clientWidth) {
          rail.scrollLeft = th.offsetLeft - rail.clientWidth / 2;
        }
      } else if (th.offsetTop < rail.scrollTop || th.offsetTop + th.offsetHeight > rail.scrollTop + rail.clientHeight) {
        rail.scrollTop = th.offsetTop - rail.clientHeight / 2;
      }
    });
  }
  function initWorkspace() {
    var state = loadState();
    document.querySelectorAll(".f-filters select[data-filter]").forEach(function (s) {
      var v = (state.f || {})[s.dataset.filter];
      if (v && s.querySelector('option[value="' + v + '"]')) s.value = v;
    });
    applyFilters();
    if (state.sel && document.getElementById("finding-" + state.sel)) select(state.sel);
    else selected = null;
    if (pageObserver) pageObserver.disconnect();
    var pages = document.querySelectorAll(".pages .page");
    if (!pages.length || !document.querySelector(".page-rail") || !window.IntersectionObserver) return;
    var ratios = {};
    pageObserver = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) { ratios[en.target.dataset.page] = en.intersectionRatio; });
      var best = null;
      Object.keys(ratios).forEach(function (k) { if (best === null || ratios[k] > ratios[best]) best = k; });
      if (best !== null && ratios[best] > 0) markPage(best);
    }, { threshold: [0, 0.1, 0.25, 0.5, 0.75, 1] });
    pages.forEach(function (p) { pageObserver.observe(p); });
  }
  document.addEventListener("DOMContentLoaded", initWorkspace);
  document.body.addEventListener("htmx:afterSettle", function (e) {
    if (e.detail.elt && (e.detail.elt.id === "draft-body" || e.detail.elt.querySelector(".findings"))) initWorkspace();
  });
})();
