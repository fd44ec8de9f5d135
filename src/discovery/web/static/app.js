/* Discovery web UI: upload with progress, drag and drop, live flow progress,
   searchable field lists. Plain JavaScript, no libraries.
   Everything taken from the server is written with textContent, never as HTML. */
"use strict";

function uploadForm() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = document.getElementById("file");
  const zone = document.getElementById("dropzone");
  const chosen = document.getElementById("file-chosen");
  const wrap = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-bar");
  const percent = document.getElementById("upload-percent");
  const error = document.getElementById("upload-error");
  const button = form.querySelector("button[type=submit]");

  const showChosen = () => {
    chosen.textContent = input.files.length ? "Chosen: " + input.files[0].name : "";
  };
  input.addEventListener("change", showChosen);
  ["dragenter", "dragover"].forEach((name) =>
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    })
  );
  ["dragleave", "drop"].forEach((name) =>
    zone.addEventListener(name, () => zone.classList.remove("over"))
  );
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showChosen();
    }
  });

  const fail = (message) => {
    error.textContent = message;
    error.hidden = false;
    wrap.hidden = true;
    button.disabled = false;
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!input.files.length) {
      fail("Choose a file to upload first.");
      return;
    }
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
    request.responseType = "json";
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) {
        const value = Math.round((100 * progress.loaded) / progress.total);
        bar.value = value;
        percent.textContent = value + "%";
      }
    });
    request.addEventListener("load", () => {
      const body = request.response || {};
      if (request.status === 200 && body.redirect) {
        bar.value = 100;
        percent.textContent = "100%";
        window.location.assign(body.redirect);
      } else {
        fail(body.error || "The upload failed (HTTP " + request.status + "). Try again.");
      }
    });
    request.addEventListener("error", () => fail("The upload was interrupted. Check the connection and try again."));
    wrap.hidden = false;
    bar.value = 0;
    percent.textContent = "0%";
    button.disabled = true;
    request.send(new FormData(form));
  });
}

// The flow page's counters as the server draws them (web/labels.py counter_value):
// counts with thousands separators, the file size in bytes, KB, MB or GB.
function counterText(name, value) {
  if (value === null || value === undefined) return "";
  if (name !== "file_size_bytes") return Number(value).toLocaleString("en-US");
  if (value < 1024) return value.toLocaleString("en-US") + (value === 1 ? " byte" : " bytes");
  let shown = value;
  let unit = "";
  for (unit of ["KB", "MB", "GB"]) {
    shown /= 1024;
    if (shown < 1024) break;
  }
  return shown.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " " + unit;
}

function flowProgress() {
  const root = document.getElementById("flow");
  if (!root || root.dataset.atRest === "true") return;
  const live = document.getElementById("flow-live");
  const setHidden = (id, hidden) => {
    const element = document.getElementById(id);
    if (element) element.hidden = hidden;
  };
  const update = (snap) => {
    const status = document.getElementById("flow-status");
    status.textContent = snap.status_label;
    status.className = "s-" + snap.status;
    document.getElementById("flow-progress").value = snap.progress;
    document.getElementById("flow-percent").textContent = snap.progress + "%";
    for (const step of snap.steps) {
      const item = root.querySelector('[data-phase="' + step.phase + '"]');
      if (!item) continue;
      item.className = "phase p-" + step.status;
      item.querySelector(".phase-state").textContent = step.status;
      item.querySelector(".phase-bar span").style.width = step.percent + "%";
      item.querySelector(".phase-count").textContent = step.total ? step.done + " / " + step.total : "";
      item.querySelector(".phase-time").textContent = step.time || "";
    }
    for (const [name, value] of Object.entries(snap.counters || {})) {
      const cell = document.querySelector('[data-counter="' + name + '"]');
      if (cell) cell.textContent = counterText(name, value);
    }
    setHidden("flow-approval", !snap.awaiting_approval);
    setHidden("flow-done", !(snap.status === "completed" || snap.status === "completed_with_errors"));
    if (snap.error) {
      document.getElementById("flow-error-phase").textContent = snap.error.phase_label || snap.error.phase || "";
      document.getElementById("flow-error-message").textContent = snap.error.message;
    }
    setHidden("flow-error", !snap.error);
    const warnings = snap.warnings || [];
    const list = document.getElementById("flow-warning-list");
    if (list && list.children.length !== warnings.length) {
      list.replaceChildren(...warnings.map((text) => {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }));
    }
    setHidden("flow-warnings", warnings.length === 0);
  };
  // The results and counters are drawn by the server: once the flow rests, fetch the
  // page again and swap them in (the rest of the page is kept as it is).
  const refreshResults = async () => {
    const results = document.getElementById("flow-results");
    if (!results || results.dataset.stale !== "true") return;
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const id of ["flow-results", "counters"]) {
      const replacement = fresh.getElementById(id);
      const current = document.getElementById(id);
      if (replacement && current) current.replaceWith(replacement);
    }
  };
  const poll = async () => {
    try {
      const response = await fetch(root.dataset.statusUrl, {
        headers: { "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
      });
      if (response.status === 401) {
        window.location.reload();
        return;
      }
      const snap = await response.json();
      update(snap);
      if (snap.at_rest) {
        live.textContent = "";
        root.dataset.atRest = "true";
        refreshResults();
        return;
      }
    } catch (problem) {
      live.textContent = "(connection lost; retrying)";
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
}

function fieldSearch() {
  for (const search of document.querySelectorAll(".field-search")) {
    const select = document.getElementById(search.dataset.for);
    if (!select || select.disabled) continue;
    search.hidden = false;
    // Enter in the search box must not submit (and so approve) the whole form.
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        select.focus();
      }
    });
    // Typing only narrows the list; the choice stays what it was until the reviewer picks
    // another field (a search that changed it silently could approve a wrong mapping).
    search.addEventListener("input", () => {
      const wanted = search.value.trim().toLowerCase().replace(/\s+/g, "_");
      for (const option of select.options) {
        const match = !wanted || option.value === "" || option.value.includes(wanted) || option.selected;
        option.hidden = !match;
      }
    });
  }
}

// A fallback column whose field the reviewer changes leaves that field's fallbacks: its
// box is unticked (it may be ticked again, to make it a fallback of the new field).
function fallbackChoices() {
  for (const box of document.querySelectorAll(".fallback-choice input")) {
    const select = document.getElementById(box.dataset.for);
    if (!select || box.disabled) continue;
    const original = select.value;
    const rank = select.closest("tr").querySelector(".rank");
    select.addEventListener("change", () => {
      if (select.value !== original && box.checked) box.checked = false;
      if (rank && rank.dataset.rank !== "1") {
        rank.textContent = select.value === original && box.checked
          ? rank.dataset.text
          : "No longer a fallback of this field.";
      }
    });
    if (rank) rank.dataset.text = rank.textContent;
    box.addEventListener("change", () => {
      if (rank && rank.dataset.rank !== "1") {
        rank.textContent = select.value === original && box.checked
          ? rank.dataset.text
          : box.checked ? "Fallback, after the suggested ones." : "No longer a fallback of this field.";
      }
    });
  }
}

// The review's choices are kept in this tab (sessionStorage) as the reviewer makes them:
// when the session has expired by the time they approve, the sign-in brings them back
// here with ?restore=1 and the choices are put back.
function keptReview() {
  const form = document.getElementById("mapping-form");
  if (!form || !window.sessionStorage) return;
  const key = "discovery-review:" + form.dataset.flow;
  const fields = () => form.querySelectorAll("select[name^=target_], input[name^=fallback_]");
  const save = () => {
    const kept = {};
    for (const field of fields()) {
      if (field.disabled) continue;
      const source = field.closest("tr").dataset.source;
      const entry = kept[source] || (kept[source] = {});
      if (field.tagName === "SELECT") entry.target = field.value;
      else entry.fallback = field.checked;
    }
    sessionStorage.setItem(key, JSON.stringify(kept));
  };
  const restore = new URLSearchParams(window.location.search).get("restore") === "1";
  const stored = sessionStorage.getItem(key);
  if (restore && stored) {
    let kept = {};
    try { kept = JSON.parse(stored) || {}; } catch (error) { kept = {}; }
    let restored = false;
    for (const field of fields()) {
      if (field.disabled) continue;
      const entry = kept[field.closest("tr").dataset.source];
      if (!entry) continue;
      if (field.tagName === "SELECT" && typeof entry.target === "string") {
        if (field.value !== entry.target) restored = true;
        field.value = entry.target;
      } else if (field.tagName === "INPUT" && typeof entry.fallback === "boolean") {
        if (field.checked !== entry.fallback) restored = true;
        field.checked = entry.fallback;
      }
    }
    const note = document.getElementById("choices-restored");
    if (restored && note) note.hidden = false;
  }
  form.addEventListener("change", save);
  form.addEventListener("submit", save);
}

document.addEventListener("DOMContentLoaded", () => {
  keptReview();
  uploadForm();
  flowProgress();
  fieldSearch();
  fallbackChoices();
});
