/* History page: this browser's past sessions, their summaries and coping cards, and a mood plot. */
'use strict';
(function () {
  const A = window.Attune;
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs, text) {
    const n = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function moodPlot(sessions) {
    // sessions: oldest first, only those with at least one rating
    const W = 640, H = 276, L = 44, R = 40, T = 16, B = 56;
    const n = sessions.length;
    const x = (i) => L + (n === 1 ? (W - L - R) / 2 : i * (W - L - R) / (n - 1));
    const y = (v) => T + (10 - v) * (H - T - B) / 10;
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'mood-svg-title mood-svg-desc', class: 'mood-svg' });
    root.append(svg('title', { id: 'mood-svg-title' }, 'Mood ratings across sessions'));
    const last = sessions[n - 1];
    root.append(svg('desc', { id: 'mood-svg-desc' },
      `${n} session${n === 1 ? '' : 's'}; latest: start ${last.mood_open ?? 'not rated'}, end ${last.mood_close ?? 'not rated'} out of 10.`));
    for (const v of [0, 2, 4, 6, 8, 10]) {
      root.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }));
      root.append(svg('text', { x: L - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, String(v)));
    }
    sessions.forEach((s, i) => {
      const d = new Date((s.started_at || 0) * 1000);
      root.append(svg('text', { x: x(i), y: H - B + 20, 'text-anchor': 'middle', class: 'axis' },
        d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })));
    });
    for (const [key, cls, label] of [['mood_open', 'series-open', 'start'], ['mood_close', 'series-close', 'end']]) {
      const pts = sessions.map((s, i) => [i, s[key]]).filter(([, v]) => typeof v === 'number');
      if (pts.length > 1) {
        root.append(svg('polyline', { points: pts.map(([i, v]) => `${x(i)},${y(v)}`).join(' '), class: cls + ' line' }));
      }
      for (const [i, v] of pts) {
        const c = svg('circle', { cx: x(i), cy: y(v), r: 5, class: cls + ' dot' });
        c.append(svg('title', {}, `Session ${i + 1}, ${label}: ${v}/10`));
        root.append(c);
      }
    }
    const legend = svg('g', { class: 'legend', transform: `translate(${L + 8}, ${H - 6})` });
    legend.append(svg('circle', { cx: 0, cy: -4, r: 5, class: 'series-open dot' }));
    legend.append(svg('text', { x: 10, y: 0, class: 'axis' }, 'start of session'));
    legend.append(svg('circle', { cx: 140, cy: -4, r: 5, class: 'series-close dot' }));
    legend.append(svg('text', { x: 150, y: 0, class: 'axis' }, 'end of session'));
    root.append(legend);
    return root;
  }

  function sessionItem(s) {
    const li = A.el('li', { className: 'session', 'data-testid': 'session' });
    const when = A.formatDate(s.started_at);
    const dur = s.ended_at && s.started_at ? ' · ' + Math.max(1, Math.round((s.ended_at - s.started_at) / 60)) + ' min' : '';
    li.append(A.el('h3', {}, when + dur));
    const facts = A.el('p', { className: 'facts' });
    facts.append(A.modalityLabel(s.modality));
    if (typeof s.mood_open === 'number' || typeof s.mood_close === 'number') {
      facts.append(' · mood ' + (s.mood_open ?? '–') + ' → ' + (s.mood_close ?? '–') + ' / 10');
    }
    if (s.status && s.status !== 'completed') facts.append(' · ' + s.status);
    li.append(facts);
    li.append(A.el('p', { className: 'summary' }, s.summary || 'No summary was made for this session.'));
    const card = s.card_text || A.cardText(s.card);
    if (card) {
      const details = A.el('details', { className: 'coping' });
      details.append(A.el('summary', {}, 'Coping card'), A.el('pre', { className: 'coping-text' }, card));
      const btn = A.el('button', { type: 'button' }, 'Download as a text file');
      btn.addEventListener('click', () => A.downloadText('attune-coping-card.txt', 'My coping card (Attune, ' + when + ')\n\n' + card + '\n'));
      details.append(btn);
      li.append(details);
    }
    return li;
  }

  async function load() {
    const status = $('history-status');
    const r = await A.getJSON('/api/sessions');
    if (!r.ok) { status.textContent = (r.body && r.body.error) || 'Could not load your sessions.'; return; }
    const sessions = r.body.sessions || [];
    if (!sessions.length) {
      status.replaceChildren('No sessions yet. ', A.el('a', { href: '/' }, 'Start your first call'), '.');
      return;
    }
    status.textContent = sessions.length === 1 ? '1 session.' : sessions.length + ' sessions.';
    const list = $('sessions');
    for (const s of sessions) list.append(sessionItem(s));
    const rated = sessions.slice().reverse().filter((s) => typeof s.mood_open === 'number' || typeof s.mood_close === 'number');
    if (rated.length) {
      $('mood').hidden = false;
      $('mood-plot').append(moodPlot(rated));
      const body = $('mood-table').querySelector('tbody');
      rated.forEach((s) => body.append(A.el('tr', {}, A.el('td', {}, A.formatDate(s.started_at)),
        A.el('td', {}, s.mood_open ?? '–'), A.el('td', {}, s.mood_close ?? '–'))));
    }
  }

  load().catch((e) => { console.error(e); $('history-status').textContent = 'Could not load your sessions.'; });
})();
