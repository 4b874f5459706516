// The page: recomputes the graph with the generated KERNELS, shows it in the drawing and the
// panel, and offers window.autodiffPage for scripts and tests (docs/explore.md).
"use strict";
(function () {
  const NODES = GRAPH.nodes;
  const N = NODES.length;
  const ROOT = N - 1;
  const WALK = GRAPH.walk;
  const walkIndex = new Int32Array(N);
  WALK.forEach((node, k) => { walkIndex[node] = k; });
  const users = NODES.map(() => []);  // [consumer, operand position]
  NODES.forEach((node, i) => node.children.forEach((c, p) => users[c].push([i, p])));
  const byId = new Map(NODES.map((node, i) => [node.id, i]));
  const isLeaf = (i) => !NODES[i].kernel && NODES[i].children.length === 0;
  const editable = NODES.map((node, i) => isLeaf(i) && node.label !== "");

  const state = {
    leaves: Float64Array.from(NODES, (node) => node.data),  // the leaves' numbers
    data: Float64Array.from(NODES, (node) => node.data),
    grad: Float64Array.from(NODES, (node) => node.grad),
    dataOk: true, gradOk: true, error: null,
    // The walk: null, everything shown; -N..-1, the forward pass, N + walk values shown (in
    // topological order) and no gradient; 0..N-1, every value and the gradients of the
    // first `walk` nodes of the backward walk.
    walk: null,
    selected: null, changed: false,
    leafOr(i) { return isLeaf(i) ? this.leaves[i] : this.data[i]; },
  };

  // --- numbers ----------------------------------------------------------------------------
  function fmt(x) {  // Python's f"{x:.{digits}g}", without a minus sign on zero
    const digits = GRAPH.digits;
    if (x === 0) return "0";
    const [mantissa, exponentText] = x.toExponential(digits - 1).split("e");
    const exponent = Number(exponentText);
    const trim = (text) => (text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text);
    if (exponent < -4 || exponent >= digits) {
      const e = Math.abs(exponent);
      return trim(mantissa) + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" + e : e);
    }
    const text = trim(x.toFixed(Math.max(0, digits - 1 - exponent)));
    return text === "-0" ? "0" : text;
  }

  // --- the computation: forward, then the eager engine's backward walk ---------------------
  function operands(i, data) { return NODES[i].children.map((c) => data[c]); }

  function forward(data) {
    for (let i = 0; i < N; i++) {
      const node = NODES[i];
      if (!node.kernel) continue;
      const x = operands(i, data);
      const out = KERNELS[node.kernel].forward(x);
      if (!(out > -Infinity && out < Infinity)) throw overflowError(node.op, x);
      data[i] = out;
    }
  }

  function localPartials(i, data) {  // throws the engine's error where a partial fails
    const node = NODES[i];
    const x = operands(i, data);
    try {
      return KERNELS[node.kernel].partials(x, data[i]);
    } catch (error) {
      if (error instanceof FloatError) throw derivativeError(node.op, x, error);
      throw error;
    }
  }

  function backward(data, grad) {
    grad.fill(0.0);
    grad[ROOT] = 1.0;
    for (const i of WALK) {
      const node = NODES[i];
      const g = grad[i];
      if (!(g > -Infinity && g < Infinity)) {
        throw new EngineError("OverflowError",
          `backward: the gradient of ${node.repr[0]}${pyRepr(data[i])}${node.repr[1]} would be ` +
          `${pyRepr(g)}: a product of derivatives overflows a float`);
      }
      if (!node.kernel || g === 0) continue;
      const partials = localPartials(i, data);
      node.children.forEach((c, p) => { grad[c] += g * partials[p]; });
    }
  }

  function recompute() {
    const data = Float64Array.from(state.leaves);
    const grad = new Float64Array(N);
    state.error = null;
    try {
      forward(data);
      state.data = data;
      state.dataOk = true;
    } catch (error) {
      state.dataOk = state.gradOk = false;
      state.error = describe(error);
      return;
    }
    try {
      backward(data, grad);
      state.grad = grad;
      state.gradOk = true;
    } catch (error) {
      state.gradOk = false;
      state.error = describe(error);
    }
  }

  function describe(error) {
    if (error instanceof EngineError) return `${error.kind}: ${error.message}`;
    return `the page failed: ${error && error.message ? error.message : error}`;
  }

  // --- the drawing ------------------------------------------------------------------------
  const svgNodes = new Map();  // drawing name -> {group, data, grad}
  const operandEdges = new Map();  // k -> the edges into o<k>, in operand order
  const resultEdges = new Map();  // k -> the edge o<k> -> v<k>
  const edgeInfo = [];  // {group, tail, head, label}
  const drawingBox = document.getElementById("drawing");
  const firstDrawing = drawingBox.innerHTML;  // the drawing as made; GRAPH.opened has others
  let openModule = null;  // the collapsed module shown open, if any

  function bindDrawing() {  // find the nodes and edges of the drawing now shown
    svgNodes.clear(); operandEdges.clear(); resultEdges.clear(); edgeInfo.length = 0;
    for (const group of drawingBox.querySelectorAll("g.node")) {
      const name = group.querySelector("title").textContent.trim();
      const texts = [...group.querySelectorAll("text")];
      svgNodes.set(name, {
        group,
        data: texts.find((t) => t.textContent.startsWith("data ")),
        grad: texts.find((t) => t.textContent.startsWith("grad ")),
      });
      const i = byId.get(name);
      if (i !== undefined || name.startsWith("m") || name === "rest") {
        group.setAttribute("tabindex", "0");
        group.setAttribute("role", "button");
        const node = i !== undefined ? NODES[i] : null;
        group.setAttribute("aria-label", node ? `${node.name}: ${node.op ? "result of " + node.op : node.kind}` : "collapsed module");
      }
    }
    for (const group of drawingBox.querySelectorAll("g.edge")) {
      const [tail, head] = group.querySelector("title").textContent.trim().split("->");
      const edge = { group, tail, head, label: group.querySelector("text") };
      edgeInfo.push(edge);
      if (head.startsWith("o")) {
        const k = Number(head.slice(1));
        if (!operandEdges.has(k)) operandEdges.set(k, []);
        operandEdges.get(k).push(edge);
      } else if (tail.startsWith("o") && tail.slice(1) === head.slice(1)) {
        resultEdges.set(Number(head.slice(1)), edge);
      }
    }
  }
  bindDrawing();

  function showDrawing(module) {  // a module open (drawn when the page was made), or none
    const svg = module === null ? firstDrawing : GRAPH.opened[module];
    if (svg === undefined) return false;
    drawingBox.innerHTML = svg;
    openModule = module;
    bindDrawing();
    return true;
  }

  function shownGrad(i) { return state.walk === null || walkIndex[i] < state.walk; }
  function shownData(i) { return state.walk === null || state.walk >= 0 || i < N + state.walk; }
  function forwardPhase() { return state.walk !== null && state.walk < 0; }

  function renderDrawing() {
    NODES.forEach((node, i) => {
      const drawn = svgNodes.get(node.id);
      if (!drawn) return;
      const known = state.dataOk || isLeaf(i);  // a leaf's number is known whatever fails
      if (drawn.data) {
        const pending = !shownData(i);
        drawn.data.textContent = "data " + (pending ? "?" : known ? fmt(state.leafOr(i)) : "—");
        drawn.data.classList.toggle("pending", pending);
      }
      if (drawn.grad) {
        const pending = !shownGrad(i);
        drawn.grad.textContent = "grad " + (pending ? "?" : state.gradOk ? fmt(state.grad[i]) : "—");
        drawn.grad.classList.toggle("pending", pending);
      }
      drawn.group.classList.toggle("selected", state.selected === i);
      drawn.group.classList.toggle("current", currentNode() === i);
    });
    // Edge labels (small graphs): the local partials at the current values.
    for (const [k, edges] of operandEdges) {
      if (k >= N || edges.length !== NODES[k].children.length) continue;
      let partials = null;
      if (state.dataOk) {
        try { partials = localPartials(k, state.data); } catch (error) { partials = null; }
      }
      edges.forEach((edge, p) => {
        if (edge.label) edge.label.textContent = partials ? fmt(partials[p]) : state.dataOk ? "undefined" : "—";
      });
    }
    highlight();
  }

  function reaching(target) {  // the nodes from which a path leads down to target
    const reach = new Uint8Array(N);
    reach[target] = 1;
    for (let i = target + 1; i < N; i++) {
      if (NODES[i].children.some((c) => reach[c])) reach[i] = 1;
    }
    return reach;
  }

  function highlight() {
    for (const edge of edgeInfo) edge.group.classList.remove("path", "flow");
    if (state.selected !== null) {
      const reach = reaching(state.selected);
      for (const [k, edges] of operandEdges) {
        if (!reach[k]) continue;
        edges.forEach((edge) => {
          const c = byId.get(edge.tail);
          if (c !== undefined && reach[c]) edge.group.classList.add("path");
        });
        if (k !== state.selected && resultEdges.has(k)) resultEdges.get(k).group.classList.add("path");
      }
    }
    const current = currentNode();
    if (current !== null && forwardPhase()) {  // its value forms from its operands'
      (operandEdges.get(current) || []).forEach((edge) => edge.group.classList.add("flow"));
      if (resultEdges.has(current)) resultEdges.get(current).group.classList.add("flow");
    } else if (current !== null) {  // its gradient forms from its consumers'
      for (const [p] of users[current]) {
        (operandEdges.get(p) || []).forEach((edge) => {
          if (edge.tail === NODES[current].id) edge.group.classList.add("flow");
        });
        if (resultEdges.has(p)) resultEdges.get(p).group.classList.add("flow");
      }
    }
  }

  // --- the panel --------------------------------------------------------------------------
  function el(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, value);
    for (const child of children) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }
  const number = (x, ok = true) => el("span", { class: "num" }, ok ? fmt(x) : "—");
  function link(i) {
    const a = el("a", { class: "node-link", tabindex: "0", role: "button" }, NODES[i].name);
    a.addEventListener("click", () => select(i));
    a.addEventListener("keydown", (event) => { if (event.key === "Enter") select(i); });
    return a;
  }
  const rootName = NODES[ROOT].name;
  const d = (name) => (/^[\w.']+$/.test(name) ? name : `(${name})`);

  function renderPanel() {
    const panel = document.getElementById("panel");
    if (state.selected === null) return;
    const i = state.selected;
    const node = NODES[i];
    const parts = [el("h2", {}, node.name)];
    const facts = el("table", { class: "numbers" });
    const row = (key, value) => facts.append(el("tr", {}, el("th", {}, key), el("td", {}, value)));
    if (node.label && node.label !== node.name) row("label", node.label);
    row("operation", node.op || (node.kind === "constant" ? "a constant" : `a leaf (${node.kind})`));
    row("value", shownData(i) ? number(state.leafOr(i), state.dataOk || isLeaf(i)) : el("span", { class: "note" }, "not yet: step the forward pass"));
    const gradShown = shownGrad(i);
    row(`∂${d(rootName)}/∂${d(node.name)}`, gradShown ? number(state.grad[i], state.gradOk) : el("span", { class: "note" }, "not yet: step the walk"));
    parts.push(facts);
    if (node.kernel) {
      parts.push(el("h3", {}, "Local partials"));
      let partials = null, failure = "";
      if (state.dataOk) {
        try { partials = localPartials(i, state.data); } catch (error) { failure = describe(error); }
      }
      const table = el("table", { class: "numbers" });
      node.partials.forEach((partial, p) => {
        table.append(el("tr", {},
          el("td", { class: "math" }, partial.symbol), el("td", { class: "math" }, "= " + partial.formula),
          el("td", {}, "= ", partials ? number(partials[p]) : "—")));
      });
      parts.push(table);
      if (failure) parts.push(el("p", { class: "note" }, failure));
    }
    if (i !== ROOT) parts.push(...chainRule(i));
    const ledger = GRAPH.ledgers[node.id];
    if (ledger) {
      parts.push(el("h3", {}, "The engine's ledger"));
      if (state.changed) {
        parts.push(el("p", { class: "note" }, "The inputs changed since the page was made: the ledger below is at the values the page was made with."));
      }
      parts.push(el("pre", { class: "ledger", "aria-label": "chain-rule ledger" }, ledger));
    }
    panel.replaceChildren(...parts);
  }

  function chainRule(i) {
    const out = [el("h3", {}, "The chain rule: its gradient from its consumers'")];
    const table = el("table", { class: "numbers" });
    let ok = state.dataOk && state.gradOk;
    for (const [p, position] of users[i]) {
      let partial = null;
      if (ok) { try { partial = localPartials(p, state.data)[position]; } catch (error) { partial = null; } }
      const shown = shownGrad(p);
      table.append(el("tr", {},
        el("td", { class: "math" }, `∂${d(rootName)}/∂${d(NODES[p].name)} · ${NODES[p].partials[position].symbol}`),
        el("td", {}, "= ", shown && ok ? number(state.grad[p]) : "?", " × ", partial !== null ? number(partial) : "—"),
        el("td", {}, "from ", link(p))));
    }
    out.push(table);
    // The paths from the output down to the node, when they are few.
    const count = new Float64Array(N);
    count[i] = 1;
    for (let k = i + 1; k < N; k++) for (const c of NODES[k].children) count[k] += count[c];
    const total = count[ROOT];
    out.push(el("p", { class: "note" }, `${total} path${total === 1 ? "" : "s"} from ${rootName} down to ${NODES[i].name} (red in the drawing); the gradient is the sum over them of the products of the local partials.`));
    if (total <= 12 && ok) {
      const list = el("ol", {});
      const walkDown = (k, symbols, product) => {
        if (k === i) {
          list.append(el("li", {}, el("span", { class: "math" }, symbols.join(" · ") || "1"), " = ", number(product)));
          return;
        }
        let partials;
        try { partials = localPartials(k, state.data); } catch (error) { return; }
        NODES[k].children.forEach((c, p) => {
          if (count[c] > 0) walkDown(c, [...symbols, NODES[k].partials[p].symbol], product * partials[p]);
        });
      };
      walkDown(ROOT, [], 1.0);
      out.push(list);
    }
    return out;
  }

  function showSummary(group) {  // a collapsed module: drawn open, and its named nodes
    const title = [...group.querySelectorAll("text")].map((t) => t.textContent)[0] || "";
    const shown = title.replace(/ \(\d+ nodes\)$/, "");
    const path = GRAPH.modules[shown] || shown;
    const members = NODES.map((_, i) => i).filter((i) => NODES[i].label.startsWith(path + "."));
    const opened = showDrawing(path);
    state.selected = null;
    render();
    const list = el("ul", {});
    for (const i of members) {
      list.append(el("li", {}, link(i), " = ", number(state.leafOr(i), state.dataOk || isLeaf(i)),
        ", ∂/∂ = ", shownGrad(i) ? number(state.grad[i], state.gradOk) : "?"));
    }
    const collapse = el("button", { type: "button", id: "collapse" }, "Collapse it again");
    collapse.addEventListener("click", () => { showDrawing(null); render(); collapse.remove(); });
    document.getElementById("panel").replaceChildren(
      el("h2", {}, shown),
      opened
        ? el("p", { class: "note" }, `${title}: drawn open now. Its named nodes are below (click one for its chain rule).`)
        : el("p", { class: "note" }, `${title}: collapsed in the drawing (too many modules to draw each open in the page). Its named nodes are below (click one for its chain rule); explore(root, expand=[${JSON.stringify(path)}]) draws it open.`),
      ...(opened ? [collapse] : []),
      members.length ? list : el("p", { class: "note" }, "It has no named nodes."));
  }

  // --- the inputs -------------------------------------------------------------------------
  const inputs = new Map();  // node -> its number box
  function buildLeaves() {
    const list = document.getElementById("leaves");
    const leaves = NODES.map((_, i) => i).filter((i) => editable[i]);
    const sliders = leaves.length <= 16;
    for (const i of leaves) {
      const node = NODES[i];
      const box = el("input", { type: "number", step: "any", value: String(node.data), "aria-label": `value of ${node.label}`, id: `input-${node.id}` });
      const name = el("label", { for: `input-${node.id}` }, node.label);
      name.addEventListener("click", () => select(i));
      const item = el("li", { "data-name": node.label.toLowerCase() }, name, box);
      let slider = null;
      if (sliders) {
        const span = Math.max(1, Math.abs(node.data)) * 2;
        slider = el("input", { type: "range", min: String(node.data - span), max: String(node.data + span), step: String(span / 500), value: String(node.data), "aria-label": `slider for ${node.label}` });
        slider.addEventListener("input", () => { box.value = slider.value; change(i, Number(slider.value)); });
        item.append(slider);
      }
      box.addEventListener("input", () => {
        const value = box.value.trim() === "" ? NaN : Number(box.value);
        if (!Number.isFinite(value)) {
          showMessage(`${node.label}: ${JSON.stringify(box.value)} is not a finite number`);
          return;
        }
        if (slider) slider.value = String(value);
        change(i, value);
      });
      if (!GRAPH.live) { box.disabled = true; if (slider) slider.disabled = true; }
      inputs.set(i, box);
      list.append(item);
    }
    if (leaves.length === 0) list.append(el("li", { class: "note" }, "No named leaves to change."));
  }

  function change(i, value) {
    state.leaves[i] = value;
    state.changed = state.leaves.some((x, k) => x !== NODES[k].data);
    recompute();
    render();
  }

  document.getElementById("search").addEventListener("input", (event) => {
    const query = event.target.value.trim().toLowerCase();
    for (const item of document.querySelectorAll("#leaves li[data-name]")) {
      item.hidden = query !== "" && !item.dataset.name.includes(query);
    }
  });
  document.getElementById("search").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    const query = event.target.value.trim().toLowerCase();
    const found = NODES.findIndex((node) => node.label.toLowerCase() === query)
      ?? -1;
    const match = found >= 0 ? found : NODES.findIndex((node) => node.label.toLowerCase().includes(query) && query);
    if (match >= 0) select(match);
  });

  // --- messages, the walk, the whole ------------------------------------------------------
  function showMessage(text) {
    const box = document.getElementById("message");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function liveMessage() {
    return `Live recomputation is off: the primitive${GRAPH.missing.length > 1 ? "s" : ""} ` +
      `${GRAPH.missing.map((m) => JSON.stringify(m)).join(", ")} ${GRAPH.missing.length > 1 ? "have" : "has"} no JavaScript kernel ` +
      "(Kernel.js in autodiff/primitives.py). The numbers shown are the engine's, from when the page was made.";
  }

  function currentNode() {
    if (state.walk === null || state.walk === -N) return null;
    return state.walk > 0 ? WALK[state.walk - 1] : N + state.walk - 1;
  }

  function render() {
    renderDrawing();
    const status = document.getElementById("walk-status");
    status.textContent = state.walk === null
      ? "every gradient shown"
      : state.walk === -N ? `forward pass: no value yet (${N} nodes)`
      : state.walk < 0 ? `forward pass: ${N + state.walk} of ${N} values, now ${NODES[currentNode()].name}`
      : state.walk === 0 ? `backward walk: no gradient yet (${N} nodes)`
      : `backward walk: ${state.walk} of ${N}, now ${NODES[currentNode()].name}`;
    showMessage(state.error || (GRAPH.live ? "" : liveMessage()));
    renderPanel();
  }

  function select(target) {
    let i = target;
    if (typeof target === "string") {
      i = byId.has(target) ? byId.get(target) : NODES.findIndex((node) => node.label === target);
    }
    if (!Number.isInteger(i) || i < 0 || i >= N) throw new Error(`select: no node ${JSON.stringify(target)}`);
    state.selected = i;
    render();
    const drawn = svgNodes.get(NODES[i].id);
    if (drawn && drawn.group.scrollIntoView) drawn.group.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function moveWalk(position) {
    state.walk = position >= N ? null : Math.max(-N, position);
    const current = currentNode();
    if (current !== null) state.selected = current;
    render();
  }
  const step = () => moveWalk(state.walk === null ? 1 : state.walk + 1);
  const back = () => moveWalk(state.walk === null ? N - 1 : state.walk - 1);
  const reset = () => moveWalk(0);
  const resetForward = () => moveWalk(-N);
  const finish = () => moveWalk(N);

  document.getElementById("step").addEventListener("click", step);
  document.getElementById("back").addEventListener("click", back);
  document.getElementById("reset").addEventListener("click", reset);
  document.getElementById("forward").addEventListener("click", resetForward);
  document.getElementById("finish").addEventListener("click", finish);
  document.getElementById("drawing").addEventListener("click", (event) => {
    const group = event.target.closest("g.node");
    if (!group) return;
    const name = group.querySelector("title").textContent.trim();
    if (byId.has(name)) select(byId.get(name));
    else if (name.startsWith("m") || name === "rest") showSummary(group);
    else if (name.startsWith("o") && byId.has("v" + name.slice(1))) select(byId.get("v" + name.slice(1)));
  });
  document.getElementById("drawing").addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.target.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      event.preventDefault();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest && event.target.closest("input")) return;
    const actions = { ArrowRight: step, ArrowLeft: back, Home: reset, End: finish, PageUp: resetForward };
    if (actions[event.key]) { actions[event.key](); event.preventDefault(); }
  });

  const fitButton = document.getElementById("fit");
  function fit(on) {
    document.getElementById("drawing").classList.toggle("fit", on);
    fitButton.setAttribute("aria-pressed", String(on));
  }
  fitButton.addEventListener("click", () => fit(fitButton.getAttribute("aria-pressed") !== "true"));
  fit(N <= 60);

  buildLeaves();
  if (GRAPH.live) recompute();
  render();

  window.autodiffPage = {
    /** Every node in topological order: {id, label, op, data, grad, shown}. data and grad
     * are null where the engine would have raised (error() says why). */
    nodes: () => NODES.map((node, i) => ({
      id: node.id, label: node.label, op: node.op,
      data: state.dataOk || isLeaf(i) ? state.leafOr(i) : null,
      grad: state.gradOk ? state.grad[i] : null,
      shown: shownGrad(i),
      valueShown: shownData(i),
    })),
    setLeaf(label, value) {
      if (!GRAPH.live) throw new Error(liveMessage());
      const i = NODES.findIndex((node, k) => editable[k] && node.label === label);
      if (i < 0) throw new Error(`setLeaf: no input named ${JSON.stringify(label)}`);
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new Error(`setLeaf: Value data must be finite, got ${value}`);
      }
      inputs.get(i).value = String(value);
      change(i, value);
    },
    step, back, reset, resetForward, finish, select,
    walk: () => ({
      position: state.walk,
      phase: state.walk === null ? "done" : state.walk < 0 ? "forward" : "backward",
      current: currentNode() === null ? null : NODES[currentNode()].id,
      order: WALK.map((k) => NODES[k].id),
    }),
    selected: () => (state.selected === null ? null : NODES[state.selected].id),
    /** The collapsed module shown open (its path), or null; open(path) / open(null). */
    openModule: () => openModule,
    open(path) {
      if (path !== null && !(path in GRAPH.opened)) throw new Error(`open: no collapsed module ${JSON.stringify(path)} with a drawing of its own`);
      showDrawing(path);
      render();
    },
    error: () => state.error,
    live: GRAPH.live,
  };
})();
