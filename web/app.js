// assay web page: the runs list and a run's page, from assay's own API, live over its SSE stream.
// Plain browser JavaScript (no build step); every value is inserted as text, never as HTML.
'use strict';

(() => {
  const TOKEN_KEY = 'assay-token';
  const PHASES = ['Running', 'Pending', 'Successful', 'Failed', 'Error', 'Inconclusive'];
  const COLORS = { line: '#1f5fbf', Failed: '#c62828', Inconclusive: '#b26a00', Error: '#7b1fa2', success: '#1e7b34', failure: '#c62828' };
  const main = document.getElementById('main');
  const live = document.getElementById('live');
  // For tests and the curious: the uPlot instance of each metric's plot.
  window.assayPlots = {};
  let updates = 0;

  class AuthError extends Error {}

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }
  function authHeaders() {
    return token() ? { Authorization: `Bearer ${token()}` } : {};
  }

  /** Build an element: h('a', {href: '/x', class: 'c'}, 'text', child). Strings become text nodes. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
    return el;
  }

  function phaseBadge(phase) {
    const p = phase || 'Pending';
    return h('span', { class: `phase phase-${p}` }, p);
  }

  async function api(path) {
    const res = await fetch(path, { headers: authHeaders() });
    if (res.status === 401) {
      showLogin(token() ? 'That token was refused.' : '');
      throw new AuthError();
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((body.error && body.error.message) || `HTTP ${res.status}`);
    return body;
  }

  function showLogin(message) {
    const form = document.getElementById('login');
    form.hidden = false;
    main.hidden = true;
    document.getElementById('login-error').textContent = message || '';
    document.getElementById('token').focus();
  }

  function setLive(on) {
    live.dataset.live = on ? '1' : '0';
    live.textContent = on ? 'live' : 'reconnecting…';
  }

  /** Server-Sent Events over fetch, so the bearer token goes in a header (EventSource cannot send one). */
  async function stream(path, onEvent) {
    for (;;) {
      try {
        const res = await fetch(path, { headers: { ...authHeaders(), Accept: 'text/event-stream' } });
        if (res.status === 401) return showLogin('');
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        setLive(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const chunk = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            let data = '';
            for (const line of chunk.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data) onEvent(event, JSON.parse(data));
          }
        }
      } catch (err) {
        if (err instanceof AuthError) return;
      }
      setLive(false);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  // ---- runs list -------------------------------------------------------------------------------

  function runsPage() {
    document.title = 'Runs · assay';
    const params = new URLSearchParams(location.search);
    const filter = h('input', { id: 'filter', type: 'search', placeholder: 'namespace, name or message', value: params.get('q') || '' });
    const phase = h('select', { id: 'phase-filter' }, h('option', { value: '' }, 'all'), PHASES.map((p) => h('option', { value: p }, p)));
    phase.value = params.get('phase') || '';
    const tbody = h('tbody');
    const count = h('p', { class: 'message', id: 'count', 'aria-live': 'polite' });
    main.replaceChildren(
      h('h1', {}, 'Analysis runs'),
      h('div', { class: 'filters', role: 'search' }, h('label', {}, 'Filter', filter), h('label', {}, 'Phase', phase)),
      count,
      h(
        'table',
        { id: 'runs' },
        h('caption', { class: 'skip' }, 'Analysis runs'),
        h('thead', {}, h('tr', {}, ['Namespace', 'Name', 'Phase', 'Started', 'Message'].map((t) => h('th', { scope: 'col' }, t)))),
        tbody,
      ),
    );
    const runs = new Map();

    function render() {
      const q = filter.value.trim().toLowerCase();
      const p = phase.value;
      const rows = [...runs.values()]
        .filter((r) => !p || (r.phase || 'Pending') === p)
        .filter((r) => !q || `${r.namespace}/${r.name} ${r.message}`.toLowerCase().includes(q))
        .sort((a, b) => (b.startedAt || '').localeCompare(a.startedAt || '') || a.name.localeCompare(b.name));
      tbody.replaceChildren(
        ...rows.map((r) =>
          h(
            'tr',
            { dataset: { key: `${r.namespace}/${r.name}`, phase: r.phase || 'Pending' } },
            h('td', {}, r.namespace),
            h('td', {}, h('a', { href: `/ui/runs/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}` }, r.name)),
            h('td', {}, phaseBadge(r.phase)),
            h('td', { class: 'num' }, r.startedAt ? new Date(r.startedAt).toLocaleString() : '—'),
            h('td', { class: 'message' }, r.message),
          ),
        ),
      );
      count.textContent = `${rows.length} of ${runs.size} runs`;
      const next = new URLSearchParams();
      if (filter.value) next.set('q', filter.value);
      if (p) next.set('phase', p);
      history.replaceState(null, '', `/ui${next.toString() ? `?${next}` : ''}`);
      document.body.dataset.updates = String(updates);
    }
    filter.addEventListener('input', render);
    phase.addEventListener('change', render);

    const load = async () => {
      const { items } = await api('/api/v1/runs');
      runs.clear();
      for (const r of items) runs.set(`${r.namespace}/${r.name}`, r);
      render();
    };
    load()
      .then(() =>
        stream('/api/v1/events', (event, data) => {
          if (event === 'status') {
            const [namespace, ...rest] = data.key.split('/');
            const s = data.status || {};
            runs.set(data.key, { namespace, name: rest.join('/'), phase: data.phase, message: data.message, startedAt: s.startedAt || null });
          } else if (event === 'deleted') runs.delete(data.key);
          else return;
          updates++;
          render();
        }),
      )
      .catch(showError);
  }

  // ---- one run ---------------------------------------------------------------------------------

  /** The number a measurement's value shows: `0.82` or a one-element list `[0.82]`. */
  function numeric(value) {
    if (value === undefined || value === null) return null;
    const m = /^\[([^,\]]*)\]$/.exec(String(value).trim());
    const text = (m ? m[1] : String(value)).trim();
    if (text === '') return null;
    const n = Number(text);
    return Number.isFinite(n) ? n : null;
  }

  function seconds(t) {
    return t ? Date.parse(t) / 1000 : null;
  }

  /** Points of one metric from its measurements in status (newest last), with the trace matched. */
  function pointsOf(result, traces) {
    const out = [];
    let lastValue = null;
    for (const m of (result && result.measurements) || []) {
      if (!m.finishedAt) continue;
      const trace = traces.find((t) => t.startedAt === m.startedAt && t.finishedAt === m.finishedAt);
      const v = numeric(m.value);
      if (v !== null) lastValue = v;
      out.push({ t: seconds(m.finishedAt), value: v, phase: m.phase, display: m.value, message: m.message, trace, markAt: v !== null ? v : lastValue });
    }
    return out;
  }

  function plotData(points, thresholds) {
    const xs = points.map((p) => p.t);
    const data = [xs, points.map((p) => p.value)];
    for (const phase of ['Failed', 'Inconclusive', 'Error']) data.push(points.map((p) => (p.phase === phase ? (p.markAt !== null ? p.markAt : 0) : null)));
    for (const th of thresholds) data.push(points.map(() => th.value));
    return data;
  }

  function drawPlot(container, name, points, thresholds) {
    const data = plotData(points, thresholds);
    const width = Math.max(320, container.clientWidth || 800);
    const existing = window.assayPlots[name];
    if (existing && existing.series.length === data.length) {
      existing.setData(data);
      return existing;
    }
    if (existing) existing.destroy();
    const mark = (label, color) => ({ label, stroke: color, width: 0, points: { show: true, size: 10, fill: color, stroke: color } });
    const series = [
      {},
      { label: name, stroke: COLORS.line, width: 2, spanGaps: true, points: { show: true, size: 5 } },
      mark('Failed', COLORS.Failed),
      mark('Inconclusive', COLORS.Inconclusive),
      mark('Error (at the last value)', COLORS.Error),
      ...thresholds.map((t) => ({
        label: `${t.kind === 'successCondition' ? 'success' : 'failure'}: ${t.expression}`,
        stroke: t.kind === 'successCondition' ? COLORS.success : COLORS.failure,
        dash: [6, 4],
        width: 1.5,
        points: { show: false },
      })),
    ];
    const plot = new uPlot({ width, height: 240, series, scales: { x: { time: true } }, axes: [{}, { size: 60 }] }, data, container);
    window.assayPlots[name] = plot;
    return plot;
  }

  function measurementRows(points) {
    return points
      .slice()
      .reverse()
      .map((p) => {
        const t = p.trace;
        const details = [];
        if (t && t.conditions && t.conditions.length) details.push(h('pre', {}, t.conditions.map((c) => `${c.kind} ${c.expression} → ${c.outcome}${c.error ? `: ${c.error}` : ''}`).join('\n')));
        if (t && t.raw !== undefined) details.push(h('pre', {}, `raw value: ${t.raw}`));
        if (t && t.request) details.push(h('pre', {}, Object.entries(t.request).map(([k, v]) => `${k}: ${v}`).join('\n')));
        return h(
          'tr',
          { dataset: { phase: p.phase } },
          h('td', { class: 'num' }, new Date(p.t * 1000).toLocaleTimeString()),
          h('td', {}, phaseBadge(p.phase)),
          h('td', { class: 'num' }, p.display !== undefined ? p.display : '—'),
          h(
            'td',
            {},
            h('div', { class: 'why' }, t ? t.why : p.message || ''),
            details.length ? h('details', {}, h('summary', {}, 'conditions, raw value, request'), details) : null,
          ),
        );
      });
  }

  function runPage(namespace, name) {
    const key = `${namespace}/${name}`;
    document.title = `${name} · assay`;
    const head = h('div');
    const body = h('div');
    main.replaceChildren(h('p', {}, h('a', { href: '/ui' }, '← all runs')), head, body);
    const sections = new Map();

    async function refresh() {
      const [run, trace] = await Promise.all([api(`/api/v1/runs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`), api(`/api/v1/runs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/trace`)]);
      const status = run.status || {};
      head.replaceChildren(
        h('h1', {}, `${key} `, phaseBadge(status.phase)),
        status.message ? h('p', { class: 'message', id: 'argo-message' }, status.message) : null,
        trace.reasons.length && status.phase && status.phase !== 'Running'
          ? h('section', { class: 'reasons', 'aria-label': 'Why', dataset: { phase: status.phase } }, h('ul', { id: 'reasons' }, trace.reasons.map((r) => h('li', {}, r))))
          : null,
      );
      for (const metric of run.spec.metrics || []) {
        const result = (status.metricResults || []).find((r) => r.name === metric.name);
        const decision = trace.decisions.find((d) => d.metric === metric.name);
        const thresholds = trace.thresholds[metric.name] || [];
        const points = pointsOf(result, trace.metrics[metric.name] || []);
        let s = sections.get(metric.name);
        if (!s) {
          const plot = h('figure', { class: 'plot', role: 'img', dataset: { metric: metric.name } });
          const tbody = h('tbody');
          const header = h('header');
          const el = h(
            'section',
            { class: 'metric', 'aria-label': `metric ${metric.name}` },
            header,
            plot,
            h('p', { class: 'legend-note' }, 'Marked points: Failed (red), Inconclusive (orange), Error (purple, drawn at the last value). Dashed lines: thresholds of simple conditions.'),
            h('table', {}, h('thead', {}, h('tr', {}, ['Time', 'Phase', 'Value', 'Why'].map((t) => h('th', { scope: 'col' }, t)))), tbody),
          );
          body.append(el);
          s = { plot, tbody, header };
          sections.set(metric.name, s);
        }
        s.header.replaceChildren(h('h2', {}, metric.name), phaseBadge(result && result.phase), h('span', { class: 'decision' }, decision ? decision.reason : ''));
        s.plot.dataset.points = JSON.stringify(points.map((p) => ({ t: p.t, value: p.value, phase: p.phase })));
        s.plot.dataset.thresholds = JSON.stringify(thresholds.map((t) => t.value));
        const last = points.length ? points[points.length - 1] : null;
        s.plot.setAttribute('aria-label', `${metric.name}: ${points.length} measurements${last ? `, last ${last.display}` : ''}${thresholds.length ? `, thresholds ${thresholds.map((t) => `${t.op} ${t.value}`).join(', ')}` : ''}`);
        if (points.length) drawPlot(s.plot, metric.name, points, thresholds);
        s.tbody.replaceChildren(...measurementRows(points));
      }
      document.body.dataset.phase = status.phase || '';
      document.body.dataset.updates = String(updates);
    }

    let pending = false;
    let again = false;
    const update = () => {
      if (pending) return void (again = true);
      pending = true;
      refresh()
        .catch(showError)
        .finally(() => {
          pending = false;
          if (again) {
            again = false;
            update();
          }
        });
    };
    refresh()
      .then(() =>
        stream(`/api/v1/runs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/events`, (event) => {
          if (event !== 'status') return;
          updates++;
          update();
        }),
      )
      .catch(showError);
    window.addEventListener('resize', () => {
      for (const [metric, plot] of Object.entries(window.assayPlots)) {
        const fig = document.querySelector(`figure[data-metric="${CSS.escape(metric)}"]`);
        if (fig) plot.setSize({ width: Math.max(320, fig.clientWidth), height: 240 });
      }
    });
  }

  function showError(err) {
    if (err instanceof AuthError) return;
    main.append(h('p', { class: 'error', role: 'alert' }, String(err && err.message ? err.message : err)));
  }

  function route() {
    main.hidden = false;
    document.getElementById('login').hidden = true;
    document.getElementById('signout').hidden = !token();
    const m = /^\/ui\/runs\/([^/]+)\/([^/]+)\/?$/.exec(location.pathname);
    if (m) runPage(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    else runsPage();
  }

  document.getElementById('login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
    // A fresh start: the streams opened before had no token.
    location.reload();
  });
  document.getElementById('signout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  route();
})();
