// The frigate-privacy web panel: plain JS, no build step, no CDN.
// Every URL is relative (it works under Home Assistant ingress's path prefix). Pictures are fetched with the
// Authorization header and shown through blob URLs, so no cookie is ever used. Text from Frigate or users is
// only ever inserted with textContent.
"use strict";

const TOKEN_KEY = "frigate-privacy-token";
const LEGAL_BASES = ["subject-access", "legal-obligation", "legal-claims", "vital-interests", "consent", "other"]; // config/export.py LegalBasis (tests/test_panel.py checks)
let me = null;
const live = new Map(); // camera -> AbortController of its running live view

function $(id) { return document.getElementById(id); }

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? "" : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

function when(unix) { return unix ? new Date(unix * 1000).toLocaleString() : ""; }
function size(bytes) { return bytes >= 1e6 ? (bytes / 1e6).toFixed(1) + " MB" : Math.round(bytes / 1e3) + " kB"; }
function can(permission) { return me !== null && me.permissions.includes(permission); }

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = headers(opts.headers);
  const response = await fetch(path, opts);
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
    const err = new Error(response.status + ": " + (typeof detail === "string" ? detail : JSON.stringify(detail)));
    err.status = response.status;
    throw err;
  }
  return response;
}

async function json(path, options) { return (await api(path, options)).json(); }

function showError(err) { $("error").textContent = err ? String(err.message || err) : ""; }

function setBlob(img, blob) {
  const old = img.dataset.blob;
  const url = URL.createObjectURL(blob);
  img.dataset.blob = url;
  img.src = url;
  if (old) URL.revokeObjectURL(old);
}

async function download(path, filename) {
  const blob = await (await api(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = el("a", null, { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---- cameras ------------------------------------------------------------------------------------------

async function snapshot(camera, img) {
  const blob = await (await api("api/cameras/" + encodeURIComponent(camera) + "/latest.jpg")).blob();
  setBlob(img, blob);
}

function indexOf2(buf, from, a, b) {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === a && buf[i + 1] === b) return i;
  return -1;
}

// Read the MJPEG stream with fetch() and cut each JPEG out at its SOI (FF D8) and EOI (FF D9) markers;
// inside a baseline JPEG's entropy-coded data every FF is followed by 00, so FF D9 only ends the picture.
async function startLive(camera, img, button) {
  const controller = new AbortController();
  live.set(camera, controller);
  button.textContent = "Stop live";
  try {
    const response = await api("api/cameras/" + encodeURIComponent(camera) + "/live.mjpeg", { signal: controller.signal });
    const reader = response.body.getReader();
    let buf = new Uint8Array(0);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const joined = new Uint8Array(buf.length + value.length);
      joined.set(buf);
      joined.set(value, buf.length);
      buf = joined;
      for (;;) {
        const start = indexOf2(buf, 0, 0xff, 0xd8);
        if (start < 0) { buf = buf.slice(Math.max(0, buf.length - 1)); break; }
        const end = indexOf2(buf, start + 2, 0xff, 0xd9);
        if (end < 0) { buf = buf.slice(start); break; }
        setBlob(img, new Blob([buf.slice(start, end + 2)], { type: "image/jpeg" }));
        buf = buf.slice(end + 2);
      }
    }
  } catch (err) {
    if (err.name !== "AbortError") showError(err);
  } finally {
    live.delete(camera);
    button.textContent = "Live";
  }
}

function switchControl(label, checked, onChange) {
  const box = el("input", null, { type: "checkbox" });
  box.checked = checked;
  box.addEventListener("change", async () => {
    box.disabled = true;
    try { await onChange(box.checked); showError(null); } catch (err) { box.checked = !box.checked; showError(err); }
    box.disabled = false;
  });
  const wrap = el("label");
  wrap.appendChild(box);
  wrap.appendChild(document.createTextNode(" " + label));
  return wrap;
}

function cameraCard(cam) {
  const card = el("div", null, { class: "camera", "data-camera": cam.name });
  card.appendChild(el("h3", cam.name));
  const img = el("img", null, { alt: "redacted picture of " + cam.name, class: "picture" });
  card.appendChild(img);
  const controls = el("div", null, { class: "controls" });
  const refresh = el("button", "Snapshot", { type: "button" });
  refresh.addEventListener("click", () => snapshot(cam.name, img).catch(showError));
  const liveButton = el("button", "Live", { type: "button", class: "live" });
  liveButton.addEventListener("click", () => {
    const running = live.get(cam.name);
    if (running) running.abort(); else startLive(cam.name, img, liveButton);
  });
  controls.appendChild(refresh);
  controls.appendChild(liveButton);
  if (can("cameras")) {
    const path = "api/cameras/" + encodeURIComponent(cam.name);
    const put = (what, enabled) => json(path + "/" + what, {
      method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ enabled }),
    });
    const masking = switchControl("privacy masking", cam.masking !== false, (on) => put("masking", on));
    masking.classList.add("admin-control", "masking-switch");
    controls.appendChild(masking);
    if (cam.pause) {
      const pause = switchControl("privacy pause", cam.pause.paused, (on) => put("pause", on));
      pause.classList.add("admin-control", "pause-switch");
      controls.appendChild(pause);
      controls.appendChild(el("span", cam.pause.status, { class: "muted" }));
    } else {
      controls.appendChild(el("span", "pause: needs the Home Assistant component", { class: "muted admin-control" }));
    }
  }
  card.appendChild(controls);
  snapshot(cam.name, img).catch(showError);
  return card;
}

async function loadCameras() {
  const cams = await json("api/cameras");
  const list = $("camera-list");
  list.replaceChildren(...cams.map(cameraCard));
  const select = $("export-camera");
  select.replaceChildren(...cams.map((c) => el("option", c.name, { value: c.name })));
  $("cameras").hidden = false;
}

// ---- exports ------------------------------------------------------------------------------------------

async function loadExports() {
  const exports = await json("api/exports");
  $("export-list").replaceChildren(...exports.map((x) => {
    const button = el("button", "Download", { type: "button", class: "export-download" });
    button.addEventListener("click", () => download("api/exports/" + encodeURIComponent(x.export_id) + "/bundle", x.export_id + ".fpx.age").catch(showError));
    return row([x.export_id, x.camera, when(x.start), when(x.end), when(x.expires), size(x.size), button]);
  }));
}

async function pollJob(jobId) {
  for (;;) {
    const job = await json("api/exports/jobs/" + encodeURIComponent(jobId));
    $("export-status").textContent = "export " + job.state + (job.error ? ": " + job.error : "");
    if (job.state !== "running") { await loadExports(); return; }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function startExport(event) {
  event.preventDefault();
  const unix = (id) => new Date($(id).value).getTime() / 1000;
  const recipients = $("export-recipients").value.split("\n").map((s) => s.trim()).filter(Boolean);
  const body = {
    camera: $("export-camera").value, start: unix("export-start"), end: unix("export-end"), recipients,
    requester: $("export-requester").value, purpose: $("export-purpose").value, legal_basis: $("export-basis").value,
  };
  if ($("export-passphrase").value) body.passphrase = $("export-passphrase").value;
  try {
    const job = await json("api/exports", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    $("export-passphrase").value = "";
    await pollJob(job.job_id);
  } catch (err) { $("export-status").textContent = String(err.message); }
}

// ---- escrow, at rest, audit -----------------------------------------------------------------------------

async function loadEscrow() {
  let copies = [];
  try { copies = await json("api/escrow"); } catch (err) { if (err.status !== 404) throw err; }
  $("escrow-list").replaceChildren(...copies.map((c) => {
    const button = el("button", "Download encrypted original", { type: "button", class: "escrow-download", "data-id": c.id });
    button.addEventListener("click", () => download("api/escrow/" + encodeURIComponent(c.id), c.id + ".age").catch(showError));
    return row([c.id, c.camera, c.kind, when(c.start), when(c.end), size(c.size), button]);
  }));
}

async function loadAtRest() {
  const s = await json("api/atrest");
  const facts = [
    ["cameras masked at rest", s.cameras.join(", ") || "none"],
    ["journal", Object.entries(s.states).map(([k, v]) => k + " " + v).join(", ") || "empty"],
    ["backlog", s.backlog.files + " files, " + size(s.backlog.bytes) + ", " + (s.backlog.footage_seconds / 60).toFixed(1) + " min"],
    ["escrow", s.escrow_copies + " copies, " + size(s.escrow_bytes)],
    ["failed", s.failed.length ? s.failed.map((f) => f.join(": ")).join("; ") : "none"],
  ];
  $("atrest-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", k), el("dd", v)]));
}

async function loadAudit() {
  const a = await json("api/audit?limit=50");
  const verdict = $("audit-verdict");
  verdict.replaceChildren(
    el("span", a.verified ? "Chain verified" : "Chain NOT verified", { class: a.verified ? "ok" : "bad" }),
    document.createTextNode(" — " + (a.verification.entries ?? "?") + " entries, checked " + a.verification.checked_at
      + (a.verification.problem ? "; " + a.verification.problem : "")),
  );
  $("audit-list").replaceChildren(...a.entries.map((e) => row([e.seq, e.ts, e.actor, e.role, e.action, e.target, e.result, e.reason])));
}

// ---- start --------------------------------------------------------------------------------------------

async function show() {
  $("login").hidden = true;
  $("who").textContent = me.name + " (" + me.role + (me.via === "ingress" ? ", Home Assistant" : "") + ")";
  $("logout").hidden = me.via === "ingress";
  const work = [loadCameras()];
  if (can("export")) { $("exports").hidden = false; work.push(loadExports()); }
  if (can("original")) { $("escrow").hidden = false; work.push(loadEscrow()); }
  if (can("audit")) { $("atrest").hidden = false; $("audit").hidden = false; work.push(loadAtRest(), loadAudit()); }
  const results = await Promise.allSettled(work);
  const failed = results.find((r) => r.status === "rejected");
  showError(failed ? failed.reason : null);
  document.body.dataset.ready = "1";
}

function init() {
  $("export-basis").replaceChildren(...LEGAL_BASES.map((b) => el("option", b, { value: b })));
  $("export-form").addEventListener("submit", startExport);
  $("logout").addEventListener("click", () => { sessionStorage.removeItem(TOKEN_KEY); location.reload(); });
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    await start();
  });
  start();
}

async function start() {
  try {
    me = await json("api/me"); // behind Home Assistant ingress this works without a token
  } catch (err) {
    if (err.status === 401 || err.status === 429) {
      if (sessionStorage.getItem(TOKEN_KEY)) $("login-error").textContent = String(err.message);
      sessionStorage.removeItem(TOKEN_KEY);
      $("login").hidden = false;
      document.body.dataset.ready = "login";
      return;
    }
    showError(err);
    return;
  }
  await show();
}

document.addEventListener("DOMContentLoaded", init);
