/* treatygraph query editor: progressive enhancement of the plain query form on /sparql.
 *
 * Without this script the page is a form that submits to /sparql, which answers an HTML
 * results page. With it: syntax highlighting (a <pre> under a transparent textarea, kept in
 * sync), the project's prefixes declared on demand, examples that load without a page load,
 * Ctrl+Enter to run, results fetched as SPARQL JSON or Turtle and shown as a table with
 * labels, downloads, a permalink (?qtext=) and errors with their line and column.
 * No framework, no network access beyond this server.
 */
(function () {
  "use strict";

  var KEYWORDS = [
    "BASE", "PREFIX", "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "FROM", "NAMED",
    "GRAPH", "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "VALUES", "SERVICE", "SILENT",
    "DISTINCT", "REDUCED", "AS", "ORDER", "BY", "ASC", "DESC", "LIMIT", "OFFSET", "GROUP",
    "HAVING", "NOT", "EXISTS", "IN", "UNDEF", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE",
    "GROUP_CONCAT", "SEPARATOR", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI",
    "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE",
    "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER",
    "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID",
    "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG",
    "STRDT", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX",
    "SUBSTR", "REPLACE", "TRUE", "FALSE", "A"
  ];
  var KEYWORD_SET = {};
  KEYWORDS.forEach(function (k) { KEYWORD_SET[k] = true; });

  // One pass, left to right; the first alternative that matches at a position wins.
  var TOKEN = new RegExp([
    "(#[^\\n]*)",                                                  // 1 comment
    "(\"\"\"[\\s\\S]*?\"\"\"|'''[\\s\\S]*?'''|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*')", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                    // 3 IRI
    "([?$][A-Za-z0-9_\\u00B7\\u00C0-\\uFFFF]+)",                   // 4 variable
    "((?:[A-Za-z][\\w.-]*)?:[\\w.%-]*)",                             // 5 prefixed name
    "(\\b[A-Za-z_]+\\b)",                                          // 6 word
    "(\\b\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?\\b)"                   // 7 number
  ].join("|"), "g");
  var CLASSES = [null, "tok-comment", "tok-string", "tok-iri", "tok-var", "tok-pname", "tok-keyword", "tok-number"];

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c];
    });
  }

  /* Highlighted HTML for a piece of query text; a token that spans lines is closed and
   * reopened at each line break, so every line of the output is well-formed on its own. */
  function tokens(text) {
    var out = "";
    var last = 0;
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      if (match[0] === "") { TOKEN.lastIndex++; continue; }
      out += escapeHtml(text.slice(last, match.index));
      var group = 1;
      while (group < match.length && match[group] === undefined) group++;
      var cls = CLASSES[group];
      if (group === 6 && !KEYWORD_SET[match[0].toUpperCase()]) cls = null;
      var escaped = escapeHtml(match[0]);
      out += cls ? escaped.split("\n").map(function (part) {
        return "<span class=\"" + cls + "\">" + part + "</span>";
      }).join("\n") : escaped;
      last = match.index + match[0].length;
    }
    return out + escapeHtml(text.slice(last));
  }

  /* The query as highlighted HTML; errorLine/errorColumn (1-based) mark a parse error:
   * the line gets a background and the character at the column a wavy underline. */
  function highlight(text, errorLine, errorColumn) {
    var lines = tokens(text).split("\n");
    var index = (errorLine || 0) - 1;
    if (index >= 0 && index < lines.length) {
      var raw = text.split("\n")[index] || "";
      var col = (errorColumn || 0) - 1;
      var inner = lines[index];
      if (col >= 0 && col <= raw.length) {
        inner = tokens(raw.slice(0, col)) + "<span class=\"col-error\">" +
          escapeHtml(raw.charAt(col) || " ") + "</span>" + tokens(raw.slice(col + 1));
      }
      lines[index] = "<span class=\"line-error\">" + (inner || " ") + "</span>";
    }
    return lines.join("\n") + "\n";
  }

  /* Declarations for the project's prefixes that the query uses but does not declare. */
  function missingPrefixes(text, prefixes) {
    var body = text.replace(/#[^\n]*/g, "").replace(/<[^>\s]*>/g, "<>")
      .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, "\"\"");
    var declared = {};
    body.replace(/PREFIX\s+([A-Za-z][\w.-]*)?:/gi, function (_, name) { declared[name || ""] = true; return _; });
    var lines = [];
    Object.keys(prefixes).forEach(function (name) {
      if (declared[name]) return;
      if (new RegExp("(^|[\\s(,;/^|!{}\\[\\]])" + name + ":").test(body)) {
        lines.push("PREFIX " + name + ": <" + prefixes[name] + ">");
      }
    });
    return lines;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function Editor(form) {
    this.form = form;
    this.textarea = form.querySelector("textarea[name=query]");
    this.prefixes = JSON.parse(form.dataset.prefixes || "{}");
    this.baseIri = form.dataset.baseIri || "";
    this.idBase = this.baseIri + "id/";
    this.ontology = this.baseIri + "ontology#";
    this.status = document.getElementById("query-status");
    this.error = document.getElementById("query-error");
    this.downloads = document.getElementById("downloads");
    this.results = document.getElementById("results");
    this.permalink = document.getElementById("permalink");
    this.format = form.querySelector("select[name=format]");
    this.errorLine = parseInt(form.dataset.errorLine || "0", 10) || 0;
    this.errorColumn = parseInt(form.dataset.errorColumn || "0", 10) || 0;
    this.running = null;
    this.enhance();
  }

  Editor.prototype.enhance = function () {
    var self = this;
    var wrap = this.textarea.parentNode;
    this.pre = el("pre", { "class": "highlight", "aria-hidden": "true" });
    wrap.insertBefore(this.pre, this.textarea);
    wrap.classList.add("enhanced");
    this.textarea.setAttribute("wrap", "off");
    this.render();
    this.textarea.addEventListener("input", function () {
      self.errorLine = 0;
      self.render();
    });
    this.textarea.addEventListener("scroll", function () { self.sync(); });
    if (window.ResizeObserver) new ResizeObserver(function () { self.sync(); }).observe(this.textarea);
    this.textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        self.run();
      } else if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey) {
        event.preventDefault();
        document.execCommand("insertText", false, "  ");
      }
    });
    this.form.addEventListener("submit", function (event) {
      if (self.format && self.format.value) return;  // a download: let the browser have it
      event.preventDefault();
      self.run();
    });
    document.querySelectorAll("a.example").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        var text = new URL(link.href, location.href).searchParams.get("qtext") || "";
        self.load(text);
      });
    });
  };

  Editor.prototype.render = function () {
    this.pre.innerHTML = highlight(this.textarea.value, this.errorLine, this.errorColumn);
    this.sync();
  };

  Editor.prototype.sync = function () {
    this.pre.style.height = this.textarea.offsetHeight + "px";
    this.pre.scrollTop = this.textarea.scrollTop;
    this.pre.scrollLeft = this.textarea.scrollLeft;
  };

  Editor.prototype.load = function (text) {
    this.textarea.value = text;
    this.textarea.setSelectionRange(0, 0);
    this.textarea.focus({ preventScroll: true });
    this.textarea.scrollTop = 0;
    this.textarea.scrollLeft = 0;
    this.errorLine = 0;
    this.render();
    this.setPermalink(text);
  };

  Editor.prototype.setPermalink = function (text) {
    var url = "/sparql?" + new URLSearchParams({ qtext: text }).toString();
    this.permalink.href = url;
    history.replaceState(null, "", url);
  };

  Editor.prototype.run = function () {
    var self = this;
    var text = this.textarea.value;
    var added = missingPrefixes(text, this.prefixes);
    var sent = added.length ? added.join("\n") + "\n" + text : text;
    if (this.running) this.running.abort();
    var controller = new AbortController();
    this.running = controller;
    this.setPermalink(text);
    this.showError(null);
    this.downloads.hidden = true;
    this.status.textContent = "Running…";
    this.form.setAttribute("aria-busy", "true");
    var started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: sent }).toString(),
      signal: controller.signal
    }).then(function (response) {
      var type = (response.headers.get("Content-Type") || "").split(";")[0];
      if (!response.ok) {
        return response.text().then(function (body) {
          var problem;
          try { problem = JSON.parse(body); } catch (e) { problem = { title: response.statusText, detail: body }; }
          self.failed(problem, added.length);
        });
      }
      var truncated = response.headers.get("TreatyGraph-Results-Truncated") === "true";
      return response.text().then(function (body) {
        var elapsed = performance.now() - started;
        if (type === "application/sparql-results+json") {
          self.showJson(JSON.parse(body), elapsed, truncated, sent);
        } else {
          self.showGraph(body, elapsed, truncated, sent);
        }
      });
    }).catch(function (error) {
      if (error.name === "AbortError") return;
      self.failed({ title: "The query could not be sent", detail: String(error) }, 0);
    }).finally(function () {
      if (self.running === controller) {
        self.running = null;
        self.form.removeAttribute("aria-busy");
      }
    });
  };

  Editor.prototype.failed = function (problem, shift) {
    var line = problem.line ? problem.line - shift : 0;
    this.status.textContent = "";
    this.results.textContent = "";
    this.errorLine = line > 0 ? line : 0;
    this.errorColumn = problem.column || 0;
    this.render();
    this.showError(problem, this.errorLine, this.errorColumn);
    if (this.errorLine) {
      var lineHeight = parseFloat(getComputedStyle(this.textarea).lineHeight) || 20;
      this.textarea.scrollTop = Math.max(0, (this.errorLine - 3) * lineHeight);
      this.sync();
    }
  };

  Editor.prototype.showError = function (problem, line, column) {
    this.error.textContent = "";
    this.error.hidden = !problem;
    if (!problem) return;
    var head = el("strong", {}, problem.title || "Error");
    this.error.appendChild(head);
    if (line) {
      this.error.appendChild(document.createTextNode(
        " at line " + line + (column ? ", column " + column : "")));
    }
    this.error.appendChild(el("pre", {}, problem.detail || ""));
  };

  Editor.prototype.setDownloads = function (sent, formats) {
    this.downloads.textContent = "Download:";
    var self = this;
    formats.forEach(function (pair) {
      var href = "/sparql?" + new URLSearchParams({ query: sent, format: pair[1] }).toString();
      self.downloads.appendChild(document.createTextNode(" "));
      self.downloads.appendChild(el("a", { href: href, download: "results." + pair[2] }, pair[0]));
    });
    this.downloads.hidden = false;
  };

  Editor.prototype.summary = function (count, noun, elapsed, truncated) {
    var text = count + " " + noun + (count === 1 ? "" : "s") + " in " + Math.round(elapsed) + " ms";
    if (truncated) text += " — cut at the result limit of " + this.form.dataset.maxResults;
    this.status.textContent = text;
  };

  Editor.prototype.showJson = function (data, elapsed, truncated, sent) {
    this.results.textContent = "";
    if (typeof data.boolean === "boolean") {
      this.summary(1, "answer", elapsed, false);
      this.results.appendChild(el("p", { "class": "boolean" }, data.boolean ? "yes (true)" : "no (false)"));
      this.setDownloads(sent, [["JSON", "json", "json"], ["XML", "xml", "xml"]]);
      return;
    }
    var vars = data.head.vars || [];
    var rows = data.results.bindings || [];
    this.summary(rows.length, "row", elapsed, truncated);
    var table = el("table", { "class": "grid results" });
    var head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", { scope: "col" }, "?" + v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    var self = this;
    var shown = rows.slice(0, 2000);
    shown.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(self.cell(row[v])); });
      body.appendChild(tr);
    });
    var wrap = el("div", { "class": "table-wrap" });
    wrap.appendChild(table);
    this.results.appendChild(wrap);
    if (shown.length < rows.length) {
      this.results.appendChild(el("p", { "class": "detail" },
        "The first " + shown.length + " rows are shown; download the rest."));
    }
    this.setDownloads(sent, [["CSV", "csv", "csv"], ["TSV", "tsv", "tsv"], ["JSON", "json", "json"], ["XML", "xml", "xml"]]);
    this.fetchLabels();
  };

  Editor.prototype.cell = function (term) {
    var td = el("td", { "class": term ? term.type : "empty" });
    if (!term) return td;
    if (term.type === "uri") {
      var local = this.localHref(term.value);
      var link = el("a", { href: local.href, title: term.value, "data-iri": term.value }, this.shortName(term.value));
      if (local.external) link.setAttribute("rel", "external");
      td.appendChild(link);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.appendChild(document.createTextNode(String(term.value)));
      var note = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? this.shortName(term.datatype) : null;
      if (note) {
        td.appendChild(document.createTextNode(" "));
        td.appendChild(el("span", { "class": "datatype" }, note));
      }
    }
    return td;
  };

  Editor.prototype.localHref = function (iri) {
    if (iri.indexOf(this.idBase) === 0) return { href: "/id/" + iri.slice(this.idBase.length), external: false };
    if (iri.indexOf(this.ontology) === 0) return { href: "/ontology#" + iri.slice(this.ontology.length), external: false };
    return { href: iri, external: true };
  };

  Editor.prototype.shortName = function (iri) {
    var best = null;
    var prefixes = this.prefixes;
    Object.keys(prefixes).forEach(function (name) {
      if (iri.indexOf(prefixes[name]) === 0 && (!best || prefixes[name].length > prefixes[best].length)) best = name;
    });
    return best ? best + ":" + iri.slice(prefixes[best].length) : iri;
  };

  /* Replace IRIs by their labels, asking /api/labels in small batches (short URLs). */
  Editor.prototype.fetchLabels = function () {
    var links = Array.prototype.slice.call(this.results.querySelectorAll("a[data-iri]"));
    var iris = [];
    var seen = {};
    links.forEach(function (a) {
      var iri = a.dataset.iri;
      if (!seen[iri] && iris.length < 1000) { seen[iri] = true; iris.push(iri); }
    });
    for (var i = 0; i < iris.length; i += 40) {
      var params = new URLSearchParams();
      iris.slice(i, i + 40).forEach(function (iri) { params.append("iri", iri); });
      fetch("/api/labels?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { labels: {} }; })
        .then(function (data) {
          links.forEach(function (a) {
            var label = data.labels[a.dataset.iri];
            if (label) a.textContent = label;
          });
        })
        .catch(function () { /* labels are a nicety: the IRIs stay */ });
    }
  };

  Editor.prototype.showGraph = function (text, elapsed, truncated, sent) {
    this.results.textContent = "";
    var triples = text.split("\n").filter(function (l) { return /\.\s*$/.test(l); }).length;
    this.summary(triples, "statement", elapsed, truncated);
    this.results.appendChild(el("pre", { "class": "turtle" }, text));
    this.setDownloads(sent, [["Turtle", "turtle", "ttl"], ["N-Triples", "ntriples", "nt"], ["JSON-LD", "jsonld", "jsonld"]]);
  };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("query-form");
    if (form) window.treatygraphEditor = new Editor(form);
  });
})();
