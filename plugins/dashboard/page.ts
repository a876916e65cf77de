/**
 * The dashboard's one page: no build step, uPlot from /assets, live through server-sent events.
 * The token (for the buttons) comes once from `?token=`, is kept in memory only, and is taken
 * out of the address bar at once.
 */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>zmart</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%230969da'/%3E%3Cpath d='M4 4h8L4 12h8' stroke='white' stroke-width='2' fill='none'/%3E%3C/svg%3E">
<link rel="stylesheet" href="/assets/uPlot.min.css">
<style>
  :root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #6e7781; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; padding: 16px 24px; }
  header { display: flex; gap: 16px; align-items: baseline; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  #live { color: var(--muted); }
  #services { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
  .card { border: 1px solid #d0d7de80; border-radius: 8px; padding: 12px; cursor: pointer; }
  .card.selected { outline: 2px solid #0969da; }
  .card h2 { font-size: 16px; margin: 0 0 6px; display: flex; justify-content: space-between; }
  .badge { font-size: 12px; padding: 1px 8px; border-radius: 10px; border: 1px solid currentColor; }
  .running { color: var(--ok); } .failed, .stopped { color: var(--bad); } .starting, .stopping, .backoff { color: var(--warn); }
  .healthy { color: var(--ok); } .unhealthy { color: var(--bad); } .slow { color: var(--warn); }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0 0 8px; }
  dt { color: var(--muted); } dd { margin: 0; }
  button { margin-right: 6px; }
  #detail { margin-top: 20px; }
  #charts { display: flex; flex-wrap: wrap; gap: 16px; }
  pre { background: #8881; padding: 8px; max-height: 320px; overflow: auto; font-size: 12px; }
  .note { color: var(--muted); }
</style>
</head>
<body>
<header><h1>zmart</h1><span id="live">connecting…</span><span id="auth" class="note"></span></header>
<div id="services"></div>
<section id="detail" hidden>
  <h2 id="detail-title"></h2>
  <div id="charts"></div>
  <p id="history-note" class="note"></p>
  <h3>Last log lines</h3>
  <pre id="logs"></pre>
</section>
<script src="/assets/uPlot.iife.min.js"></script>
<script>
(() => {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token) { params.delete('token'); history.replaceState(null, '', location.pathname + (params.size ? '?' + params : '')); }
  document.getElementById('auth').textContent = token ? '' : "no token: open the address zmart's log gives (zmart logs zmart | grep dashboard)";
  // every read carries the token: the fleet's data is not for every local user
  const read = (path) => fetch(path, { headers: token ? { authorization: 'Bearer ' + token } : {} });
  // a service's escape sequences shown as \\x1b, as a terminal pager shows them
  const shown = (line) => line.replace(/[\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f]/g, (c) => '\\\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  let selected = null;
  let fleet = { services: [] };
  let received = Date.now();
  const el = (tag, attrs = {}, text) => { const e = document.createElement(tag); Object.assign(e, attrs); if (text !== undefined) e.textContent = text; return e; };
  const duration = (ms) => { if (ms == null) return '-'; const s = Math.floor(ms / 1000); if (s < 60) return s + 's'; const m = Math.floor(s / 60); if (m < 60) return m + 'm ' + (s % 60) + 's'; const h = Math.floor(m / 60); return h < 24 ? h + 'h ' + (m % 60) + 'm' : Math.floor(h / 24) + 'd ' + (h % 24) + 'h'; };
  const mb = (b) => b == null ? '-' : (b / 1048576).toFixed(1) + ' MB';

  function card(s) {
    const c = el('div', { className: 'card' + (s.name === selected ? ' selected' : '') });
    c.dataset.service = s.name;
    const h = el('h2', {}, s.title);
    h.append(el('span', { className: 'badge state ' + s.state }, s.state));
    c.append(h);
    const dl = el('dl');
    const row = (k, v, cls) => { dl.append(el('dt', {}, k)); dl.append(el('dd', { className: cls || '' }, v)); };
    // probes failing below the threshold show before the service turns unhealthy, as in status
    const failing = s.probeFailures > 0 && s.health !== 'unhealthy' ? 'failing ' + s.probeFailures + '/' + (s.probeFailureThreshold ?? '?') : null;
    // running but its readiness not met yet (a ready check or line, readyAfter): not up, as in status
    const notReady = s.state === 'running' && !s.ready && (s.health == null || s.health === 'healthy');
    row('health', failing ? (s.health || 'unknown') + ', ' + failing : notReady ? 'not ready yet' : s.health || 'not probed', 'health ' + (failing || notReady ? 'slow' : s.health || ''));
    row('uptime', duration(s.uptimeMs == null ? null : s.uptimeMs + Date.now() - received), 'uptime');
    // as status says it: the last restart only when there was one
    const last = s.restarts > 0 && s.lastRestart ? ' (last: ' + s.lastRestart.kind + (s.lastRestart.detail ? ': ' + s.lastRestart.detail : '') + ')' : '';
    row('restarts', String(s.restarts) + last, 'restarts');
    row('response', s.responseTimeMs == null ? '-' : s.responseTimeMs + ' ms', 'response');
    row('memory', mb(s.rssBytes), 'memory');
    row('CPU', s.cpuPercent == null ? '-' : s.cpuPercent + ' %', 'cpu');
    c.append(dl);
    for (const action of ['restart', 'stop', 'start', 'hup']) {
      const b = el('button', { disabled: !token, title: token ? '' : 'needs the token' }, action);
      b.dataset.action = action;
      b.onclick = (e) => { e.stopPropagation(); act(s.name, action, b); };
      c.append(b);
    }
    c.onclick = () => select(s.name);
    return c;
  }

  function render() {
    document.getElementById('services').replaceChildren(...fleet.services.map(card));
  }

  async function act(service, action, button) {
    button.disabled = true;
    try {
      const r = await fetch('/api/services/' + encodeURIComponent(service) + '/' + action, { method: 'POST', headers: { authorization: 'Bearer ' + token } });
      if (!r.ok) alert(action + ' ' + service + ': ' + ((await r.json().catch(() => ({}))).error || r.status));
    } finally { button.disabled = false; }
  }

  const charts = [];
  async function select(name) {
    selected = name;
    render();
    document.getElementById('detail').hidden = false;
    document.getElementById('detail-title').textContent = name;
    const r = await read('/api/history?service=' + encodeURIComponent(name));
    const h = await r.json();
    for (const c of charts.splice(0)) c.destroy();
    const box = document.getElementById('charts');
    box.replaceChildren();
    document.getElementById('history-note').textContent = !h.recording ? 'No history: add the history plugin to record the last 24 hours.' : h.minutes.length === 0 ? 'Recording: a minute shows here once it has ended.' : '';
    const t = h.minutes.map((m) => m.t / 1000);
    // the axis covers the last 24 hours whatever the number of points (one point alone would span years)
    const now = Date.now() / 1000;
    const day = () => [now - 86400, now];
    // what the axis shows, readable without the canvas
    const shownRange = (u, key) => { if (key === 'x') Object.assign(u.root.dataset, { xMin: String(u.scales.x.min), xMax: String(u.scales.x.max) }); };
    const opts = (title, label) => ({ title, width: 520, height: 220, scales: { x: { time: true, range: day } }, hooks: { setScale: [shownRange] }, series: [{}, { label, stroke: '#0969da', spanGaps: false }] });
    charts.push(new uPlot(opts('Response time (p50 per minute), ms', 'ms'), [t, h.minutes.map((m) => m.p50Ms)], box));
    charts.push(new uPlot(opts('Memory (peak per minute), MB', 'MB'), [t, h.minutes.map((m) => m.rssPeakBytes == null ? null : m.rssPeakBytes / 1048576)], box));
    logs();
  }

  async function logs() {
    if (!selected) return;
    const r = await read('/api/logs?service=' + encodeURIComponent(selected) + '&lines=60');
    const pre = document.getElementById('logs');
    pre.textContent = (await r.json()).lines.map(shown).join('\\n');
    pre.scrollTop = pre.scrollHeight;
  }
  setInterval(logs, 2000);

  const events = new EventSource('/events' + (token ? '?token=' + encodeURIComponent(token) : ''));
  events.onopen = () => { document.getElementById('live').textContent = 'live'; };
  events.onerror = () => { document.getElementById('live').textContent = 'reconnecting…'; };
  events.addEventListener('fleet', (e) => { fleet = JSON.parse(e.data); received = Date.now(); render(); });
  // uptimes count on between updates
  setInterval(() => {
    for (const s of fleet.services) {
      const cell = document.querySelector('[data-service="' + CSS.escape(s.name) + '"] .uptime');
      if (cell) cell.textContent = duration(s.uptimeMs == null ? null : s.uptimeMs + Date.now() - received);
    }
  }, 1000);
})();
</script>
</body>
</html>
`;
