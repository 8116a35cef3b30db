// Decoy's dashboard: one ES module, no build step, nothing fetched from
// another site. Everything comes from the admin API under /__decoy/ and the
// journal's event stream (GET /__decoy/events).

const ADMIN = "/__decoy/";
const MAX_ROWS = 200;   // rows in the table at most
const MAX_KEPT = 2000;  // exchanges kept in memory at most (filters pick from them)

// ---- small helpers ---------------------------------------------------------

const $ = (sel, root = document) => root.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k === "style") e.style.cssText = v; // CSSOM: allowed by the page's CSP
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function say(msg) { $("#status").textContent = msg; }

// The admin token, when Decoy runs with --admin-token; kept for the tab only.
function token() { return sessionStorage.getItem("decoy-admin-token") || ""; }

function authHeaders(h = {}) {
  const t = token();
  return t ? { ...h, Authorization: "Bearer " + t } : h;
}

async function api(path, opts = {}) {
  const resp = await fetch(ADMIN + path, { ...opts, headers: authHeaders(opts.headers || {}) });
  if (resp.status === 401 && !opts.retried) {
    const t = prompt("Decoy's admin API needs its token (--admin-token):");
    if (t) {
      sessionStorage.setItem("decoy-admin-token", t);
      return api(path, { ...opts, retried: true });
    }
  }
  const type = resp.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) {
    const msg = (body && body.detail) || (body && body.title) || resp.statusText;
    throw new Error(`${opts.method || "GET"} ${ADMIN}${path}: ${resp.status} ${msg}`);
  }
  return body;
}

function statusClass(status) { return "s" + String(status)[0]; }

function fmtTime(t) {
  const d = new Date(t);
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

function violationCount(e) {
  return (e.violations?.length || 0) + (e.violations_omitted || 0) +
    (e.response_violations?.length || 0) + (e.response_violations_omitted || 0) +
    (e.violations || e.response_violations ? 0 : (e.breaks?.length || 0));
}

// ---- tabs -----------------------------------------------------------------

const loaders = {};

function showTab() {
  const id = (location.hash || "#traffic").slice(1);
  const known = [...document.querySelectorAll("[role=tabpanel]")].map((s) => s.id);
  const current = known.includes(id) ? id : "traffic";
  for (const s of known) {
    $("#" + s).hidden = s !== current;
    $("#tab-" + s).setAttribute("aria-selected", String(s === current));
  }
  loaders[current]?.().catch((err) => say(String(err.message || err)));
}

// ---- live traffic ---------------------------------------------------------

// The table is built from two sources that overlap: the event stream (each
// exchange as it is recorded) and the journal (what was recorded before the
// stream opened, or while it was down, or what it dropped). Rows are keyed
// by journal id, so that an exchange read from both shows once, and kept in
// id order, because two exchanges recorded at once may reach the stream in
// either order.
const traffic = {
  entries: [],       // newest first (highest id first), at most MAX_KEPT
  paused: false,
  held: [],          // arrived while paused, newest first
  heldOverflow: 0,   // arrived while paused beyond MAX_KEPT
  dropped: 0,        // exchanges the server's stream dropped for this page
  selected: 0,
  ids: new Set(),    // ids in entries and held
  newest: 0,         // the highest id seen
  epoch: "",         // the journal's, from the stream's hello
  floor: 0,          // ids at or below were cleared or let go: never shown again
  clients: new Set(),
};

function trafficFilter() {
  const f = new FormData($("#traffic-filters"));
  return {
    status: f.get("status"),
    operation: f.get("operation"),
    client: (f.get("client") || "").trim(),
    violations: f.get("violations") === "on",
  };
}

function matches(e, f) {
  if (f.status && String(e.status)[0] !== f.status[0]) return false;
  if (f.operation && e.operation !== f.operation) return false;
  if (f.client && e.client !== f.client) return false;
  if (f.violations && !(e.breaks?.length)) return false;
  return true;
}

function trafficRow(e) {
  const n = e.breaks?.length || 0;
  const tr = el("tr", { tabindex: "0", "data-id": e.id, "data-client": e.client || undefined, "data-status": e.status,
    "aria-selected": String(e.id === traffic.selected),
    onclick: () => openDetail(e.id),
    onkeydown: (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); openDetail(e.id); } } },
    el("td", { text: fmtTime(e.time) }),
    el("td", { text: e.client || "" }),
    el("td", { class: "method", text: e.method }),
    el("td", { text: e.path + (e.query ? "?" + e.query : "") }),
    el("td", { class: statusClass(e.status) + " status", text: e.status }),
    el("td", { text: e.duration_ms.toFixed(1) + " ms" }),
    el("td", { text: e.source + (e.scenario ? " (" + e.scenario + ")" : "") }),
    el("td", {}, n ? el("span", { class: "badge", title: e.breaks.join(", "), text: n }) : ""));
  return tr;
}

// renderTraffic rebuilds the table's rows. A row the keyboard was on keeps
// the focus, and when the user has scrolled down the rows in view stay in
// place as new ones arrive above them, so that what the user aims at is
// what is there when the click lands.
function renderTraffic() {
  const f = trafficFilter();
  const body = $("#traffic-table tbody");
  const box = body.closest(".scroll");
  const focused = document.activeElement?.closest?.("#traffic-table tbody tr")?.dataset.id;
  let anchor = null;
  if (box && box.scrollTop > 0) {
    const top = box.getBoundingClientRect().top;
    const tr = [...body.rows].find((r) => r.getBoundingClientRect().bottom > top);
    if (tr) anchor = { id: tr.dataset.id, offset: tr.getBoundingClientRect().top - top };
  }
  const rows = [];
  let matching = 0;
  for (const e of traffic.entries) {
    if (!matches(e, f)) continue;
    matching++;
    if (rows.length < MAX_ROWS) rows.push(trafficRow(e));
  }
  body.replaceChildren(...rows);
  if (anchor) {
    const tr = body.querySelector(`tr[data-id="${anchor.id}"]`);
    if (tr) box.scrollTop += tr.getBoundingClientRect().top - box.getBoundingClientRect().top - anchor.offset;
  }
  if (focused) body.querySelector(`tr[data-id="${focused}"]`)?.focus({ preventScroll: true });
  $("#traffic-count").textContent = rows.length;
  const more = matching - rows.length;
  const heldN = traffic.held.length + traffic.heldOverflow;
  $("#traffic-more").textContent = (more > 0 ? ` · ${more} more` : "") + (heldN ? ` · ${heldN} new while paused` : "");
  $("#traffic-dropped").textContent = traffic.dropped ? ` · the stream dropped ${traffic.dropped} (this page read too slowly); read again from the journal` : "";
}

let renderQueued = false;
function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; renderTraffic(); });
}

function noteClient(c) {
  if (!c || traffic.clients.has(c)) return;
  traffic.clients.add(c);
  $("#client-keys").append(el("option", { value: c }));
}

// letGo drops the oldest of list beyond MAX_KEPT; their ids become the
// floor, so that reading the journal again does not bring them back.
function letGo(list) {
  while (list.length > MAX_KEPT) {
    const old = list.pop();
    traffic.ids.delete(old.id);
    traffic.floor = Math.max(traffic.floor, old.id);
  }
}

// addEntry adds an exchange from the stream or the journal, once, in id
// order.
function addEntry(e) {
  if (e.id <= traffic.floor || traffic.ids.has(e.id)) return;
  traffic.ids.add(e.id);
  traffic.newest = Math.max(traffic.newest, e.id);
  noteClient(e.client);
  const list = traffic.paused ? traffic.held : traffic.entries;
  let i = 0;
  while (i < list.length && list[i].id > e.id) i++;
  list.splice(i, 0, e);
  if (traffic.paused && list.length > MAX_KEPT) traffic.heldOverflow++;
  letGo(list);
  queueRender();
}

// clearTraffic empties the table; what was recorded until now is not shown
// again.
function clearTraffic() {
  traffic.entries = []; traffic.held = []; traffic.heldOverflow = 0;
  traffic.ids.clear();
  traffic.floor = traffic.newest;
  renderTraffic();
}

// startOver forgets every row and id, for a journal that started over:
// its ids begin again at 1, below those the page holds, and would be
// hidden.
function startOver() {
  traffic.entries = []; traffic.held = []; traffic.heldOverflow = 0;
  traffic.ids.clear();
  traffic.newest = 0; traffic.floor = 0; traffic.dropped = 0;
  renderTraffic();
  say("Decoy restarted: the journal started over; reading it again");
}

// catchUp reads from the journal what the table lacks: what was recorded
// before the stream opened or while it was down, and what the stream
// dropped. Calls while one reads make it read once more after.
let catching = null, catchAgain = false;
function catchUp() {
  if (catching) { catchAgain = true; return catching; }
  catching = (async () => {
    try {
      do {
        catchAgain = false;
        const list = await api(`requests?limit=1000` + (traffic.floor ? `&since=${traffic.floor}` : ""));
        for (const e of list.entries) addEntry(e);
      } while (catchAgain);
    } catch (err) {
      say(String(err.message || err));
    } finally {
      catching = null;
    }
  })();
  return catching;
}

// stream reads GET /__decoy/events with fetch (not EventSource, which cannot
// send the admin token) and hands each event on; it reconnects after a loss.
// The server subscribes the stream before it answers, so the journal read
// once its first event (hello) arrives misses nothing in between.
async function stream() {
  for (;;) {
    try {
      const resp = await fetch(ADMIN + "events", { headers: authHeaders({ Accept: "text/event-stream" }) });
      if (!resp.ok) throw new Error("GET /__decoy/events: " + resp.status);
      say("live");
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let name = "message", data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) name = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (name === "hello") {
            // The journal's epoch: another one means Decoy restarted (or
            // the shared journal started over), so the ids this page
            // holds name other exchanges than the journal's.
            const { epoch } = JSON.parse(data);
            if (epoch && traffic.epoch && epoch !== traffic.epoch) startOver();
            if (epoch) traffic.epoch = epoch;
            catchUp();
          } else if (name === "exchange") {
            addEntry(JSON.parse(data));
          } else if (name === "dropped") {
            traffic.dropped += JSON.parse(data).dropped;
            catchUp();
            queueRender();
          }
        }
      }
      say("stream closed; reconnecting…");
    } catch (err) {
      say(String(err.message || err) + "; reconnecting…");
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function startTraffic() {
  const routes = await api("routes");
  const ops = $("#traffic-filters select[name=operation]");
  for (const r of routes) ops.append(el("option", { value: r.operation, text: `${r.operation} (${r.method} ${r.path})` }));
  stream();
}

function setupTraffic() {
  $("#traffic-filters").addEventListener("input", renderTraffic);
  $("#traffic-filters").addEventListener("submit", (ev) => ev.preventDefault());
  $("#pause").addEventListener("click", () => {
    traffic.paused = !traffic.paused;
    $("#pause").setAttribute("aria-pressed", String(traffic.paused));
    $("#pause").textContent = traffic.paused ? "Resume" : "Pause";
    if (!traffic.paused) {
      // Both lists are newest first, but may interleave.
      traffic.entries = traffic.held.concat(traffic.entries).sort((a, b) => b.id - a.id);
      letGo(traffic.entries);
      traffic.held = [];
      traffic.heldOverflow = 0;
    }
    renderTraffic();
  });
  $("#clear-traffic").addEventListener("click", clearTraffic);
}

// ---- detail ---------------------------------------------------------------

// jsonView renders a JSON value as indented text whose every member is a
// span carrying its JSON pointer, so that a violation can mark its part.
function jsonView(value, ptr = "", indent = "") {
  const span = el("span", { "data-pointer": ptr });
  if (Array.isArray(value) || (value && typeof value === "object")) {
    const isArr = Array.isArray(value);
    const keys = isArr ? value.map((_, i) => i) : Object.keys(value);
    if (!keys.length) { span.append(isArr ? "[]" : "{}"); return span; }
    span.append(isArr ? "[\n" : "{\n");
    keys.forEach((k, i) => {
      const child = ptr + "/" + String(k).replaceAll("~", "~0").replaceAll("/", "~1");
      const member = el("span", { "data-pointer": child, class: "member" });
      member.append(indent + "  ");
      if (!isArr) member.append(JSON.stringify(k) + ": ");
      member.append(jsonView(value[k], child, indent + "  "));
      span.append(member, i < keys.length - 1 ? ",\n" : "\n");
    });
    span.append(indent + (isArr ? "]" : "}"));
    return span;
  }
  span.append(JSON.stringify(value));
  return span;
}

function bodyView(text, type) {
  const pre = el("pre", { class: "body", tabindex: "0" });
  if (!text) { pre.append(el("span", { class: "muted", text: "(no body)" })); return pre; }
  if ((type || "").includes("json") || /^\s*[{[]/.test(text)) {
    try { pre.append(jsonView(JSON.parse(text))); return pre; } catch { /* not JSON after all */ }
  }
  pre.textContent = text;
  return pre;
}

function headerTable(headers, label) {
  const names = Object.keys(headers || {}).sort();
  if (!names.length) return el("p", { class: "muted", text: "(no headers)" });
  return el("table", { class: "headers" }, el("caption", { class: "visually-hidden", text: label }),
    el("tbody", {}, names.map((n) => el("tr", { "data-header": n.toLowerCase() },
      el("th", { scope: "row", text: n }), el("td", { text: headers[n] })))));
}

function queryTable(query) {
  if (!query) return null;
  const params = new URLSearchParams(query);
  return el("table", { class: "headers" }, el("caption", { class: "visually-hidden", text: "Query parameters" }),
    el("tbody", {}, [...params].map(([k, v]) => el("tr", { "data-param": k },
      el("th", { scope: "row", text: k }), el("td", { text: v })))));
}

// target finds the element a violation concerns inside a section.
function target(section, v) {
  const loc = v.location || "";
  if (loc === "body" || loc === "request-body") {
    let p = (v.pointer || "").replace(/^#/, "");
    for (;;) {
      const t = section.querySelector(`pre.body [data-pointer="${CSS.escape(p)}"]`);
      if (t) return t;
      if (!p) return section.querySelector("pre.body");
      p = p.slice(0, p.lastIndexOf("/"));
    }
  }
  if (loc === "header" && v.parameter) return section.querySelector(`[data-header="${CSS.escape(v.parameter.toLowerCase())}"]`);
  if (loc === "query" && v.parameter) return section.querySelector(`[data-param="${CSS.escape(v.parameter)}"]`) || section.querySelector(".request-line");
  if (loc === "status") return section.querySelector(".status-line");
  if (loc === "content-type") return section.querySelector('[data-header="content-type"]');
  return section.querySelector(".request-line");
}

function violationList(vs, section, label) {
  if (!vs?.length) return null;
  const list = el("ol", { class: "violations", "aria-label": label });
  for (const v of vs) {
    const t = target(section, v);
    if (t) t.classList.add("offending");
    const where = [v.location, v.parameter, v.pointer].filter(Boolean).join(" ");
    list.append(el("li", {},
      el("button", { type: "button", class: "goto", title: "Show the part it concerns",
        onclick: () => { if (t) { t.scrollIntoView({ block: "center" }); t.setAttribute("tabindex", "-1"); t.focus(); } } },
        where || "request"),
      " ", el("code", { text: v.code || "" }), " ", v.message));
  }
  return list;
}

async function openDetail(id) {
  traffic.selected = id;
  for (const tr of document.querySelectorAll("#traffic-table tbody tr")) tr.setAttribute("aria-selected", String(Number(tr.dataset.id) === id));
  const aside = $("#detail");
  aside.hidden = false;
  aside.replaceChildren(el("p", { text: "loading…" }));
  let e;
  try {
    e = await api("requests/" + id);
  } catch (err) {
    if (traffic.selected === id) aside.replaceChildren(el("p", { text: String(err.message || err) }));
    return;
  }
  // Another row was clicked while this one loaded: that one's detail shows.
  if (traffic.selected !== id) return;
  const req = el("section", { "aria-label": "Request" },
    el("h3", {}, "Request"),
    el("p", { class: "request-line" }, el("span", { class: "method", text: e.method }), " ", e.path + (e.query ? "?" + e.query : "")),
    queryTable(e.query),
    headerTable(e.headers, "Request headers"),
    e.headers_omitted ? el("p", { class: "muted", text: `${e.headers_omitted} more headers not kept` }) : null,
    bodyView(e.body, e.headers?.["Content-Type"]));
  const r = e.response;
  const resp = el("section", { "aria-label": "Response" },
    el("h3", {}, "Response"),
    el("p", { class: "status-line" }, el("strong", { class: statusClass(e.status), text: e.status }),
      ` · ${e.source}${e.kind ? " · " + e.kind : ""}${e.scenario ? " · scenario " + e.scenario + (e.rule ? " (" + e.rule + ")" : "") : ""}${e.gap ? " · undocumented status" : ""} · ${e.duration_ms.toFixed(1)} ms`),
    r ? headerTable(r.headers, "Response headers") : el("p", { class: "muted", text: "no answer was written (a fault, or the client left)" }),
    r ? bodyView(r.body, r.headers?.["Content-Type"]) : null);
  aside.replaceChildren(
    el("h2", {}, `#${e.id} ${e.operation || "(no operation)"}`, " ", el("button", { type: "button", "aria-label": "Close the detail", onclick: () => { aside.hidden = true; } }, "×")),
    el("p", { class: "muted", text: `${new Date(e.time).toLocaleString()}${e.client ? " · client " + e.client : ""}` }),
    req, resp);
  const vs = violationList(e.violations, req, "Request violations");
  const rvs = violationList(e.response_violations, resp, "Response violations");
  if (vs || rvs || e.breaks?.length) {
    aside.insertBefore(el("section", { "aria-label": "Violations" }, el("h3", {}, "Violations"),
      vs, rvs, !vs && !rvs ? el("p", { text: e.breaks.join(", ") }) : null,
      e.closest?.length ? el("p", {}, "Closest: " + e.closest.map((m) => `${m.method} ${m.path} (${m.mismatch.join(", ")} differ)`).join("; ")) : null), req);
  }
  if (e.notes?.length) aside.append(el("ul", {}, e.notes.map((n) => el("li", { text: n }))));
}

// ---- contract -------------------------------------------------------------

loaders.contract = async () => {
  const [cov, vio, findings] = await Promise.all([api("coverage"), api("violations"), api("findings")]);
  $("#findings-count").textContent = findings.count + " finding" + (findings.count === 1 ? "" : "s");
  const t = cov.totals;
  $("#contract-totals").textContent = `${t.requests} requests · operations ${t.operations_hit}/${t.operations} (${t.operations_percent.toFixed(0)}%) · responses ${t.responses_hit}/${t.responses} (${t.responses_percent.toFixed(0)}%) · ${vio.total} violations`;
  const kinds = {};
  for (const g of vio.groups || []) (kinds[g.operation] ||= []).push(g);
  const rows = cov.operations.map((op) => el("tr", {},
    el("th", { scope: "row" }, op.operation, el("br"), el("span", { class: "muted" }, el("span", { class: "method", text: op.method }), " ", op.path)),
    el("td", {}, op.responses.map((r) => el("span", { class: "code" + (r.hit ? "" : " unhit"), title: r.description || "", text: `${r.code}: ${r.count}` }))),
    el("td", {}, (kinds[op.operation] || []).map((g) => el("div", { text: `${g.kind} (${g.side}): ${g.count}` }))),
    el("td", {}, el("span", { class: "bar", role: "img", "aria-label": `${op.percent.toFixed(0)}% covered` }, el("span", { style: `width:${op.percent}%` })), `${op.percent.toFixed(0)}% (${op.covered}/${op.documented})`)));
  const other = kinds["(no route)"] || []; // mockserver.NoRoute
  if (other.length) rows.push(el("tr", {}, el("th", { scope: "row", text: "(no operation)" }), el("td"), el("td", {}, other.map((g) => el("div", { text: `${g.kind}: ${g.count}` }))), el("td")));
  $("#contract-table tbody").replaceChildren(...rows);
};

// ---- scenarios ------------------------------------------------------------

let scenarioNames = [];

function lastRateLimit(client) {
  const e = traffic.entries.find((x) => x.client === client && x.response?.headers?.["X-Ratelimit-Remaining"] !== undefined);
  if (!e) return "";
  const h = e.response.headers;
  const reset = h["X-Ratelimit-Reset"];
  return `${h["X-Ratelimit-Remaining"]} of ${h["X-Ratelimit-Limit"] || "?"} left` + (reset ? ` · resets ${/^\d{9,}$/.test(reset) ? new Date(reset * 1000).toLocaleTimeString() : "in " + reset + " s"}` : "") + (h["Retry-After"] ? ` · Retry-After ${h["Retry-After"]}` : "");
}

// counterLines describes what a client's rules counted, one list item per
// rule (and per value of a rule's own key, masked by the server when it
// may be a credential), from GET /__decoy/clients: calls, those affected,
// and for a rate limit where the window stands now.
function counterLines(c) {
  if (!c.counters || c.counters.length === 0) return el("span", { class: "muted", text: "nothing counted" });
  const items = c.counters.map((k) => {
    const per = k.key ? ` (${k.key} ${k.value || "absent"})` : "";
    let s = `${k.rule}${per}: ${k.calls} call${k.calls === 1 ? "" : "s"}, ${k.fired} ${k.rateLimit ? "refused" : "affected"}`;
    const w = k.rateLimit;
    if (w) {
      s += ` · ${w.remaining} of ${w.limit} left`;
      if (w.reset) s += ` · resets ${new Date(w.reset).toLocaleTimeString()}`;
      if (w.retryAfterSeconds) s += ` · Retry-After ${w.retryAfterSeconds} s`;
    }
    return el("li", { "data-rule": k.rule, "data-key": k.key || undefined, text: s });
  });
  if (c.moreKeyed) items.push(el("li", { class: "muted", text: "more key values counted; not listed" }));
  return el("ul", { class: "counters" }, ...items);
}

async function switchClient(client, scenario) {
  await api("clients/" + encodeURIComponent(client), { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ scenario }) });
  say(`client ${client}: ${scenario || "global scenario"}`);
  await loaders.scenarios();
}

loaders.scenarios = async () => {
  const [sc, cl] = await Promise.all([api("scenarios"), api("clients")]);
  scenarioNames = sc.scenarios.map((s) => s.name);
  $("#active-scenario").textContent = sc.active || "none";
  $("#scenario-table tbody").replaceChildren(...sc.scenarios.map((s) => el("tr", {},
    el("th", { scope: "row", text: s.name }),
    el("td", { text: s.description || "" }),
    el("td", { class: "muted", text: s.operations.join(", ") }),
    el("td", {}, el("button", { type: "button", "aria-pressed": String(sc.active === s.name), "aria-label": `Make ${s.name} the global scenario`,
      onclick: async () => {
        await api("scenario", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: s.name }) });
        say("global scenario: " + s.name);
        await loaders.scenarios();
      } }, sc.active === s.name ? "Global ✓" : "Make global")))));
  const sel = $("#client-switch select[name=scenario]");
  sel.replaceChildren(el("option", { value: "", text: "global" }), ...scenarioNames.map((n) => el("option", { value: n, text: n })));
  for (const c of cl.clients) noteClient(c.client);
  $("#clients-more").hidden = !cl.more;
  $("#client-table tbody").replaceChildren(...cl.clients.map((c) => {
    const pick = el("select", { "aria-label": `Scenario of client ${c.client}`, onchange: (ev) => switchClient(c.client, ev.target.value) },
      el("option", { value: "", text: "global" }), ...scenarioNames.map((n) => el("option", { value: n, text: n, selected: n === c.scenario })));
    return el("tr", { "data-client": c.client },
      el("th", { scope: "row", text: c.client }), el("td", {}, pick), el("td", { text: c.requests }),
      el("td", { class: "client-counters" }, counterLines(c)),
      el("td", { text: lastRateLimit(c.client) }),
      el("td", {}, el("button", { type: "button", class: "danger", "aria-label": `Reset client ${c.client}`,
        onclick: async () => {
          if (!confirm(`Reset the counters, rate limits, collection writes and scenario of client ${c.client}?`)) return;
          await api("reset", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client: c.client }) });
          say("reset client " + c.client);
          await loaders.scenarios();
        } }, "Reset…")));
  }));
};

function setupScenarios() {
  $("#client-switch").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    switchClient(f.get("client").trim(), f.get("scenario")).catch((err) => say(err.message));
  });
  $("#refresh-clients").addEventListener("click", () => loaders.scenarios().catch((err) => say(err.message)));
  $("#clear-global").addEventListener("click", async () => {
    await api("scenario", { method: "DELETE" });
    say("no global scenario");
    await loaders.scenarios();
  });
  $("#reset-all").addEventListener("click", async () => {
    if (!confirm("Reset everything: every client's counters, rate limits and scenario, the collections' writes, the journal, coverage and violations? The global scenario stays.")) return;
    await api("reset", { method: "POST" });
    clearTraffic();
    say("reset everything");
    await loaders.scenarios();
  });
}

// ---- collections ----------------------------------------------------------

let collectionItems = [];
const MAX_ITEMS = 500; // items listed at most; search finds the others

// showCollection shows the chosen collection. Typing a search calls it
// once per key, and the answers may arrive in another order: only the
// latest call renders, so that a late answer to an earlier search never
// replaces the list (or empties the item shown) after the user moved on.
let collectionCall = 0;
async function showCollection() {
  const call = ++collectionCall;
  const f = new FormData($("#collection-form"));
  const name = f.get("name");
  if (!name) return;
  const client = (f.get("client") || "").trim();
  // Typing a client key means that client's world, as before the selector.
  const world = f.get("world") === "shared" && client ? "client" : f.get("world");
  if (world === "client" && !client) {
    $("#collection-info").textContent = "Type a client key to see that client's world.";
    $("#collection-items").replaceChildren();
    $("#collection-item").replaceChildren();
    return;
  }
  const q = (f.get("q") || "").toLowerCase();
  const got = await api(`collections/${encodeURIComponent(name)}?world=${world}` + (world === "client" ? `&client=${encodeURIComponent(client)}` : ""));
  if (call !== collectionCall) return;
  collectionItems = got.items || [];
  const shown = collectionItems.map((it, i) => [it, i]).filter(([it]) => !q || JSON.stringify(it).toLowerCase().includes(q));
  const seen = { fixtures: "the fixtures define it (before any write)", shared: "the shared world (no client key) sees it", client: `client ${client} sees it` }[world];
  const cut = shown.length > MAX_ITEMS ? ` (the first ${MAX_ITEMS} listed; search for the others)` : "";
  $("#collection-info").textContent = `${name} as ${seen}: ${collectionItems.length} items${q ? `, ${shown.length} match` : ""}${cut}`;
  $("#collection-items").replaceChildren(...shown.slice(0, MAX_ITEMS).map(([it, i]) => el("li", {},
    el("button", { type: "button", onclick: () => { $("#collection-item").replaceChildren(jsonView(it)); } },
      `${i + 1}. ${JSON.stringify(it).slice(0, 90)}`))));
  $("#collection-item").replaceChildren();
}

loaders.collections = async () => {
  const list = await api("collections");
  const sel = $("#collection-form select[name=name]");
  const was = sel.value;
  sel.replaceChildren(...list.filter((c) => !c.skipped).map((c) => el("option", { value: c.name, text: `${c.name} (key ${c.key})` })));
  if (was) sel.value = was;
  await showCollection();
};

function setupCollections() {
  $("#collection-form").addEventListener("submit", (ev) => { ev.preventDefault(); showCollection().catch((err) => say(err.message)); });
  $("#collection-form select[name=name]").addEventListener("change", () => showCollection().catch((err) => say(err.message)));
  $("#collection-form select[name=world]").addEventListener("change", () => showCollection().catch((err) => say(err.message)));
  $("#collection-form input[name=q]").addEventListener("input", () => showCollection().catch((err) => say(err.message)));
  // A client key typed (and left) or picked from the list shows that
  // client's world, without a press on Show.
  $("#collection-form input[name=client]").addEventListener("change", () => showCollection().catch((err) => say(err.message)));
  $("#collection-reset").addEventListener("click", async () => {
    const client = (new FormData($("#collection-form")).get("client") || "").trim();
    const what = client ? `client ${client}'s writes and counters` : "every collection, counter, rate limit and the journal";
    if (!confirm(`Reset ${what}?`)) return;
    await api("reset", { method: "POST", headers: { "Content-Type": "application/json" }, body: client ? JSON.stringify({ client }) : "" });
    say("reset " + (client || "everything"));
    await showCollection();
  });
}

// ---- spec -----------------------------------------------------------------

function resolve(doc, v) {
  for (let i = 0; v && v.$ref && i < 20; i++) {
    if (!v.$ref.startsWith("#/")) return v;
    v = v.$ref.slice(2).split("/").reduce((o, k) => o?.[k.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
  }
  return v || {};
}

function tryForm(doc, method, path, params, hasBody) {
  const out = el("div", { class: "try-result", "aria-live": "polite" });
  const inputs = params.map((p) => el("label", {}, `${p.name} (${p.in}${p.required ? ", required" : ""})`,
    el("input", { name: `${p.in}:${p.name}`, "data-in": p.in, "data-name": p.name, placeholder: String(p.example ?? p.schema?.example ?? "") })));
  const form = el("form", { class: "try", "aria-label": `Try ${method} ${path}` },
    ...inputs,
    el("label", {}, "X-Decoy-Client", el("input", { name: "client", list: "client-keys" })),
    el("label", {}, "Prefer", el("input", { name: "prefer", placeholder: "code=404, example=name, scenario=…" })),
    el("label", {}, "Authorization", el("input", { name: "authorization", placeholder: "Bearer sk_test" })),
    hasBody ? el("label", {}, "Body (JSON)", el("textarea", { name: "body", rows: "5" })) : null,
    el("div", {}, el("button", { type: "submit" }, `Send ${method}`)),
    out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    let url = path;
    const query = new URLSearchParams();
    const headers = {};
    for (const i of form.querySelectorAll("input[data-in]")) {
      const v = i.value;
      if (v === "") continue;
      if (i.dataset.in === "path") url = url.replace(`{${i.dataset.name}}`, encodeURIComponent(v));
      else if (i.dataset.in === "query") query.append(i.dataset.name, v);
      else if (i.dataset.in === "header") headers[i.dataset.name] = v;
    }
    for (const [n, h] of [["client", "X-Decoy-Client"], ["prefer", "Prefer"], ["authorization", "Authorization"]]) if (f.get(n)) headers[h] = f.get(n);
    const opts = { method: method.toUpperCase(), headers };
    if (hasBody && f.get("body")) { opts.body = f.get("body"); headers["Content-Type"] = "application/json"; }
    const qs = query.toString();
    out.replaceChildren(el("p", { text: "sending…" }));
    try {
      const resp = await fetch(url + (qs ? "?" + qs : ""), opts);
      const text = await resp.text();
      const hs = {};
      resp.headers.forEach((v, k) => { hs[k] = v; });
      out.replaceChildren(el("p", { class: "try-status" }, el("strong", { class: statusClass(resp.status), text: resp.status }), " " + resp.statusText),
        headerTable(hs, "Response headers"), bodyView(text, resp.headers.get("Content-Type")));
    } catch (err) {
      out.replaceChildren(el("p", { text: String(err.message || err) }));
    }
  });
  return form;
}

let specLoaded = false;
loaders.spec = async () => {
  if (specLoaded) return;
  const doc = await api("spec");
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of ["get", "put", "post", "delete", "options", "head", "patch", "trace"]) {
      const op = item[method];
      if (!op) continue;
      for (const tag of op.tags?.length ? op.tags : ["(untagged)"]) {
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push({ path, method, op, item });
      }
    }
  }
  const root = $("#spec-ops");
  root.replaceChildren(el("p", { class: "muted", text: `${doc.info?.title || ""} ${doc.info?.version || ""}` }));
  for (const [tag, ops] of byTag) {
    root.append(el("h3", { text: tag }));
    for (const { path, method, op, item } of ops) {
      const params = [...(item.parameters || []), ...(op.parameters || [])].map((p) => resolve(doc, p));
      const responses = Object.entries(op.responses || {}).map(([code, r]) => [code, resolve(doc, r)]);
      root.append(el("details", { class: "op", "data-operation": op.operationId || "" },
        el("summary", {}, el("span", { class: "method", text: method.toUpperCase() }), ` ${path} `, el("span", { class: "muted", text: `${op.operationId || ""} ${op.summary ? "· " + op.summary : ""}` })),
        op.description ? el("p", { text: op.description }) : null,
        params.length ? el("table", {}, el("caption", { text: "Parameters" }),
          el("thead", {}, el("tr", {}, ["Name", "In", "Required", "Type", "Description"].map((h) => el("th", { scope: "col", text: h })))),
          el("tbody", {}, params.map((p) => el("tr", {}, el("td", { text: p.name }), el("td", { text: p.in }), el("td", { text: p.required ? "yes" : "" }),
            el("td", { text: resolve(doc, p.schema).type || "" }), el("td", { text: p.description || "" }))))) : el("p", { class: "muted", text: "No parameters." }),
        el("table", {}, el("caption", { text: "Documented responses" }),
          el("tbody", {}, responses.map(([code, r]) => el("tr", {}, el("th", { scope: "row", class: statusClass(code), text: code }),
            el("td", { text: r.description || "" }), el("td", { class: "muted", text: Object.keys(r.content || {}).join(", ") }))))),
        el("h4", { text: "Try it" }),
        tryForm(doc, method, path, params, !!op.requestBody)));
    }
  }
  specLoaded = true;
};

// ---- start ----------------------------------------------------------------

async function start() {
  setupTraffic();
  setupScenarios();
  setupCollections();
  $("#contract-refresh").addEventListener("click", () => loaders.contract().catch((err) => say(err.message)));
  window.addEventListener("hashchange", showTab);
  showTab();
  try {
    const health = await api("health");
    $("#api-title").textContent = `· ${health.title} ${health.version}` + (health.status !== "ok" ? ` · ${health.status}` : "");
    await startTraffic();
  } catch (err) {
    say(String(err.message || err));
  }
}

start();
