/* The invoice review screen: page view (pages, zoom, field boxes, click-a-word-to-fill), keyboard flow,
   line items with live sums, and the approve / reject actions. No build step; the server does the work. */
(function () {
  "use strict";
  const root = document.getElementById("review");
  if (!root) return;
  const form = document.getElementById("review-form");
  const editable = root.dataset.editable === "1";
  const scroller = document.getElementById("doc-scroll");
  const pages = Array.from(document.querySelectorAll("#doc .page"));
  let current = 1;
  let zoom = 1; // 1 = fit the pane's width
  let lastField = null;
  window.reviewDirty = false;

  // --- pages and zoom ------------------------------------------------------------------------------------
  function showPage(n) {
    if (!pages.length) return;
    current = Math.max(1, Math.min(pages.length, n));
    pages.forEach((p) => { p.hidden = Number(p.dataset.page) !== current; });
    const label = document.getElementById("page-current");
    if (label) label.textContent = String(current);
    const prev = document.getElementById("page-prev"), next = document.getElementById("page-next");
    if (prev) prev.disabled = current === 1;
    if (next) next.disabled = current === pages.length;
  }
  function setZoom(z) {
    zoom = Math.max(0.5, Math.min(4, z));
    pages.forEach((p) => { p.style.width = (zoom * 100).toFixed(0) + "%"; });
    const label = document.getElementById("zoom-label");
    if (label) label.textContent = zoom === 1 ? "Fit" : Math.round(zoom * 100) + "%";
  }
  const on = (id, ev, fn) => { const el = document.getElementById(id); if (el) el.addEventListener(ev, fn); };
  on("page-prev", "click", () => showPage(current - 1));
  on("page-next", "click", () => showPage(current + 1));
  on("zoom-in", "click", () => setZoom(zoom * 1.25));
  on("zoom-out", "click", () => setZoom(zoom / 1.25));
  on("zoom-fit", "click", () => setZoom(1));

  // --- a field's box on the page ------------------------------------------------------------------------------
  function clearHighlight() {
    document.querySelectorAll("#doc .hl").forEach((el) => el.remove());
  }
  function highlight(input) {
    clearHighlight();
    if (!input.dataset.bbox || !pages.length) return;
    const box = input.dataset.bbox.split(",").map(Number);
    if (box.length !== 4 || box.some(isNaN)) return;
    showPage(Number(input.dataset.page || 1));
    const page = pages[current - 1];
    const hl = document.createElement("div");
    hl.className = "hl";
    hl.style.left = (box[0] * 100) + "%";
    hl.style.top = (box[1] * 100) + "%";
    hl.style.width = (box[2] * 100) + "%";
    hl.style.height = (box[3] * 100) + "%";
    page.querySelector(".overlay").appendChild(hl);
    const place = () => {
      const img = page.querySelector("img");
      if (!img.complete || !img.naturalWidth) { img.addEventListener("load", place, { once: true }); return; }
      const top = page.offsetTop + box[1] * page.offsetHeight - scroller.clientHeight / 3;
      const left = page.offsetLeft + box[0] * page.offsetWidth - scroller.clientWidth / 4;
      scroller.scrollTo({ top: Math.max(0, top), left: Math.max(0, left), behavior: "smooth" });
    };
    place();
  }

  // --- words: click one to fill the focused field ---------------------------------------------------------
  function note(text) {
    const el = document.getElementById("words-note");
    if (el) el.textContent = text;
  }
  function drawWords(words) {
    words.forEach((w) => {
      const page = pages[w.page - 1];
      if (!page || !Array.isArray(w.bbox) || w.bbox.length !== 4) return;
      const span = document.createElement("span");
      span.className = "w";
      span.dataset.text = w.text;
      span.style.left = (w.bbox[0] * 100) + "%";
      span.style.top = (w.bbox[1] * 100) + "%";
      span.style.width = (w.bbox[2] * 100) + "%";
      span.style.height = (w.bbox[3] * 100) + "%";
      page.querySelector(".overlay").appendChild(span);
    });
  }
  if (pages.length && root.dataset.wordsUrl) {
    fetch(root.dataset.wordsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : { words: null }))
      .then((data) => {
        if (Array.isArray(data.words) && data.words.length) {
          drawWords(data.words);
          note(editable ? "Click a word to fill the focused field." : "");
        } else {
          note("Word picking is not available for this document.");
        }
      })
      .catch(() => note("Word picking is not available right now."));
  }
  if (scroller) {
    // mousedown without default: the field keeps its focus (and its caret) while a word is picked.
    scroller.addEventListener("mousedown", (e) => { if (e.target.classList.contains("w")) e.preventDefault(); });
    scroller.addEventListener("click", (e) => {
      const word = e.target.closest(".w");
      if (!word || !editable) return;
      const target = lastField;
      if (!target || target.readOnly) { note("Focus a field first, then click a word to fill it."); return; }
      target.value = e.shiftKey && target.value ? target.value + " " + word.dataset.text : word.dataset.text;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.focus();
      word.classList.add("picked");
      setTimeout(() => word.classList.remove("picked"), 600);
    });
  }

  // --- fields: focus, Enter to the next one needing attention ------------------------------------------------
  const fieldInputs = Array.from(document.querySelectorAll("#review-form .finput"));
  fieldInputs.forEach((input) => {
    input.addEventListener("focus", () => { lastField = input; highlight(input); });
  });
  if (form) { // line item cells can be filled from the page too (new rows included)
    form.addEventListener("focusin", (e) => {
      if (e.target.matches("#lines-body input")) {
        lastField = e.target;
        const row = e.target.closest("tr");
        if (row && row.dataset.bbox) highlight(row); else clearHighlight();
      }
    });
  }
  function needing() {
    return fieldInputs.filter((i) => i.dataset.attention === "1" && !i.closest(".frow").classList.contains("done"));
  }
  function finalTarget() {
    return document.getElementById("btn-approve") || document.getElementById("btn-save");
  }
  function accept(input) {
    const row = input.closest(".frow");
    const was = form.querySelector(`input[name="was_${row.dataset.field}"]`);
    const box = row.querySelector(".confirm-box");
    if (box && was && input.value.trim() === was.value.trim() && input.value.trim() !== "") {
      if (!box.checked) { box.checked = true; markDirty(); }
    }
    if (input.dataset.attention === "1") row.classList.add("done");
  }
  function nextAttention(from) {
    const list = needing();
    const after = list.find((i) => fieldInputs.indexOf(i) > fieldInputs.indexOf(from));
    return after || list[0] || null;
  }
  fieldInputs.forEach((input) => {
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      if (e.shiftKey) { // back to the previous field needing attention
        const here = fieldInputs.indexOf(input);
        const prev = fieldInputs.filter((i, n) => n < here && i.dataset.attention === "1").pop();
        if (prev) prev.focus();
        return;
      }
      accept(input);
      const next = nextAttention(input);
      if (next && next !== input) next.focus();
      else { const t = finalTarget(); if (t) t.focus(); }
    });
  });
  document.querySelectorAll(".confirm-box").forEach((box) => {
    box.addEventListener("change", () => {
      box.closest(".frow").classList.toggle("done", box.checked);
      markDirty();
    });
  });
  document.querySelectorAll(".use-mine").forEach((btn) => {
    btn.addEventListener("click", () => {
      const input = document.getElementById(btn.dataset.target);
      input.value = btn.dataset.value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.focus();
    });
  });

  // --- dirty state ---------------------------------------------------------------------------------------------
  function markDirty() {
    window.reviewDirty = true;
    const n = document.getElementById("dirty-note");
    if (n) n.textContent = "Unsaved changes.";
    root.classList.add("dirty");
  }
  let submitting = false;
  if (form) {
    form.addEventListener("input", (e) => {
      if (e.target.name && e.target.name.startsWith("li_")) document.getElementById("li-dirty").value = "1";
      markDirty();
      updateSums();
    });
  }
  // Any form that really submits (save, approve, reject, not a duplicate, reprocess) leaves without a warning.
  document.addEventListener("submit", (e) => { if (!e.defaultPrevented) submitting = true; });
  window.addEventListener("beforeunload", (e) => {
    if (window.reviewDirty && !submitting) { e.preventDefault(); e.returnValue = ""; }
  });

  // --- line items -------------------------------------------------------------------------------------------------
  const body = document.getElementById("lines-body");
  function addLine() {
    const tpl = document.getElementById("line-template");
    if (!tpl || !body) return;
    const empty = body.querySelector(".no-lines");
    if (empty) empty.remove();
    body.appendChild(tpl.content.cloneNode(true));
    document.getElementById("li-dirty").value = "1";
    markDirty();
    body.lastElementChild.querySelector("input").focus();
  }
  on("li-add", "click", addLine);
  if (body) {
    body.addEventListener("click", (e) => {
      const btn = e.target.closest(".li-remove");
      if (!btn) return;
      const row = btn.closest("tr");
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      document.getElementById("li-dirty").value = "1";
      markDirty();
      updateSums();
      const focusTo = next && next.querySelector("input");
      (focusTo || document.getElementById("li-add")).focus();
    });
    body.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && e.target.tagName === "INPUT") { // no accidental submit: next cell instead
        e.preventDefault();
        const inputs = Array.from(body.querySelectorAll("input"));
        const next = inputs[inputs.indexOf(e.target) + 1];
        (next || document.getElementById("li-add") || e.target).focus();
      }
    });
  }
  function parseAmount(text) {
    let raw = String(text || "").replace(/[^\d,.\-()]/g, "");
    if (!/\d/.test(raw)) return null;
    const negative = raw.startsWith("-") || (raw.startsWith("(") && raw.endsWith(")"));
    raw = raw.replace(/[-()]/g, "");
    const seps = raw.replace(/\d/g, "");
    let dec = null;
    if (new Set(seps).size === 2) dec = seps[seps.length - 1];
    else if (seps.length === 1) {
      const tail = raw.slice(raw.indexOf(seps) + 1);
      if (!(seps === "," && tail.length === 3)) dec = seps;
    }
    let number;
    if (dec) {
      const i = raw.lastIndexOf(dec);
      number = (raw.slice(0, i).replace(/[.,]/g, "") || "0") + "." + raw.slice(i + 1);
    } else number = raw.replace(/[.,]/g, "");
    const value = Math.round(Number(number) * 10000);
    if (!isFinite(value)) return null;
    return negative ? -value : value;
  }
  const fmt = (units) => (units / 10000).toFixed(2);
  function compare(el, label, sum, targetInput) {
    if (!el) return;
    const target = targetInput ? parseAmount(targetInput.value) : null;
    el.className = "";
    if (target === null) { el.textContent = ""; return; }
    const diff = sum - target;
    if (Math.abs(diff) < 100) { // within a cent
      el.className = "sum-ok";
      el.innerHTML = `<span aria-hidden="true">✓</span> matches ${label} ${fmt(target)}`;
    } else {
      el.className = "sum-bad";
      el.innerHTML = `<span aria-hidden="true">⚠</span> ${label} ${fmt(target)}: differs by ${fmt(diff)}`;
    }
  }
  function updateSums() {
    const out = document.getElementById("sum-lines");
    if (!out || !body) return;
    let sum = 0, count = 0;
    body.querySelectorAll(".li-amount").forEach((i) => {
      const v = parseAmount(i.value);
      if (v !== null) { sum += v; count += 1; }
    });
    out.textContent = count ? fmt(sum) : "–";
    const subtotal = document.getElementById("f-subtotal"), total = document.getElementById("f-total");
    const hasSubtotal = subtotal && parseAmount(subtotal.value) !== null;
    compare(document.getElementById("sum-vs-subtotal"), "subtotal", sum, count ? subtotal : null);
    compare(document.getElementById("sum-vs-total"), "total", sum, count && !hasSubtotal ? total : null);
  }
  updateSums();

  // --- approve and reject ---------------------------------------------------------------------------------------
  const approveForm = document.getElementById("approve-form");
  if (approveForm) {
    approveForm.addEventListener("submit", (e) => {
      if (window.reviewDirty) {
        e.preventDefault();
        const n = document.getElementById("dirty-note");
        if (n) n.textContent = "Save your changes first (Alt+S), then approve.";
        alertBox("Save your changes first (Alt+S), then approve.");
      } else submitting = true;
    });
  }
  const dialog = document.getElementById("reject-dialog");
  function openReject() {
    if (!dialog) return;
    dialog.showModal();
    document.getElementById("reject-reason").focus();
  }
  on("btn-reject", "click", openReject);
  on("reject-cancel", "click", () => dialog.close());
  const rejectForm = document.getElementById("reject-form");
  if (rejectForm) {
    rejectForm.addEventListener("submit", (e) => {
      const reason = document.getElementById("reject-reason");
      if (!reason.value.trim()) {
        e.preventDefault();
        document.getElementById("reject-error").hidden = false;
        reason.focus();
      } else submitting = true;
    });
  }
  document.querySelectorAll("[data-confirm]").forEach((btn) => {
    btn.addEventListener("click", (e) => { if (!window.confirm(btn.dataset.confirm)) e.preventDefault(); });
  });
  function alertBox(text) {
    let box = document.getElementById("js-alert");
    if (!box) {
      box = document.createElement("div");
      box.id = "js-alert";
      box.className = "alert alert-error";
      box.setAttribute("role", "alert");
      root.insertBefore(box, root.querySelector(".rv-grid"));
    }
    box.textContent = text;
  }

  // --- shortcuts (Alt + key; e.code so that layouts and macOS Option characters do not matter) ---------------
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    if (dialog && dialog.open) return;
    const click = (id) => { const el = document.getElementById(id); if (el) { e.preventDefault(); el.click(); } };
    switch (e.code) {
      case "KeyS": if (form && editable) { e.preventDefault(); submitting = true; form.requestSubmit(); } break;
      case "KeyA": if (approveForm) { e.preventDefault(); approveForm.requestSubmit(); } break;
      case "KeyR": click("btn-reject"); break;
      case "KeyN": { const a = document.getElementById("btn-next"); if (a) { e.preventDefault(); window.location.href = a.href; } break; }
      case "KeyL": click("li-add"); break;
      case "Equal": case "NumpadAdd": e.preventDefault(); setZoom(zoom * 1.25); break;
      case "Minus": case "NumpadSubtract": e.preventDefault(); setZoom(zoom / 1.25); break;
      case "Digit0": case "Numpad0": e.preventDefault(); setZoom(1); break;
      case "PageDown": e.preventDefault(); showPage(current + 1); break;
      case "PageUp": e.preventDefault(); showPage(current - 1); break;
      default: break;
    }
  });

  // --- presence: tell the server when the page goes away -----------------------------------------------------
  window.addEventListener("pagehide", () => {
    const presence = document.getElementById("presence");
    const token = form ? form.querySelector("[name=csrfmiddlewaretoken]") : document.querySelector("[name=csrfmiddlewaretoken]");
    if (!presence || !token || !navigator.sendBeacon) return;
    const data = new FormData();
    data.append("leave", "1");
    data.append("csrfmiddlewaretoken", token.value);
    navigator.sendBeacon(presence.getAttribute("hx-post"), data);
  });

  // --- start: the first field needing attention -------------------------------------------------------------
  showPage(1);
  // After a refused stale save: the first field where the person's value differs from the newer one.
  const mine = document.getElementById("conflict") && document.querySelector(".frow .fmine");
  const first = mine ? mine.closest(".frow").querySelector(".finput")
    : needing()[0]; // read-only for an approver without the reviewer role, but its box still shows
  if (first) first.focus();
})();
