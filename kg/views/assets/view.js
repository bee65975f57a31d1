/* kg network view: draws #kg-data with vis-network and adds search, filters and the evidence panel.
 *
 * Filtering goes through vis DataViews over the full DataSets: a node is shown when its class is
 * checked, it is in the overview (large graphs only) and at least one of its edges is shown (or it
 * was searched for); an edge is shown when its relation is checked, both ends are shown and, with a
 * date range set, one of its documents is dated within it (edges no sentence states, the division
 * table's locatedIn steps, are kept above the places that remain).
 * Node and edge labels are drawn by this script, not by vis-network (see "labels" below): at a fixed
 * size on screen, the best-connected first, none over another label or a node; edge labels once
 * zoomed in, or for the edge under the pointer.
 * Served by kg serve (http:), the panel links entity pages and each sentence's place in its document;
 * opened from disk it shows no such links, which would lead nowhere.
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

  // vis-network draws no labels at all: drawLabels does (a threshold no zoom reaches turns them off)
  for (const kind of ["nodes", "edges"]) {
    const options = (data.options[kind] = data.options[kind] || {});
    const scaling = (options.scaling = options.scaling || {});
    scaling.label = Object.assign({}, scaling.label, { drawThreshold: 1e9 });
  }
  const served = location.protocol === "http:" || location.protocol === "https:";

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

  let visibleEdges = new Set();
  let filterVersion = 0; // changes whenever the filters do, for the label placement's cache
  let dateRange = null; // [first day, last day] as ISO strings, either may be null; null: no filter

  const on = (map, key) => map.get(key) !== false;
  const inOverview = (id) => shown === null || shown.has(id);

  /** [first day, last day] an ISO date of year, month or day precision stands for; null if not one. */
  function dateBounds(text) {
    const match = /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$/.exec(String(text).trim());
    if (!match) return null;
    const [, year, month, day] = match;
    if (day) return [match[0], match[0]];
    if (month) {
      const last = new Date(Date.UTC(+year, +month, 0)).getUTCDate();
      return [`${year}-${month}-01`, `${year}-${month}-${String(last).padStart(2, "0")}`];
    }
    return [`${year}-01-01`, `${year}-12-31`];
  }
  // edge id -> [first, last] of each dated evidence; null for edges no sentence states
  const edgeDates = new Map();
  for (const edge of data.edges) {
    const rows = facts[edge.id] || [];
    const stated = rows.some((fact) => fact[2].length || fact[3]);
    const spans = [];
    for (const fact of rows) for (const date of fact[4] || []) spans.push(dateBounds(date));
    edgeDates.set(edge.id, stated ? spans.filter(Boolean) : null);
  }
  function datedWithin(edgeId) {
    const spans = edgeDates.get(edgeId);
    if (spans === null) return null;
    const [since, until] = dateRange;
    return spans.some(([first, last]) => (!since || last >= since) && (!until || first <= until));
  }

  function recompute() {
    const active = new Map();
    visibleEdges = new Set();
    const reference = new Map(); // source -> edges no sentence states, while a date range is set
    for (const edge of data.edges) {
      if (
        on(relationOn, edge.relation) &&
        on(classOn, groupOf.get(edge.from)) &&
        on(classOn, groupOf.get(edge.to)) &&
        inOverview(edge.from) &&
        inOverview(edge.to)
      ) {
        if (dateRange) {
          const within = datedWithin(edge.id);
          if (within === null) {
            if (!reference.has(edge.from)) reference.set(edge.from, []);
            reference.get(edge.from).push(edge);
            continue;
          }
          if (!within) continue;
        }
        visibleEdges.add(edge.id);
        active.set(edge.from, (active.get(edge.from) || 0) + 1);
        active.set(edge.to, (active.get(edge.to) || 0) + 1);
      }
    }
    // up the division table's chains from every place that remains
    let frontier = [...active.keys()];
    while (frontier.length && reference.size) {
      const next = [];
      for (const id of frontier) {
        for (const edge of reference.get(id) || []) {
          visibleEdges.add(edge.id);
          if (!active.has(edge.to)) next.push(edge.to);
          active.set(edge.to, (active.get(edge.to) || 0) + 1);
        }
        reference.delete(id);
      }
      frontier = next;
    }
    visibleNodes = new Set();
    for (const node of data.nodes) {
      if (!on(classOn, node.group) || !inOverview(node.id)) continue;
      if (active.has(node.id) || pinned.has(node.id) || (!incident.has(node.id) && !dateRange)) {
        visibleNodes.add(node.id);
      }
    }
  }
  recompute();
  const nodeView = new vis.DataView(nodes, { filter: (node) => visibleNodes.has(node.id) });
  const edgeView = new vis.DataView(edges, {
    filter: (edge) => visibleEdges.has(edge.id) && visibleNodes.has(edge.from) && visibleNodes.has(edge.to),
  });

  function applyFilters() {
    filterVersion++;
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
    setDates,
    labels: [],
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

  // --- labels --------------------------------------------------------------------------------------
  /* Drawn after vis-network's frame, in screen pixels, so they keep one readable size at any zoom.
   * Node labels go beside their node (below, else above, right, left) in order of priority
   * (selected, under the pointer, ends of a selected edge, focus, then by size, i.e. degree): a label is drawn only where it overlaps no label drawn before and no other
   * node, so zooming in makes room for more of them. Edge labels (the relation's name) follow, at the
   * edge's midpoint, once the view is zoomed in to EDGE_LABEL_SCALE, and always for the edge under
   * the pointer or selected. view.labels keeps the boxes drawn in the last frame, for tests.
   */
  const FONT_FAMILY = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif';
  const NODE_FONT = `13px ${FONT_FAMILY}`;
  const EDGE_FONT = `11px ${FONT_FAMILY}`;
  const NODE_LABEL_HEIGHT = 16;
  const EDGE_LABEL_HEIGHT = 14;
  const EDGE_LABEL_SCALE = 0.9;
  const CELL = 64; // grid cell of the collision index, px
  const MAX_LABEL_TRIES = 1500;
  const HOVER_DELAY = 100; // ms the pointer rests before the label of what is under it is drawn
  const MIN_OBSTACLE_RADIUS = 4; // px: smaller nodes do not keep labels away
  const byPriority = data.nodes
    .map((node) => [-(node.size || 0), node.id])
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map((item) => item[1]);
  const nodeLabels = new Map(data.nodes.map((node) => [node.id, node.label]));
  const edgeItems = new Map(data.edges.map((edge) => [edge.id, edge]));
  let hovered = { node: null, edge: null };
  let labelCache = { key: "", chosen: [] };

  // one measuring context per font: setting a context's font parses it, which costs more than measuring
  const measurers = new Map();
  function textWidth(_ctx, font, text) {
    let measurer = measurers.get(font);
    if (!measurer) {
      measurer = { ctx: document.createElement("canvas").getContext("2d"), widths: new Map() };
      measurer.ctx.font = font;
      measurers.set(font, measurer);
    }
    let width = measurer.widths.get(text);
    if (width === undefined) {
      width = measurer.ctx.measureText(text).width;
      measurer.widths.set(text, width);
    }
    return width;
  }

  function drawLabels(ctx) {
    const started = performance.now();
    placeLabels(ctx);
    timings.labels = performance.now() - started;
  }
  function placeLabels(ctx) {
    const renderer = network.renderer;
    view.labels = [];
    const ids = network.body.nodeIndices;
    if ((renderer.zooming || renderer.dragging) && details.fastDraw && ids.length >= details.fastDraw) return;
    const scale = network.body.view.scale;
    const shift = network.body.view.translation;
    const frame = network.canvas.frame.canvas;
    const width = frame.clientWidth;
    const height = frame.clientHeight;
    // a frame that moved nothing (a tooltip, a hover over empty space) reuses the last placement
    const key = [
      scale,
      shift.x,
      shift.y,
      width,
      height,
      ids.length,
      network.body.edgeIndices.length,
      filterVersion,
      moveVersion,
      network.getSelectedNodes().join(","),
      network.getSelectedEdges().join(","),
      hovered.node,
      hovered.edge,
      document.getElementById("kg-panel").hidden,
    ].join("|");
    let chosen = labelCache.key === key && !physics ? labelCache.chosen : null;
    if (!chosen) {
      chosen = (() => {
        const grid = new Map();
        // a uniform grid of CELL px; a cell's key is a number (no string per lookup)
        const cellRange = (box) => [
          Math.floor(box.x / CELL),
          Math.floor((box.x + box.w) / CELL),
          Math.floor(box.y / CELL),
          Math.floor((box.y + box.h) / CELL),
        ];
        const put = (box) => {
          const [x0, x1, y0, y1] = cellRange(box);
          for (let cx = x0; cx <= x1; cx++) {
            for (let cy = y0; cy <= y1; cy++) {
              const key = cx * 65536 + cy;
              const list = grid.get(key);
              if (list) list.push(box);
              else grid.set(key, [box]);
            }
          }
        };
        // nothing of another owner overlaps box (with labelsOnly: no other label; shapes may)
        const free = (box, labelsOnly = false) => {
          const [x0, x1, y0, y1] = cellRange(box);
          const right = box.x + box.w;
          const bottom = box.y + box.h;
          for (let cx = x0; cx <= x1; cx++) {
            for (let cy = y0; cy <= y1; cy++) {
              const list = grid.get(cx * 65536 + cy);
              if (!list) continue;
              for (let i = 0; i < list.length; i++) {
                const other = list[i];
                if (other.owner === box.owner || (labelsOnly && other.kind !== "node" && other.kind !== "edge")) continue;
                if (other.x < right && box.x < other.x + other.w && other.y < bottom && box.y < other.y + other.h) {
                  return false;
                }
              }
            }
          }
          return true;
        };
        const onScreen = (box) => box.x + box.w > 0 && box.y + box.h > 0 && box.x < width && box.y < height;

        // the floating bar, legend and panel hide what is under them: no label goes there
        const canvasBox = frame.getBoundingClientRect();
        for (const ui of document.querySelectorAll("#kg-bar, #kg-legend, #kg-panel")) {
          if (ui.hidden) continue;
          const rect = ui.getBoundingClientRect();
          put({ x: rect.left - canvasBox.left, y: rect.top - canvasBox.top, w: rect.width, h: rect.height, owner: "" });
        }
        // every node on screen is an obstacle for the labels of the others
        const visible = new Set(ids);
        const place = new Map();
        for (const id of ids) {
          const node = network.body.nodes[id];
          const r = (node.options.size || 10) * scale;
          const x = node.x * scale + shift.x;
          const y = node.y * scale + shift.y;
          const box = { x: x - r, y: y - r, w: 2 * r, h: 2 * r, owner: id, kind: "shape" };
          place.set(id, [x, y, r]);
          // a dot of a few pixels may sit under a label: at overview zoom every hub is surrounded by them
          if (r >= MIN_OBSTACLE_RADIUS && onScreen(box)) put(box);
        }
        const chosen = [];
        const accept = (box) => {
          put(box);
          chosen.push(box);
        };
        /** The label box of an edge at its midpoint, or null when the edge is not drawn or off screen. */
        const edgeBox = (id) => {
          const edge = network.body.edges[id];
          const item = edgeItems.get(id);
          if (!edge || !item || !edge.edgeType || !visibleEdges.has(id)) return null;
          const middle = edge.edgeType.getPoint(0.5);
          const x = middle.x * scale + shift.x;
          const y = middle.y * scale + shift.y;
          const text = item.label || relationName(item.relation);
          const w = textWidth(ctx, EDGE_FONT, text) + 4;
          const h = EDGE_LABEL_HEIGHT;
          const colour = (relationNames[item.relation] || [])[1] || "#555";
          const box = { x: x - w / 2, y: y - h / 2, w, h, owner: id, kind: "edge", text, colour };
          return onScreen(box) ? box : null;
        };
        // the labels of the edges selected or under the pointer come first: the rest make room for them
        const priorityEdges = new Set(network.getSelectedEdges());
        if (hovered.edge) priorityEdges.add(hovered.edge);
        for (const id of priorityEdges) {
          const box = edgeBox(id);
          if (box) accept(box);
        }
        const selectedEnds = network.getSelectedEdges().flatMap((id) => {
          const edge = edgeItems.get(id);
          return edge ? [edge.from, edge.to] : [];
        });
        const first = [network.getSelectedNodes(), hovered.node, selectedEnds, details.focus || []]
          .flat()
          .filter((id) => id && visible.has(id));
        const seen = new Set();
        let tries = 0;
        for (const id of [...first, ...byPriority]) {
          if (seen.has(id) || !visible.has(id)) continue;
          seen.add(id);
          const [px, py] = place.get(id);
          if (px < 0 || py < 0 || px > width || py > height) continue;
          // the best-connected MAX_LABEL_TRIES nodes on screen are tried; below them, at a zoom that
          // shows thousands, a label would rarely find room, and trying costs the frame
          if (++tries > MAX_LABEL_TRIES && !first.includes(id)) break;
          const text = nodeLabels.get(id);
          if (!text) continue;
          const [x, y, r] = place.get(id);
          const w = textWidth(ctx, NODE_FONT, text) + 4;
          const h = NODE_LABEL_HEIGHT;
          // below the node, else above, right or left of it
          const spots = [
            [x - w / 2, y + r + 2],
            [x - w / 2, y - r - 2 - h],
            [x + r + 3, y - h / 2],
            [x - r - 3 - w, y - h / 2],
          ].map(([left, top]) => ({ x: left, y: top, w, h, owner: id, kind: "node", text }));
          let box = spots.find((spot) => onScreen(spot) && free(spot));
          if (!box && first.includes(id)) box = spots.find((spot) => free(spot, true)) || spots[0];
          if (box) accept(box);
        }
        if (scale >= EDGE_LABEL_SCALE) {
          for (const id of network.body.edgeIndices) {
            if (priorityEdges.has(id)) continue;
            const box = edgeBox(id);
            if (box && free(box)) accept(box);
          }
        }
        return chosen;
      })();
      labelCache = { key, chosen };
    }
    const placed = performance.now();
    ctx.save();
    const ratio = network.canvas.pixelRatio || window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    for (const box of chosen) {
      ctx.font = box.kind === "node" ? NODE_FONT : EDGE_FONT;
      ctx.lineWidth = 4;
      ctx.strokeStyle = "rgba(255, 255, 255, 0.92)";
      ctx.strokeText(box.text, box.x + box.w / 2, box.y + 1);
      ctx.fillStyle = box.kind === "node" ? "#222" : box.colour;
      ctx.fillText(box.text, box.x + box.w / 2, box.y + 1);
    }
    ctx.restore();
    timings.labelText = performance.now() - placed;
    view.labels = chosen.map(({ x, y, w, h, owner, kind, text }) => ({ x, y, w, h, id: owner, kind, text }));
  }
  network.on("afterDrawing", drawLabels);
  let moveVersion = 0; // nodes dragged to a new place: the placement's cache is stale
  network.on("dragging", () => moveVersion++);
  network.on("dragEnd", () => moveVersion++);

  // the edge (or node) under the pointer, found by our own pointer handler: vis-network's hover
  // events need its hover option, which large graphs turn off (each hover redraws everything)
  // Looked up once the pointer rests (as vis-network's tooltip waits), so that sweeping the pointer
  // over a large graph does not redraw it at every edge it crosses.
  let pointerTimer = 0;
  container.addEventListener("pointermove", (event) => {
    clearTimeout(pointerTimer);
    pointerTimer = setTimeout(() => {
      const box = container.getBoundingClientRect();
      const at = { x: event.clientX - box.left, y: event.clientY - box.top };
      const node = network.getNodeAt(at) || null;
      const edge = node ? null : network.getEdgeAt(at) || null;
      if (node !== hovered.node || edge !== hovered.edge) {
        hovered = { node, edge };
        view.hovered = hovered;
        network.redraw();
      }
    }, HOVER_DELAY);
  });
  container.addEventListener("pointerleave", () => {
    clearTimeout(pointerTimer);
    if (hovered.node || hovered.edge) {
      hovered = { node: null, edge: null };
      network.redraw();
    }
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
  for (const swatch of document.querySelectorAll("#kg-legend [data-colour]")) {
    // set through the CSSOM, which a Content-Security-Policy without 'unsafe-inline' allows
    if (swatch.classList.contains("kg-line")) swatch.style.background = swatch.dataset.colour;
    else swatch.style.color = swatch.dataset.colour;
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

  // --- date filter -------------------------------------------------------------------------------------
  const sinceInput = document.getElementById("kg-since");
  const untilInput = document.getElementById("kg-until");
  /** Show only facts from documents dated within [since, until] (ISO, either may be empty). */
  function setDates(since, until) {
    const bounds = [since, until].map((text) => (text && String(text).trim() ? dateBounds(text) : undefined));
    if (sinceInput) sinceInput.value = since || "";
    if (untilInput) untilInput.value = until || "";
    [sinceInput, untilInput].forEach((box, i) => box && box.classList.toggle("kg-invalid", bounds[i] === null));
    if (bounds.includes(null)) {
      setStatus("日期格式：YYYY、YYYY-MM 或 YYYY-MM-DD");
      return false;
    }
    const first = bounds[0] ? bounds[0][0] : null;
    const last = bounds[1] ? bounds[1][1] : null;
    dateRange = first || last ? [first, last] : null;
    applyFilters();
    return true;
  }
  for (const box of [sinceInput, untilInput]) {
    if (box) box.addEventListener("change", () => setDates(sinceInput.value, untilInput.value));
  }

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
  /** Relative link to an entity's page under kg serve, or null (not served, or not our resource). */
  function entityHref(id) {
    const colon = id.indexOf(":");
    const base = colon > 0 ? (details.resources || {})[id.slice(0, colon)] : undefined;
    return served && base !== undefined ? `entity/${base}${id.slice(colon + 1)}` : null;
  }
  /** Relative link to a document's page under kg serve, at one sentence when start is given. */
  function documentHref(file, start) {
    if (!served || !file) return null;
    const path = file.split("/").map(encodeURIComponent).join("/");
    return `doc/${path}` + (start !== null && start !== undefined ? `#s-${start}` : "");
  }
  function anchor(text, href, title) {
    const a = el("a", text, "kg-doc-link");
    a.href = href;
    if (title) a.title = title;
    return a;
  }
  /** "——file [start–end]《title》（date）；职务：post", the document part linked to the sentence when served. */
  function source(evidence) {
    const [, doc, start, end, post] = evidence;
    if (doc < 0 && !post) return null;
    const line = el("p", "——", "kg-source");
    if (doc >= 0) {
      const [file, title, date] = documents[doc];
      let where = file;
      if (start !== null && end !== null) where += ` [${start}–${end}]`;
      if (title) where += `《${title}》`;
      if (date) where += `（${date}）`;
      const href = documentHref(file, start);
      line.append(href ? anchor(where, href, "在原文中查看这句话：为什么有这条关系？") : where);
    }
    if (post) line.append(`${doc >= 0 ? "；" : ""}职务：${post}`);
    return line;
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
      if (where) block.append(where);
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
    for (const [, [file, title, date]] of [...seen.entries()].sort((a, b) => a[0] - b[0])) {
      const text = (title ? `${file}《${title}》` : file) + (date ? `（${date}）` : "");
      const href = documentHref(file);
      const item = el("li");
      item.append(href ? anchor(text, href, "打开文档页") : text);
      list.append(item);
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
    const page = entityHref(id);
    if (page) {
      const links = el("p", null, "kg-panel-links");
      links.append(anchor("打开实体页（全部关系、证据与职务）", page));
      target.append(links);
    }
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
