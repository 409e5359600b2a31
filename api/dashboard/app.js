// ledgernet dashboard: polls the node's API about once a second and draws
// the peer graph it knows. Plain JavaScript, no dependencies.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const POLL_MS = 1000;

function $(id) { return document.getElementById(id); }

function el(tag, attrs, text) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function short(id) { return id ? id.slice(0, 8) + "…" : "?"; }
function rate(x) { return (x || 0).toFixed(x >= 100 ? 0 : 1); }
function pct(p) { return Math.floor(Math.max(0, Math.min(1, p || 0)) * 1000) / 10 + "%"; }

async function getJSON(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) {
    let msg = r.status + " " + r.statusText;
    try { msg = (await r.json()).error || msg; } catch (_) { /* not JSON */ }
    throw new Error(path + ": " + msg);
  }
  return r.json();
}

// layout places nodes on a circle, ordered by name then ID so positions are
// stable from one refresh to the next; this node sits at the top.
function layout(nodes, size) {
  const sorted = nodes.slice().sort((a, b) =>
    (b.self ? 1 : 0) - (a.self ? 1 : 0) || (a.name || "").localeCompare(b.name || "", undefined, { numeric: true }) || a.id.localeCompare(b.id));
  const pos = new Map();
  const c = size / 2, r = nodes.length === 1 ? 0 : size / 2 - 60;
  sorted.forEach((n, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / sorted.length;
    pos.set(n.id, { x: c + r * Math.cos(a), y: c + r * Math.sin(a) });
  });
  return pos;
}

function drawGraph(net) {
  const svg = $("graph");
  const size = 600;
  const pos = layout(net.nodes, size);
  const best = Math.max(0, ...net.nodes.map(n => n.height));
  const radius = net.nodes.length > 30 ? 10 : 18;
  svg.replaceChildren();
  const links = el("svg:g", { class: "links" });
  for (const l of net.links) {
    const a = pos.get(l.from), b = pos.get(l.to);
    if (!a || !b) continue;
    const line = el("svg:line", { class: "link", x1: a.x, y1: a.y, x2: b.x, y2: b.y });
    line.appendChild(el("svg:title", {}, (l.transport || "link") + ": " + short(l.from) + " ↔ " + short(l.to)));
    links.appendChild(line);
  }
  svg.appendChild(links);
  for (const n of net.nodes) {
    const p = pos.get(n.id);
    const behind = n.height < best || n.syncing;
    const g = el("svg:g", {
      class: "node" + (behind ? " behind" : "") + (n.self ? " self" : ""),
      "data-id": n.id, transform: `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`,
    });
    g.appendChild(el("svg:title", {}, `${n.name || short(n.id)}\n${n.id}\n${n.addr || ""}\nheight ${n.height}, ${n.peers} peers\n${rate(n.msg_in_rate)} in/s, ${rate(n.msg_out_rate)} out/s`));
    if (n.self) g.appendChild(el("svg:circle", { class: "ring", r: radius + 5 }));
    g.appendChild(el("svg:circle", { class: "body", r: radius }));
    g.appendChild(el("svg:text", { class: "name", y: -radius - 8 }, n.name || short(n.id)));
    g.appendChild(el("svg:text", { class: "height", y: radius + 15 }, String(n.height)));
    svg.appendChild(g);
  }
}

function drawTable(net) {
  const best = Math.max(0, ...net.nodes.map(n => n.height));
  const body = document.querySelector("#nodes tbody");
  const rows = net.nodes.slice().sort((a, b) => (b.self ? 1 : 0) - (a.self ? 1 : 0) ||
    (a.name || "").localeCompare(b.name || "", undefined, { numeric: true }) || a.id.localeCompare(b.id));
  body.replaceChildren(...rows.map(n => {
    const behind = n.height < best || n.syncing;
    const tr = el("tr", { "data-id": n.id, class: (n.self ? "self " : "") + (behind ? "behind" : "") });
    tr.appendChild(el("td", {}, n.name || short(n.id)));
    tr.appendChild(el("td", { class: "id", title: n.id }, short(n.id)));
    tr.appendChild(el("td", { class: "num height" }, String(n.height)));
    const sync = el("td", { class: "sync" });
    const bar = el("div", { class: "bar" }), fill = el("div", { class: "fill" + (behind ? " behind" : "") });
    fill.style.width = pct(n.progress);
    bar.appendChild(fill);
    sync.appendChild(bar);
    tr.appendChild(sync);
    tr.appendChild(el("td", { class: "num" }, String(n.peers)));
    tr.appendChild(el("td", { class: "num" }, rate(n.msg_in_rate)));
    tr.appendChild(el("td", { class: "num" }, rate(n.msg_out_rate)));
    return tr;
  }));
}

function drawCards(node, chain, net) {
  if (node) $("self").textContent = `${node.profile} · ${short(node.id)} · ${node.version}`;
  if (chain) {
    $("c-height").textContent = chain.height;
    $("c-headers").textContent = chain.headers;
    $("c-tip").textContent = chain.tip || "–";
    $("c-sync").textContent = chain.syncing ? "syncing " + pct(chain.progress) : "in sync";
    const fill = $("c-sync-bar");
    fill.style.width = pct(chain.syncing ? chain.progress : 1);
    fill.className = "fill" + (chain.syncing ? " behind" : "");
  }
  $("c-nodes").textContent = `${net.nodes.length} / ${net.links.length}`;
  $("c-rates").textContent = `${rate(net.msg_in_rate)} · ${rate(net.msg_out_rate)}`;
}

async function refresh() {
  const state = $("state");
  try {
    const [net, node, chain] = await Promise.all([
      getJSON("/api/v1/network"),
      getJSON("/api/v1/node").catch(() => null),
      getJSON("/api/v1/chain").catch(() => null),
    ]);
    drawGraph(net);
    drawTable(net);
    drawCards(node, chain, net);
    state.textContent = "updated " + new Date().toLocaleTimeString();
    state.className = "state";
  } catch (e) {
    state.textContent = e.message;
    state.className = "state err";
  }
  setTimeout(refresh, POLL_MS);
}

refresh();
