/* Invoices: the little JavaScript the screens need. No build step; HTMX does the partial updates.
 *
 * Upload page ([data-uploader]): files chosen or dropped are sent one per request to the JSON endpoint, a few at a
 * time, each with its own progress bar; refused files show the intake service's reason; the invoices created are
 * polled for their pipeline status until they leave it, with a link to their review screen.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function Uploader(form) {
    this.form = form;
    this.fileUrl = form.dataset.fileUrl;
    this.statusUrl = form.dataset.statusUrl;
    this.parallel = parseInt(form.dataset.parallel || "3", 10);
    this.input = form.querySelector("input[type=file]");
    this.panel = document.getElementById("upload-progress");
    this.rows = this.panel.querySelector("[data-file-rows]");
    this.summary = this.panel.querySelector("[data-summary]");
    this.overall = this.panel.querySelector("[data-overall]");
    this.waiting = [];   // items not yet sent
    this.active = 0;     // requests in flight
    this.items = [];
    this.byId = {};      // invoice id -> items showing it
    this.pollTimer = null;
    this.bind();
  }

  Uploader.prototype.bind = function () {
    var self = this;
    // Files go up as soon as they are chosen or dropped: the submit button is only for pages without script.
    var button = this.form.querySelector("[data-upload-button]");
    if (button) button.hidden = true;
    var hint = this.form.querySelector("[data-js-hint]");
    if (hint) hint.hidden = false;
    var zone = this.form.querySelector("[data-dropzone]");
    this.form.addEventListener("submit", function (e) {
      e.preventDefault();
      self.add(self.input.files);
      self.input.value = "";
    });
    this.input.addEventListener("change", function () {
      self.add(self.input.files);
      self.input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files) self.add(e.dataTransfer.files);
    });
  };

  Uploader.prototype.add = function (fileList) {
    var files = Array.prototype.slice.call(fileList || []);
    if (!files.length) return;
    this.panel.hidden = false;
    var self = this;
    files.forEach(function (file) {
      var item = self.row(file);
      self.items.push(item);
      self.waiting.push(item);
    });
    this.pump();
    this.updateSummary();
  };

  Uploader.prototype.row = function (file) {
    var tr = el("tr", {"class": "file-row", "data-state": "waiting"});
    var name = el("td", {"class": "file-name"});
    name.appendChild(el("span", {}, file.name));
    name.appendChild(el("span", {"class": "help"}, " " + formatSize(file.size)));
    var up = el("td", {"class": "file-progress"});
    var bar = el("progress", {max: "100", value: "0", "aria-label": "Upload of " + file.name});
    var pct = el("span", {"class": "pct"}, "Waiting");
    up.appendChild(bar); up.appendChild(pct);
    var status = el("td", {"class": "file-status"});
    tr.appendChild(name); tr.appendChild(up); tr.appendChild(status);
    this.rows.appendChild(tr);
    return {file: file, tr: tr, bar: bar, pct: pct, status: status, state: "waiting", id: null};
  };

  Uploader.prototype.pump = function () {
    while (this.active < this.parallel && this.waiting.length) {
      this.send(this.waiting.shift());
    }
  };

  Uploader.prototype.send = function (item) {
    var self = this;
    var xhr = new XMLHttpRequest();
    var body = new FormData();
    body.append("file", item.file, item.file.name);
    this.active += 1;
    this.setState(item, "uploading");
    item.pct.textContent = "0 %";
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var p = Math.round((e.loaded / e.total) * 100);
      item.bar.value = p;
      item.pct.textContent = p < 100 ? p + " %" : "Checking…";
    });
    xhr.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      self.done(item, xhr.status, data);
    });
    xhr.addEventListener("error", function () { self.done(item, 0, null); });
    xhr.open("POST", this.fileUrl);
    xhr.setRequestHeader("X-CSRFToken", csrfToken(this.form));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.send(body);
  };

  Uploader.prototype.done = function (item, httpStatus, data) {
    this.active -= 1;
    item.bar.value = 100;
    if (data && data.outcome === "created") {
      item.pct.textContent = "Uploaded";
      this.track(item, data, "created");
    } else if (data && data.outcome === "duplicate") {
      item.pct.textContent = "Not stored again";
      this.setState(item, "duplicate");
      this.track(item, data, "duplicate");
    } else {
      var message = (data && (data.message || data.error)) ||
        (httpStatus === 0 ? "The connection failed; try this file again." :
         httpStatus === 403 ? "Your account may not upload invoices." :
         "The server could not take this file (HTTP " + httpStatus + "). Your session may have ended: sign in again.");
      item.pct.textContent = "Refused";
      item.bar.classList.add("failed");
      this.setState(item, "refused");
      item.status.textContent = "";
      var p = el("p", {"class": "error", role: "alert"});
      p.appendChild(el("span", {"aria-hidden": "true"}, "✕ "));
      p.appendChild(el("strong", {}, "Refused: "));
      p.appendChild(document.createTextNode(message));
      item.status.appendChild(p);
      // Refusals go to the top of the list, where they are seen even among 200 files.
      var firstOk = this.rows.querySelector("tr.file-row:not([data-state=refused])");
      if (firstOk && firstOk !== item.tr) this.rows.insertBefore(item.tr, firstOk);
    }
    this.pump();
    this.updateSummary();
  };

  Uploader.prototype.track = function (item, data, how) {
    item.id = data.id;
    (this.byId[data.id] = this.byId[data.id] || []).push(item);
    this.showStatus(item, data, how === "duplicate" ? data.message : "");
    if (how !== "duplicate" && !isFinal(data.status)) {
      this.setState(item, "processing");
      this.schedulePoll();
    } else if (how !== "duplicate") {
      this.setState(item, "processed");
    }
  };

  var PIPELINE = ["received", "extracting", "extracted", "validating", "validated"];
  function isFinal(status) { return PIPELINE.indexOf(status) === -1; }

  Uploader.prototype.showStatus = function (item, data, note) {
    item.status.textContent = "";
    var badge = el("span", {"class": "badge s-" + data.status}, data.label || data.status);
    item.status.appendChild(badge);
    if (!isFinal(data.status)) item.status.appendChild(el("span", {"class": "spinner", "aria-hidden": "true"}));
    if (data.url) {
      item.status.appendChild(document.createTextNode(" "));
      var link = el("a", {href: data.url}, note ? "Open the existing invoice" : "Open");
      item.status.appendChild(link);
    }
    var extra = note || (data.status === "failed" || data.status === "needs_review" ? data.reason : "");
    if (extra) {
      var cls = note ? "warn" : data.status === "failed" ? "error" : "help";
      var p = el("p", {"class": cls});
      if (cls !== "help") p.appendChild(el("span", {"aria-hidden": "true"}, "⚠ "));
      p.appendChild(document.createTextNode(extra.length > 160 ? extra.slice(0, 157) + "…" : extra));
      item.status.appendChild(p);
    }
  };

  Uploader.prototype.schedulePoll = function () {
    var self = this;
    if (this.pollTimer) return;
    this.pollTimer = window.setTimeout(function () { self.pollTimer = null; self.poll(); }, 1500);
  };

  Uploader.prototype.poll = function () {
    var self = this;
    var ids = this.items.filter(function (i) { return i.state === "processing"; }).map(function (i) { return i.id; });
    ids = ids.filter(function (id, n) { return ids.indexOf(id) === n; });
    if (!ids.length) return;
    var chunks = [];
    for (var i = 0; i < ids.length; i += 50) chunks.push(ids.slice(i, i + 50));
    Promise.all(chunks.map(function (chunk) {
      var query = chunk.map(function (id) { return "id=" + encodeURIComponent(id); }).join("&");
      return fetch(self.statusUrl + "?" + query, {headers: {Accept: "application/json"}, credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {invoices: []}; });
    })).then(function (answers) {
      answers.forEach(function (answer) {
        (answer.invoices || []).forEach(function (row) {
          (self.byId[row.id] || []).forEach(function (item) {
            if (item.state !== "processing") return;
            self.showStatus(item, row, "");
            if (isFinal(row.status)) self.setState(item, "processed");
          });
        });
      });
    }).catch(function () { /* network hiccup: try again next round */ }).then(function () {
      self.updateSummary();
      if (self.items.some(function (i) { return i.state === "processing"; })) self.schedulePoll();
    });
  };

  Uploader.prototype.setState = function (item, state) {
    item.state = state;
    item.tr.setAttribute("data-state", state);
  };

  Uploader.prototype.updateSummary = function () {
    var n = {waiting: 0, uploading: 0, processing: 0, processed: 0, refused: 0, duplicate: 0};
    this.items.forEach(function (i) { n[i.state] += 1; });
    var parts = [this.items.length + " file" + (this.items.length === 1 ? "" : "s")];
    if (n.waiting + n.uploading) parts.push((n.waiting + n.uploading) + " uploading");
    if (n.processing) parts.push(n.processing + " processing");
    if (n.processed) parts.push(n.processed + " processed");
    if (n.duplicate) parts.push(n.duplicate + " already received");
    if (n.refused) parts.push(n.refused + " refused");
    this.summary.textContent = parts.join(" · ");
    if (this.overall) {
      var sent = this.items.length - n.waiting - n.uploading;
      this.overall.max = this.items.length;
      this.overall.value = sent;
      this.overall.setAttribute("aria-label", sent + " of " + this.items.length + " files uploaded");
      this.overall.hidden = this.items.length < 2;
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-uploader]").forEach(function (form) {
      form.uploader = new Uploader(form);
    });
  });
})();
