// tinnhiem pages: a little script on top of pages that work without it.
// The upload form sends its files with fetch and then shows each file's verdict as soon as
// the ingest workers decide it: /documents/{id}/verdict?wait=25s answers when the verdict exists.
(function () {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function renderVerdict(li, v) {
    li.textContent = "";
    li.dataset.status = v.status;
    var a = el("a", "file", v.file);
    a.href = v.url;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", "badge " + v.status_class, v.status_label));
    if (!v.final) return;
    if (v.detail) li.appendChild(el("span", "detail", v.detail));
    if (v.reason_label) li.appendChild(el("span", "reason", "Lý do: " + v.reason_label + "."));
    if (v.message) li.appendChild(el("span", "message", v.message));
    if (v.warnings && v.warnings.length) {
      var ul = el("ul", "warnings");
      v.warnings.forEach(function (w) { ul.appendChild(el("li", "", w)); });
      li.appendChild(ul);
    }
  }

  // retryAfter is how long the server asked to wait (a 503's Retry-After, in seconds), in ms.
  function retryAfter(res, fallback) {
    var s = parseInt(res.headers.get("Retry-After") || "", 10);
    return s > 0 ? Math.min(s, 60) * 1000 : fallback;
  }

  function poll(li, id, tries) {
    var asked = Date.now();
    fetch("/documents/" + encodeURIComponent(id) + "/verdict?wait=25s", { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (res) { return res.json().then(function (body) { return { ok: res.ok, status: res.status, res: res, body: body }; }); })
      .then(function (r) {
        if (r.status === 503) {
          setTimeout(function () { poll(li, id, tries + 1); }, retryAfter(r.res, 3000));
          return;
        }
        if (!r.ok) {
          li.appendChild(el("span", "message", (r.body.error && r.body.error.message) || "Không đọc được kết quả."));
          return;
        }
        renderVerdict(li, r.body);
        if (!r.body.final) {
          // The server waits for the verdict; one that answered at once is asked again a little later.
          var quick = Date.now() - asked < 5000;
          setTimeout(function () { poll(li, id, tries + 1); }, quick ? (tries < 10 ? 700 : 3000) : 0);
        }
      })
      .catch(function () { setTimeout(function () { poll(li, id, tries + 1); }, 3000); });
  }

  function setupUpload(form) {
    var results = document.getElementById("ket-qua-tai-len");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (ev) {
      if (!window.fetch || !window.FormData) return; // the form then posts normally
      ev.preventDefault();
      var data = new FormData(form);
      button.disabled = true;
      status.hidden = false;
      status.textContent = "Đang tải lên…";
      send(data, 0);
    });

    // send posts the form; a 503 that received nothing and says when to come back (Retry-After:
    // the system is failing over or full) is sent again by itself, a few times.
    function send(data, attempt) {
      fetch(form.action, { method: "POST", body: data, headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (res) { return res.json().then(function (body) { return { status: res.status, res: res, body: body }; }); })
        .then(function (r) {
          var docs = (r.body && r.body.documents) || [];
          if (r.status === 503 && docs.length === 0 && r.res.headers.get("Retry-After") && attempt < 5) {
            var wait = retryAfter(r.res, 2000);
            status.textContent = "Hệ thống đang bận; tự gửi lại sau " + Math.round(wait / 1000) + " giây…";
            setTimeout(function () { send(data, attempt + 1); }, wait);
            return false;
          }
          if (r.status !== 202) {
            var msg = (r.body.error && r.body.error.message) || "Chưa tải lên được.";
            status.textContent = msg.charAt(0).toUpperCase() + msg.slice(1);
            if (r.body.error && r.body.error.problems) {
              r.body.error.problems.forEach(function (p) { status.textContent += " " + p.message; });
            }
          } else {
            status.textContent = "Đã nhận " + docs.length + " tệp; đang đọc và nhận diện…";
            form.reset();
          }
          docs.forEach(function (d) {
            var li = el("li", "verdict");
            li.dataset.document = d.document_id;
            renderVerdict(li, { document_id: d.document_id, file: d.file, url: "/documents/" + d.document_id,
              status: d.status, status_class: "info", status_label: "đang xử lý", final: false });
            results.insertBefore(li, results.firstChild);
            poll(li, d.document_id, 0);
          });
          return true;
        })
        .catch(function () { status.textContent = "Mất kết nối tới máy chủ; hãy thử lại."; return true; })
        .then(function (done) { if (done) button.disabled = false; });
    }
  }

  // File pickers show the chosen names in Vietnamese words (see .file-pick in style.css).
  function setupFilePick(box) {
    var input = box.querySelector("input[type=file]");
    var names = box.querySelector(".file-names");
    function show() {
      var list = [];
      for (var i = 0; i < input.files.length; i++) list.push(input.files[i].name);
      names.textContent = list.length === 0 ? "Chưa chọn tệp nào"
        : list.length === 1 ? list[0] : "Đã chọn " + list.length + " tệp: " + list.join(", ");
    }
    input.addEventListener("change", show);
    input.form && input.form.addEventListener("reset", function () { setTimeout(show, 0); });
    show();
    if (box.hasAttribute("data-drop") && input.form) setupDrop(input.form, input, names, show);
  }

  // Files dropped on the upload form join the picker, those of a kind it takes (its accept
  // list: by extension or type); the others are named and left out.
  function setupDrop(zone, input, names, show) {
    var accepted = (input.getAttribute("accept") || "").toLowerCase().split(",");
    function takes(f) {
      var name = f.name.toLowerCase(), type = (f.type || "").toLowerCase();
      for (var i = 0; i < accepted.length; i++) {
        var a = accepted[i].trim();
        if (a && (a.charAt(0) === "." ? name.slice(-a.length) === a : type === a)) return true;
      }
      return false;
    }
    function over(ev) {
      if (!ev.dataTransfer || Array.prototype.indexOf.call(ev.dataTransfer.types || [], "Files") < 0) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "copy";
      zone.classList.add("dragging");
    }
    zone.addEventListener("dragenter", over);
    zone.addEventListener("dragover", over);
    zone.addEventListener("dragleave", function (ev) {
      if (!zone.contains(ev.relatedTarget)) zone.classList.remove("dragging");
    });
    zone.addEventListener("drop", function (ev) {
      zone.classList.remove("dragging");
      if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
      ev.preventDefault();
      var keep = new DataTransfer(), left = [];
      for (var i = 0; i < input.files.length; i++) keep.items.add(input.files[i]);
      for (var j = 0; j < ev.dataTransfer.files.length; j++) {
        var f = ev.dataTransfer.files[j];
        if (takes(f)) keep.items.add(f); else left.push(f.name);
      }
      input.files = keep.files;
      show();
      if (left.length) {
        names.textContent += " — bỏ qua tệp không đọc được: " + left.join(", ") +
          " (chỉ nhận PDF, Word, OpenDocument, RTF, JPEG, PNG, TIFF)";
      }
    });
  }

  // The tally entry form works without this script (a row is added by sending the form back,
  // both ways of giving the counts are shown); with it, rows are added in place, only the chosen
  // way is shown (the other is disabled, so it is neither checked nor sent), each person's valid
  // votes are summed as they are typed, and a number present below 2/3 is flagged at once.
  function setupEntry(form) {
    var addButtons = form.querySelectorAll("[data-add-row]");
    for (var i = 0; i < addButtons.length; i++) {
      addButtons[i].addEventListener("click", function (ev) {
        var body = form.querySelector('tbody[data-rows="' + this.getAttribute("data-add-row") + '"]');
        var rows = body ? body.querySelectorAll("tr[data-row]") : [];
        if (rows.length === 0) return; // the form is sent and comes back with a row more
        ev.preventDefault();
        var tr = rows[rows.length - 1].cloneNode(true);
        tr.removeAttribute("id");
        tr.classList.remove("has-error");
        var errs = tr.querySelectorAll(".field-error");
        for (var j = 0; j < errs.length; j++) errs[j].parentNode.removeChild(errs[j]);
        var inputs = tr.querySelectorAll("input");
        for (var k = 0; k < inputs.length; k++) { inputs[k].value = ""; inputs[k].removeAttribute("aria-invalid"); }
        var selects = tr.querySelectorAll("select");
        for (var m = 0; m < selects.length; m++) selects[m].selectedIndex = 0;
        body.appendChild(tr);
        if (inputs.length) inputs[0].focus();
      });
    }

    var sources = form.querySelectorAll("input[name=source]");
    function showSource() {
      var chosen = form.querySelector("input[name=source]:checked");
      var value = chosen ? chosen.value : "table";
      var parts = form.querySelectorAll("[data-source-part]");
      for (var i = 0; i < parts.length; i++) {
        var on = parts[i].getAttribute("data-source-part") === value;
        parts[i].hidden = !on;
        parts[i].disabled = !on;
      }
    }
    for (var s = 0; s < sources.length; s++) sources[s].addEventListener("change", showSource);
    showSource();

    function count(input) {
      var v = input ? input.value.trim() : "";
      return /^[0-9]+$/.test(v) ? parseInt(v, 10) : NaN;
    }
    function sumRow(tr) {
      var out = tr.querySelector("output[data-valid]");
      var total = count(tr.querySelector('[data-part="cao"]')) + count(tr.querySelector('[data-part="tin-nhiem"]')) +
        count(tr.querySelector('[data-part="thap"]'));
      out.textContent = isNaN(total) ? "" : String(total);
    }
    var countRows = form.querySelectorAll("tr[data-count-row]");
    for (var c = 0; c < countRows.length; c++) {
      (function (tr) { tr.addEventListener("input", function () { sumRow(tr); }); sumRow(tr); })(countRows[c]);
    }

    var present = form.querySelector("input[name=present]");
    var warning = form.querySelector("[data-quorum-warning]");
    var need = parseInt(form.getAttribute("data-quorum"), 10);
    function checkQuorum() {
      var n = count(present);
      if (!isNaN(n) && n < need) {
        warning.textContent = "Có mặt " + n + " người: không đủ 2/3 số người được triệu tập (cần ít nhất " + need +
          " người); không đủ điều kiện tiến hành lấy phiếu, số liệu sẽ không được lưu.";
        warning.hidden = false;
      } else {
        warning.hidden = true;
      }
    }
    if (present && warning && !isNaN(need)) {
      present.addEventListener("input", checkQuorum);
      checkQuorum();
    }
  }

  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-upload]");
    for (var i = 0; i < forms.length; i++) setupUpload(forms[i]);
    var picks = document.querySelectorAll(".file-pick");
    for (var j = 0; j < picks.length; j++) setupFilePick(picks[j]);
    var entry = document.getElementById("nhap-kiem-phieu");
    if (entry) setupEntry(entry);
  });
})();
