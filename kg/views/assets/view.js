/* kg network view: draws #kg-data with vis-network and adds search, filters and the evidence panel.
 *
 * Filtering goes through vis DataViews over the full DataSets: a node is shown when its class is
 * checked, it is in the overview (large graphs only) and at least one of its edges is shown (or it
 * was searched for); an edge is shown when its relation is checked and both ends are shown.
 * Everything the page shows from the data is set with textContent, never parsed as HTML.
 * window.kgView exposes the state for tests and for people poking at the page in developer tools.
 */
(function () {
  "use strict";
  const timings = { script: performance.now() };
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const details = data.details || {};
  const entities = details.entities || {};
  const facts = details.facts || {};
  const documents = details.documents || [];
  const relationNames = details.relations || {};
  const classNames = details.classes || {};

  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(data.edges);
  const groupOf = new Map();
  for (const node of data.nodes) groupOf.set(node.id, node.group);
  const incident = new Map();
  for (const edge of data.edges) {
    for (const end of [edge.from, edge.to]) {
      if (!incident.has(end)) incident.set(end, []);
      incident.get(end).push(edge.id);
    }
  }

  // --- filters -------------------------------------------------------------------------------------
  const classOn = new Map();
  const relationOn = new Map();
  const pinned = new Set(details.focus || []);
  let shown = details.overview ? new Set(details.overview) : null; // null: every node may be shown
  let visibleNodes = new Set();

  const on = (map, key) => map.get(key) !== false;
  const inOverview = (id) => shown === null || shown.has(id);

  function recompute() {
    const active = new Map();
    for (const edge of data.edges) {
      if (
        on(relationOn, edge.relation) &&
        on(classOn, groupOf.get(edge.from)) &&
        on(classOn, groupOf.get(edge.to)) &&
        inOverview(edge.from) &&
        inOverview(edge.to)
      ) {
        active.set(edge.from, (active.get(edge.from) || 0) + 1);
        active.set(edge.to, (active.get(edge.to) || 0) + 1);
      }
    }
    visibleNodes = new Set();
    for (const node of data.nodes) {
      if (!on(classOn, node.group) || !inOverview(node.id)) continue;
      if (active.has(node.id) || pinned.has(node.id) || !incident.has(node.id)) visibleNodes.add(node.id);
    }
  }
  recompute();
  const nodeView = new vis.DataView(nodes, { filter: (node) => visibleNodes.has(node.id) });
  const edgeView = new vis.DataView(edges, {
    filter: (edge) =>
      on(relationOn, edge.relation) && visibleNodes.has(edge.from) && visibleNodes.has(edge.to),
  });

  function applyFilters() {
    recompute();
    nodeView.refresh();
    edgeView.refresh();
    updateStatus();
  }

  // --- network -------------------------------------------------------------------------------------
  const container = document.getElementById("kg-net");
  const network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  timings.network = performance.now();
  const physics = Boolean(data.options.physics && data.options.physics.enabled);
  const view = {
    network,
    nodes,
    edges,
    nodeView,
    edgeView,
    timings,
    ready: false,
    search,
    matches,
    focusNode,
    showNode,
    showEdge,
    setClass,
    setRelation,
    showAll,
    selected: null,
  };
  window.kgNetwork = network;
  window.kgView = view;
  installFastDraw(network);

  /* While the view is zoomed or dragged, vis-network draws every node in full (options, border,
   * shape, label check) and that caps a 10 000-node graph at ≈ 8 frames per second in software
   * rendering. Those frames only need to show where things are: draw each visible node as one
   * sub-path of a single path per colour, and let vis draw properly again once the motion stops
   * (250 ms after the last wheel event, on drag end). Edges are already hidden then
   * (hideEdgesOnZoom/hideEdgesOnDrag). This replaces a method of vis-network 9's renderer; if it is
   * not there, the page simply draws the usual way.
   */
  function installFastDraw(net) {
    const renderer = net.renderer;
    const minimum = details.fastDraw;
    if (!minimum || !renderer || typeof renderer._drawNodes !== "function") return;
    const drawNodes = renderer._drawNodes.bind(renderer);
    renderer._drawNodes = function (ctx, alwaysShow) {
      const ids = this.body.nodeIndices;
      if (!(this.zooming || this.dragging) || ids.length < minimum) return drawNodes(ctx, alwaysShow);
      const frame = this.canvas.frame.canvas;
      const topLeft = this.canvas.DOMtoCanvas({ x: 0, y: 0 });
      const bottomRight = this.canvas.DOMtoCanvas({ x: frame.clientWidth, y: frame.clientHeight });
      const paths = new Map();
      for (let i = 0; i < ids.length; i++) {
        const node = this.body.nodes[ids[i]];
        const r = node.options.size;
        const x = node.x;
        const y = node.y;
        if (x + r < topLeft.x || x - r > bottomRight.x || y + r < topLeft.y || y - r > bottomRight.y) continue;
        const colour = node.options.color.background;
        let path = paths.get(colour);
        if (!path) paths.set(colour, (path = new Path2D()));
        path.rect(x - r, y - r, 2 * r, 2 * r);
      }
      for (const [colour, path] of paths) {
        ctx.fillStyle = colour;
        ctx.fill(path);
      }
      return { drawExternalLabels: () => {} };
    };
  }

  function markReady() {
    if (view.ready) return;
    view.ready = true;
    timings.ready = performance.now();
    document.body.dataset.ready = "true";
  }
  network.once("afterDrawing", () => {
    timings.firstDraw = performance.now();
    if (!physics || data.nodes.length === 0) markReady();
  });
  if (physics) network.once("stabilized", markReady);

  network.on("click", (params) => {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else closePanel();
  });
  network.on("doubleClick", (params) => {
    if (!params.nodes.length) return;
    const id = params.nodes[0];
    if (shown !== null) {
      reveal(id);
      applyFilters();
    }
    focusNode(id);
  });

  // --- search --------------------------------------------------------------------------------------
  const index = data.nodes.map((node) => {
    const info = entities[node.id] || {};
    return { id: node.id, label: node.label, names: [node.label, ...(info.aliases || [])], key: info.key || "" };
  });
  const byId = new Map(index.map((entry) => [entry.id, entry]));
  for (const [id, info] of Object.entries(entities)) {
    // A place merged into a county can still be searched for by its own name.
    const into = info.in && byId.get(info.in);
    if (into && info.label) into.names.push(info.label, ...(info.aliases || []));
  }

  /** Nodes whose names match the query, best first: exact, prefix, substring, then pinyin. */
  function matches(query, limit = 12) {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const found = [];
    for (const entry of index) {
      let rank = 9;
      for (const name of entry.names) {
        const lower = name.toLowerCase();
        if (lower === q) rank = Math.min(rank, 0);
        else if (lower.startsWith(q)) rank = Math.min(rank, 1);
        else if (lower.includes(q)) rank = Math.min(rank, 2);
      }
      if (rank === 9 && entry.key) {
        const compact = q.replace(/\s+/g, "");
        if (entry.key === compact) rank = 3;
        else if (entry.key.startsWith(compact)) rank = 4;
        else if (entry.key.includes(compact)) rank = 5;
      }
      if (rank < 9) found.push([rank, entry.label.length, entry.id, entry]);
    }
    found.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
    return found.slice(0, limit).map((item) => item[3]);
  }

  /** Focus the best match of a query; returns its id, or null when nothing matches. */
  function search(query) {
    const best = matches(query, 1)[0];
    if (!best) {
      setStatus(`未找到“${query}”`);
      return null;
    }
    focusNode(best.id);
    return best.id;
  }

  const input = document.getElementById("kg-search");
  const results = document.getElementById("kg-results");
  function listMatches() {
    results.replaceChildren();
    for (const entry of matches(input.value)) {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.dataset.id = entry.id;
      item.textContent = entry.label;
      const extra = entry.names.filter((n) => n !== entry.label).slice(0, 3);
      const meta = document.createElement("span");
      meta.className = "kg-meta";
      meta.textContent = [className(groupOf.get(entry.id)), ...extra].join(" · ");
      item.append(" ", meta);
      item.addEventListener("click", () => {
        results.replaceChildren();
        focusNode(entry.id);
      });
      results.append(item);
    }
  }
  input.addEventListener("input", listMatches);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      results.replaceChildren();
      search(input.value);
    } else if (event.key === "Escape") {
      results.replaceChildren();
    }
  });

  function reveal(id) {
    if (shown === null) return;
    shown.add(id);
    for (const edgeId of incident.get(id) || []) {
      const edge = edges.get(edgeId);
      shown.add(edge.from);
      shown.add(edge.to);
    }
  }

  /** Select a node, bring it into view (turning its class on, expanding the overview) and show it. */
  function focusNode(id) {
    if (!groupOf.has(id)) return false;
    if (!on(classOn, groupOf.get(id))) setClass(groupOf.get(id), true, false);
    pinned.add(id);
    reveal(id);
    applyFilters();
    network.selectNodes([id]);
    network.focus(id, {
      scale: Math.max(network.getScale(), 1.0),
      animation: { duration: 500, easingFunction: "easeInOutQuad" },
    });
    showNode(id);
    return true;
  }

  function showAll() {
    shown = null;
    applyFilters();
    const button = document.getElementById("kg-show-all");
    if (button) button.remove();
  }

  // --- legend filters --------------------------------------------------------------------------------
  function setClass(group, value, apply = true) {
    classOn.set(group, value);
    const box = document.querySelector(`#kg-legend input[data-group="${CSS.escape(group)}"]`);
    if (box) box.checked = value;
    if (apply) applyFilters();
  }
  function setRelation(relation, value, apply = true) {
    relationOn.set(relation, value);
    const box = document.querySelector(`#kg-legend input[data-relation="${CSS.escape(relation)}"]`);
    if (box) box.checked = value;
    if (apply) applyFilters();
  }
  for (const box of document.querySelectorAll("#kg-legend input[data-group]")) {
    box.addEventListener("change", () => setClass(box.dataset.group, box.checked));
  }
  for (const box of document.querySelectorAll("#kg-legend input[data-relation]")) {
    box.addEventListener("change", () => setRelation(box.dataset.relation, box.checked));
  }
  document.getElementById("kg-fit").addEventListener("click", () => network.fit({ animation: true }));
  const showAllButton = document.getElementById("kg-show-all");
  if (showAllButton) showAllButton.addEventListener("click", showAll);

  // --- status line ---------------------------------------------------------------------------------
  const status = document.getElementById("kg-status");
  function setStatus(text) {
    status.textContent = text;
  }
  function updateStatus() {
    setStatus(
      `显示 ${nodeView.length}/${data.nodes.length} 个实体，${edgeView.length}/${data.edges.length} 条关系`
    );
  }
  updateStatus();

  // --- side panel ----------------------------------------------------------------------------------
  const panel = document.getElementById("kg-panel");
  const body = document.getElementById("kg-panel-body");
  document.getElementById("kg-close").addEventListener("click", closePanel);

  function el(tag, text, className) {
    const element = document.createElement(tag);
    if (text !== undefined && text !== null) element.textContent = text;
    if (className) element.className = className;
    return element;
  }
  function labelOf(id) {
    const node = nodes.get(id);
    if (node) return node.label;
    return (entities[id] && entities[id].label) || id;
  }
  function className(group) {
    return (classNames[group] && classNames[group][0]) || group || "";
  }
  function relationName(relation) {
    return (relationNames[relation] && relationNames[relation][0]) || relation;
  }
  function openPanel(title) {
    body.replaceChildren(el("h2", title));
    panel.hidden = false;
    return body;
  }
  function closePanel() {
    panel.hidden = true;
    view.selected = null;
  }
  function linkTo(id) {
    const button = el("button", labelOf(id), "kg-link");
    button.type = "button";
    button.title = "定位到此实体";
    button.addEventListener("click", (event) => {
      event.preventDefault();
      focusNode(id);
    });
    return button;
  }
  function source(evidence) {
    const [, doc, start, end, post] = evidence;
    const parts = [];
    if (doc >= 0) {
      const [file, title] = documents[doc];
      let where = file;
      if (start !== null && end !== null) where += ` [${start}–${end}]`;
      if (title) where += `《${title}》`;
      parts.push(where);
    }
    if (post) parts.push(`职务：${post}`);
    return parts.join("；");
  }

  /** One fact: its ends and relation, then each evidence sentence with document and post. */
  function factBlock(relation, fact, open) {
    const [subject, object, evidence, more] = fact;
    const block = el("details", null, "kg-fact");
    block.open = open;
    const summary = el("summary");
    summary.append(linkTo(subject), ` —${relationName(relation)}→ `, linkTo(object));
    summary.append(el("span", ` ${evidence.length + more} 条证据`, "kg-meta"));
    block.append(summary);
    if (!evidence.length) block.append(el("p", "（图中没有陈述这条关系的句子）", "kg-meta"));
    for (const item of evidence) {
      block.append(el("blockquote", item[0] ? `「${item[0]}」` : "（无证据句）", "kg-evidence"));
      const where = source(item);
      if (where) block.append(el("p", `——${where}`, "kg-source"));
    }
    if (more) block.append(el("p", `……另有 ${more} 条证据未列出`, "kg-meta"));
    return block;
  }
  function documentList(edgeIds) {
    const seen = new Map();
    for (const edgeId of edgeIds) {
      for (const fact of facts[edgeId] || []) {
        for (const item of fact[2]) if (item[1] >= 0) seen.set(item[1], documents[item[1]]);
      }
    }
    const list = el("ul", null, "kg-docs");
    for (const [, [file, title]] of [...seen.entries()].sort((a, b) => a[0] - b[0])) {
      list.append(el("li", title ? `${file}《${title}》` : file));
    }
    return seen.size ? list : null;
  }

  function showEdge(edgeId) {
    const edge = edges.get(edgeId);
    if (!edge) return false;
    view.selected = { edge: edgeId };
    const target = openPanel(`${labelOf(edge.from)} —${relationName(edge.relation)}→ ${labelOf(edge.to)}`);
    const rows = facts[edgeId] || [];
    if (rows.length > 1) target.append(el("p", `此边汇总了 ${rows.length} 条关系。`, "kg-meta"));
    rows.forEach((fact) => target.append(factBlock(edge.relation, fact, rows.length <= 5)));
    const docs = documentList([edgeId]);
    if (docs) target.append(el("h3", "来源文档"), docs);
    return true;
  }

  function showNode(id) {
    const node = nodes.get(id);
    if (!node) return false;
    view.selected = { node: id };
    const info = entities[id] || {};
    const target = openPanel(node.label);
    target.append(el("p", [className(node.group), info.py].filter(Boolean).join(" · "), "kg-meta"));
    if (info.aliases && info.aliases.length) target.append(el("p", `别名：${info.aliases.join("、")}`));
    if (info.merged && info.merged.length) {
      const names = info.merged.slice(0, 40).map(labelOf).join("、");
      const rest = info.merged.length > 40 ? ` 等 ${info.merged.length} 个` : "";
      target.append(el("p", `并入的下级地区：${names}${rest}`));
    }
    target.append(el("p", id, "kg-id"));
    const edgeIds = (incident.get(id) || []).slice();
    edgeIds.sort((a, b) => {
      const x = edges.get(a);
      const y = edges.get(b);
      return x.relation < y.relation ? -1 : x.relation > y.relation ? 1 : 0;
    });
    const docs = documentList(edgeIds);
    if (docs) target.append(el("h3", "来源文档"), docs);
    target.append(el("h3", `关系与证据（${edgeIds.length}）`));
    const limit = 100;
    for (const edgeId of edgeIds.slice(0, limit)) {
      const edge = edges.get(edgeId);
      for (const fact of facts[edgeId] || [[edge.from, edge.to, [], 0]]) {
        target.append(factBlock(edge.relation, fact, edgeIds.length <= 5));
      }
    }
    if (edgeIds.length > limit) target.append(el("p", `……另有 ${edgeIds.length - limit} 条关系`, "kg-meta"));
    return true;
  }

  if (details.focus && details.focus.length) {
    network.once("afterDrawing", () => network.selectNodes(details.focus));
  }
})();
