// The query page: YASGUI (vendored, offline) on this server's /sparql, the canned queries with their
// parameters as form fields, result IRIs linked to /entity/..., downloads, and a 中文/English switch.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const canned = JSON.parse($("canned").textContent);
  const TEXT = {
    zh: {title: "kg SPARQL 查询", canned: "预设查询", run: "运行", download: "下载", lang: "English",
         hint: "Ctrl+Enter 运行；前缀已预先声明", params: "参数", rows: "分页表格"},
    en: {title: "kg SPARQL query", canned: "Canned queries", run: "Run", download: "Download", lang: "中文",
         hint: "Ctrl+Enter runs the query; prefixes are predeclared", params: "Parameters",
         rows: "paged table"},
  };
  let lang = localStorage.getItem("kg-lang") === "en" ? "en" : "zh";
  let prefixes = {};
  let resourceBase = "";

  function translate() {
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = TEXT[lang][el.dataset.t];
  }

  // the same escaping as kg.queries.params.sparql_term: a value can never end the literal
  function literal(value) {
    const escaped = value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')
      .replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
    return '"' + escaped + '"@zh';
  }
  // the term for a value as kg.queries.params.sparql_term makes it; null when the value does not fit
  function term(kind, value) {
    if (kind === "integer") return /^[+-]?[0-9]+$/.test(value) ? String(parseInt(value, 10)) : null;
    if (kind === "iri") {
      const match = /^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z_0-9\u00C0-\uFFFF][A-Za-z_0-9\u00B7\u00C0-\uFFFF.-]*)$/.exec(value);
      return match && match[1] in prefixes ? value : null;
    }
    return literal(value);
  }
  function bind(text, name, value) {
    const block = new RegExp("(VALUES\\s+\\?" + name + "\\s*\\{)[^}]*(\\})");
    return text.replace(block, (m, open, close) => open + " " + value + " " + close);
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/'/g, "&#39;").replace(/"/g, "&quot;");
  }
  // a valid SPARQL prefixed name: the longest declared namespace, reserved marks escaped
  function shortName(iri) {
    let best = null;
    for (const [name, ns] of Object.entries(prefixes)) {
      if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [name, ns];
    }
    if (!best) return "<" + iri + ">";
    // as kg.ontology.prefixed_name: reserved marks anywhere, "." and "-" first, "." last
    const local = iri.slice(best[1].length).replace(/[~!$&'()*+,;=\/?#@]|^[.-]|\.$/g, (m) => "\\" + m);
    return best[0] + ":" + local;
  }
  function entityHref(iri) {
    const path = iri.slice(resourceBase.length).split("/").map((part) => {
      try { return encodeURIComponent(decodeURIComponent(part)); } catch (e) { return encodeURIComponent(part); }
    });
    return "entity/" + path.join("/");
  }

  const Table = Yasgui.Yasr.plugins.table;
  const formatLiteral = Table.prototype.formatLiteral;
  Table.prototype.formatLiteral = function (binding, known) {
    // every label in the graph is @zh: the tag tells an analyst nothing
    if (binding["xml:lang"] === "zh") {
      const plain = Object.assign({}, binding);
      delete plain["xml:lang"];
      return formatLiteral.call(this, plain, known);
    }
    return formatLiteral.call(this, binding, known);
  };
  Table.prototype.getUriLinkFromBinding = function (binding) {
    const text = escapeHtml(shortName(binding.value));
    if (resourceBase && binding.value.startsWith(resourceBase)) {
      return "<a class='iri' href='" + escapeHtml(entityHref(binding.value)) + "'>" + text + "</a>";
    }
    return "<span class='iri' title='" + escapeHtml(binding.value) + "'>" + text + "</span>";
  };
  // the class and property completers ask a vocabulary service on the internet: keep only local ones
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];

  // the editor checks prefixes itself and knows none of the server's predeclared ones: a loaded
  // query declares those it uses, which also keeps a permalinked query self-contained
  function withPrefixes(text) {
    const body = text.replace(/^#.*$/gm, "");
    const used = Object.keys(prefixes).filter((name) => new RegExp("(^|[^\\w:?$-])" + name + ":").test(body));
    const lines = used.map((name) => "PREFIX " + name + ": <" + prefixes[name] + ">\n");
    return lines.join("") + text;
  }

  function showParams(query) {
    const form = $("params");
    form.replaceChildren();
    for (const param of query.params) {
      const label = document.createElement("label");
      label.textContent = param.name + " (" + param.meaning + ") ";
      const input = document.createElement("input");
      input.name = param.name;
      input.value = param.default;
      input.dataset.param = param.name;
      label.append(input);
      form.append(label);
    }
    form.hidden = query.params.length === 0;
  }

  async function download(yasgui, accept, suffix) {
    const query = yasgui.getTab().getQuery();
    const response = await fetch("sparql", {method: "POST", body: query,
      headers: {"Content-Type": "application/sparql-query", "Accept": accept}});
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "result." + suffix;
    document.body.append(link);
    link.click();
    link.remove();
  }

  async function start() {
    translate();
    try { prefixes = await (await fetch("prefixes")).json(); } catch (e) { prefixes = {}; }
    resourceBase = prefixes.kgr || "";
    const yasgui = new Yasgui($("yasgui"), {
      requestConfig: {endpoint: new URL("sparql", location.href).href, method: "POST"},
      copyEndpointOnNewTab: false,
      endpointCatalogueOptions: {getData: () => []},
      populateFromUrl: true,
      persistenceId: null,
      yasr: {prefixes: prefixes, pluginOrder: ["table", "response"], defaultPlugin: "table"},
    });
    window.kgYasgui = yasgui;
    let current = null;
    const list = $("canned-list");
    for (const query of canned) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "example";
      button.textContent = query.name;
      button.dataset.name = query.name;
      button.onclick = () => {
        current = query;
        showParams(query);
        yasgui.getTab().setQuery(withPrefixes(query.text));
      };
      const summary = document.createElement("span");
      summary.textContent = " " + query.summary + " ";
      // the server's own page of the listing: a page of rows at a time, kept per build
      const rows = document.createElement("a");
      rows.href = "query/" + encodeURIComponent(query.name);
      rows.className = "rows";
      rows.dataset.t = "rows";
      rows.textContent = TEXT[lang].rows;
      item.append(button, summary, rows);
      list.append(item);
    }
    $("params").addEventListener("input", () => {
      if (!current) return;
      let text = current.text;
      for (const param of current.params) {
        const input = $("params").querySelector("input[name='" + param.name + "']");
        const value = term(param.kind, input.value);
        // a value that does not fit its kind is left out (the default stays) and marked
        input.classList.toggle("invalid", value === null);
        if (value !== null) text = bind(text, param.name, value);
      }
      yasgui.getTab().setQuery(withPrefixes(text));
    });
    $("run").onclick = () => yasgui.getTab().query();
    $("lang").onclick = () => {
      lang = lang === "zh" ? "en" : "zh";
      localStorage.setItem("kg-lang", lang);
      translate();
    };
    for (const [id, accept, suffix] of [["csv", "text/csv", "csv"], ["tsv", "text/tab-separated-values", "tsv"],
                                         ["json", "application/sparql-results+json", "json"]]) {
      $("download-" + id).onclick = () => download(yasgui, accept, suffix);
    }
    document.body.dataset.ready = "1";
  }
  start();
})();
