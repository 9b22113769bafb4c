// The ops page: polls /ops/status.json every 2 s and renders one card per connector.
// Hand-written (no framework): text goes in through textContent only.
"use strict";
const NS = "http://www.w3.org/2000/svg";
const pct = (x) => (x == null ? "–" : (100 * x).toFixed(1) + " %");
const ms = (x) => (x == null ? "–" : x < 10 ? x.toFixed(1) + " ms" : Math.round(x) + " ms");

function bars(svg, series) {
  svg.replaceChildren();
  const max = Math.max(1, ...series.map((p) => p.calls + p.refused));
  const w = 300 / series.length;
  series.forEach((p, i) => {
    const total = ((p.calls + p.refused) / max) * 46;
    const bad = ((p.failures + p.refused) / max) * 46;
    for (const [cls, h] of [["c", total], ["f", bad]]) {
      if (h <= 0) continue;
      const r = document.createElementNS(NS, "rect");
      r.setAttribute("class", cls);
      r.setAttribute("x", (i * w + 1).toFixed(1));
      r.setAttribute("width", Math.max(1, w - 2).toFixed(1));
      r.setAttribute("y", (48 - h).toFixed(1));
      r.setAttribute("height", h.toFixed(1));
      svg.appendChild(r);
    }
  });
}

function line(svg, series) {
  svg.replaceChildren();
  const values = series.map((p) => p.p99_ms);
  const max = Math.max(1, ...values.filter((v) => v != null));
  const w = 300 / series.length;
  const points = values
    .map((v, i) => (v == null ? null : `${(i * w + w / 2).toFixed(1)},${(46 - (v / max) * 44).toFixed(1)}`))
    .filter(Boolean);
  if (!points.length) return;
  const l = document.createElementNS(NS, "polyline");
  l.setAttribute("class", "l");
  l.setAttribute("points", points.join(" "));
  svg.appendChild(l);
  for (const p of points) {  // a dot per bucket: one bucket alone is still visible
    const [x, y] = p.split(",");
    const dot = document.createElementNS(NS, "circle");
    dot.setAttribute("class", "d");
    dot.setAttribute("cx", x);
    dot.setAttribute("cy", y);
    dot.setAttribute("r", "2");
    svg.appendChild(dot);
  }
}

function set(card, key, text, bad) {
  const dd = card.querySelector(`[data-k="${key}"]`);
  dd.textContent = text;
  dd.classList.toggle("bad", Boolean(bad));
}

function render(c, card) {
  card.dataset.connector = c.connector;
  card.dataset.health = c.health;
  card.querySelector(".name").textContent = c.connector;
  card.querySelector(".badge").textContent = c.health;
  set(card, "breaker", c.breaker.replace("_", "-"), c.breaker !== "closed");
  set(card, "error_rate", pct(c.error_rate_1m), (c.error_rate_1m || 0) >= 0.05);
  set(card, "latency", `${ms(c.p50_ms)} / ${ms(c.p99_ms)}`);
  set(card, "calls", `${c.calls_1m} / ${c.refused_1m}`, c.refused_1m > 0);
  const head = c.rate_limit.length ? Math.min(...c.rate_limit.map((q) => q.ratio ?? 1)) : null;
  set(card, "headroom", head == null ? "not announced" : pct(head), head != null && head < 0.1);
  set(card, "cache", pct(c.cache_hit_ratio));
  const v = c.version || {};
  set(card, "version", v.api_version || "–");
  const sunset = v.sunset_at ? v.sunset_at.slice(0, 10) : v.deprecated ? "deprecated" : "none announced";
  set(card, "sunset", sunset, Boolean(v.sunset_at || v.deprecated));
  bars(card.querySelector("svg.calls"), c.series);
  line(card.querySelector("svg.p99"), c.series);
  const body = card.querySelector(".errors tbody");
  body.replaceChildren();
  for (const e of c.last_errors) {
    const tr = document.createElement("tr");
    for (const [text, cls] of [[e.at], [e.operation], [e.code, "code"], [e.status ?? ""], ["×" + e.count]]) {
      const td = document.createElement("td");
      td.textContent = String(text);
      if (cls) td.className = cls;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  if (!c.last_errors.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.textContent = "none";
    tr.appendChild(td);
    body.appendChild(tr);
  }
}

async function refresh() {
  const updated = document.getElementById("updated");
  try {
    const res = await fetch("/ops/status.json", { credentials: "same-origin", cache: "no-store" });
    if (!res.ok) throw new Error(`status ${res.status}`);
    const data = await res.json();
    const main = document.getElementById("connectors");
    const template = document.getElementById("card");
    for (const c of data.connectors) {
      let card = main.querySelector(`[data-connector="${CSS.escape(c.connector)}"]`);
      if (!card) {
        card = template.content.firstElementChild.cloneNode(true);
        main.appendChild(card);
      }
      render(c, card);
    }
    updated.textContent = `updated ${data.generated_at}`;
    document.body.dataset.loaded = "true";
  } catch (err) {
    updated.textContent = `update failed (${err.message}); retrying`;
  }
}

refresh();
setInterval(refresh, 2000);
