// Helpers the browser tests install into a JupyterLab / Notebook 7 page as `window.__distlab`.
// They read the notebook through `window.jupyterapp` (the server runs with
// expose_app_in_browser, as JupyterLab's own Galata tests do) and find widgets by their DOM
// classes: ipywidgets 8 sliders are `.widget-slider` with a noUiSlider `.noUi-handle`, buttons are
// `button.widget-button`, Output widgets are `.widget-output`, radio groups `.widget-radio-box`.
(() => {
  if (window.__distlab) return;
  const state = {idle: 0, lastIdle: 0, kernels: new Set(), callbackErrors: []};

  function panel() {
    const app = window.jupyterapp;
    if (!app) return null;
    const w = app.shell.currentWidget;
    return w && w.content && w.sessionContext ? w : null;
  }

  function kernel() {
    const p = panel();
    return p && p.sessionContext.session ? p.sessionContext.session.kernel : null;
  }

  // Count every time the kernel goes idle after handling a comm message (a widget event) or an
  // execute request: "the kernel has finished with what I just did" without any sleep.
  function listen() {
    const k = kernel();
    if (!k || state.kernels.has(k.id)) return;
    state.kernels.add(k.id);
    k.iopubMessage.connect((_k, msg) => {
      if (msg.header.msg_type === 'status' && msg.content.execution_state === 'idle') {
        state.idle += 1;
        state.lastIdle = performance.now();
      }
      // an exception in a widget callback never reaches a cell; the kernel reports it on iopub
      // with the widget event (a comm message) as its parent
      if (msg.header.msg_type === 'error' && msg.parent_header &&
          msg.parent_header.msg_type === 'comm_msg') {
        state.callbackErrors.push(`${msg.content.ename}: ${msg.content.evalue}`);
      }
    });
  }

  function kernelStatus() {
    const k = kernel();
    listen();
    return k ? k.status : 'none';
  }

  function settled(since, graceMs) {
    listen();
    return state.idle > since && performance.now() - state.lastIdle >= graceMs &&
      kernelStatus() === 'idle';
  }

  async function runAll() {
    listen();
    return await window.jupyterapp.commands.execute('notebook:run-all-cells');
  }

  function codeCells() {
    return panel().content.widgets.filter((c) => c.model.type === 'code');
  }

  function pending() {
    return codeCells().some((c) => (c.promptNode ? c.promptNode.textContent : '').includes('*'));
  }

  const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';
  const BROKEN_TEXT = /Error displaying widget|Failed to (load|render|display)|model not found/i;

  // One record per code cell: its execution count, error outputs, and for every widget output
  // whether the front end rendered it.
  function report() {
    return panel().content.widgets.map((cell, index) => {
      if (cell.model.type !== 'code') return {index, type: cell.model.type};
      const outputs = [];
      const children = cell.outputArea ? cell.outputArea.widgets : [];
      for (let i = 0; i < cell.model.outputs.length; i++) {
        const out = cell.model.outputs.get(i).toJSON();
        const node = children[i] ? children[i].node : null;
        const rec = {type: out.output_type};
        if (out.output_type === 'error') {
          rec.ename = out.ename;
          rec.evalue = out.evalue;
        }
        if (out.data && out.data[WIDGET_MIME]) {
          rec.widget = true;
          rec.rendered = !!(node && node.querySelector('.jupyter-widgets'));
          rec.broken = !!(node && BROKEN_TEXT.test(node.textContent || ''));
        }
        outputs.push(rec);
      }
      return {index, type: 'code', executionCount: cell.model.executionCount,
              source: cell.model.sharedModel.getSource().slice(0, 300), outputs};
    });
  }

  function visible(el) {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  }

  // What a learner reads: a button's caption, a slider's description label.
  function labelOf(el) {
    if (el.tagName === 'BUTTON') return (el.textContent || el.getAttribute('title') || '').trim();
    const label = el.querySelector(':scope > .widget-label');
    return ((label && label.textContent) || el.getAttribute('title') || '').trim();
  }

  // The plot a control drives: the images in Output widgets of the smallest box around the
  // control that has any, without leaving the control's notebook cell.
  function plotScope(el) {
    const cell = el.closest('.jp-Cell');
    for (let node = el.parentElement; node && node !== cell; node = node.parentElement) {
      if (node.querySelector('.widget-output img')) return node;
    }
    return null;
  }

  function isQuizButton(el) {
    const box = el.closest('.widget-vbox');
    return !!(box && box.querySelector(':scope > .widget-radio, :scope > .widget-checkbox, ' +
                                       ':scope > .widget-inline-hbox .widget-text, ' +
                                       ':scope > .widget-hbox .widget-text'))
      && /^check$/i.test(el.textContent.trim());
  }

  let nextId = 0;
  function tag(el, kind) {
    if (!el.dataset.distlabId) el.dataset.distlabId = `${kind}-${nextId++}`;
    return el.dataset.distlabId;
  }

  // Every visible control, tagged with a data-distlab-id the Python side can locate.
  function inventory() {
    const root = panel().content.node;
    const scopeId = (el) => { const s = plotScope(el); return s ? tag(s, 'scope') : null; };
    const sliders = [...root.querySelectorAll('.widget-slider')]
      .filter((el) => el.querySelector('.noUi-handle') && visible(el))
      .map((el) => ({id: tag(el, 'slider'), label: labelOf(el), scope: scopeId(el),
                     readout: (el.querySelector('.widget-readout') || {}).textContent || ''}));
    const buttons = [...root.querySelectorAll('button.widget-button')]
      .filter((el) => visible(el) && !el.closest('.widget-play'))
      .map((el) => ({id: tag(el, 'button'), label: labelOf(el), scope: scopeId(el),
                     disabled: el.disabled, quiz: isQuizButton(el)}));
    const outputs = [...root.querySelectorAll('.widget-output')].filter(visible)
      .map((el) => ({id: tag(el, 'output'), images: el.querySelectorAll('img').length}));
    const quizzes = [...root.querySelectorAll('.widget-radio-box')].filter(visible)
      .map((el) => {
        const box = el.closest('.widget-vbox');
        const check = box && [...box.querySelectorAll(':scope > button.widget-button')]
          .find((b) => /^check$/i.test(b.textContent.trim()));
        if (!check) return null;
        return {id: tag(box, 'question'), options: el.querySelectorAll('input').length,
                check: tag(check, 'check')};
      }).filter((q) => q);
    return {sliders, buttons, outputs, quizzes};
  }

  // What the plot looks like now: the PNG data URLs of every image in the scope's Outputs.
  function plotSignature(scope) {
    const node = document.querySelector(`[data-distlab-id="${scope}"]`);
    if (!node) return null;
    return [...node.querySelectorAll('.widget-output img')].map((img) => img.src).join('\n');
  }

  function feedback(question) {
    const box = document.querySelector(`[data-distlab-id="${question}"]`);
    const fb = box && box.querySelector('.distlab-feedback');
    const quiz = box && box.parentElement;
    const score = quiz ? [...quiz.querySelectorAll(':scope > .widget-html')]
      .map((h) => h.textContent).find((t) => /\d+ of \d+ correct/.test(t)) : null;
    return {verdict: fb ? fb.dataset.correct : null, text: fb ? fb.textContent : '',
            score: score || null};
  }

  // Evaluate a Python expression in the notebook's kernel; resolves to str(value).
  async function evalInKernel(expr) {
    const k = kernel();
    const code = `print(str(${expr}), end="")`;
    const future = k.requestExecute({code, silent: false, store_history: false});
    let text = '';
    let error = null;
    future.onIOPub = (msg) => {
      if (msg.header.msg_type === 'stream') text += msg.content.text;
      if (msg.header.msg_type === 'error') error = `${msg.content.ename}: ${msg.content.evalue}`;
    };
    await future.done;
    return {text, error};
  }

  window.__distlab = {state, panel, kernelStatus, settled, runAll, pending, report, inventory,
                      plotSignature, feedback, evalInKernel, idleCount: () => state.idle,
                      callbackErrors: () => state.callbackErrors.slice()};
})();
