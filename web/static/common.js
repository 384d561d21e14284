/* Shared helpers for Attune's pages. No framework, no network beyond this server. */
'use strict';
(function () {
  const MODALITIES = {
    cbt: 'Thoughts and feelings (CBT)',
    gestalt: 'Body awareness (gestalt)',
    express: 'Quick support',
    efit: 'Relationships (emotion-focused)',
    sfbt: 'Solutions (solution-focused)',
  };
  const PHASES = {
    opening: 'Opening', working: 'Working together', closing: 'Closing', ended: 'Ended',
  };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'className') node.className = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function telHref(number) {  // "112 or 999" → tel:112 ; "116 123" → tel:116123
    const first = String(number || '').split(/\s+or\s+|[,/;]/i)[0];
    const digits = first.replace(/[^0-9+]/g, '');
    return digits ? 'tel:' + digits : null;
  }

  function readableNumber(text) {  // protocol text is written for the voice: "9 1 1" → "911"
    return String(text || '').replace(/(\d) (?=\d)/g, '$1');
  }

  function fillResources(list, resources) {
    list.replaceChildren();
    for (const r of resources || []) {
      const li = el('li');
      li.append(el('span', { className: 'res-name' }, r.name || ''));
      if (r.number) {
        const href = telHref(r.number);
        li.append(' — ', href ? el('a', { href, className: 'res-number' }, r.number) : r.number);
      }
      if (r.text) li.append(el('span', { className: 'res-text' }, ' (' + readableNumber(r.text) + ')'));
      list.append(li);
    }
  }

  async function getJSON(url, options) {
    const resp = await fetch(url, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, options || {}));
    let body = null;
    try { body = await resp.json(); } catch (e) { body = null; }
    return { ok: resp.ok, status: resp.status, body, headers: resp.headers };
  }

  function postJSON(url, data, extra) {
    return getJSON(url, Object.assign({
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data || {}),
    }, extra || {}));
  }

  function downloadText(filename, text, type) {
    const blob = new Blob([text], { type: type || 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  function formatDate(ts) {
    if (!ts) return '';
    const d = new Date(ts * 1000);
    return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) + ', ' +
      d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  }

  function formatDuration(seconds) {
    const s = Math.max(0, Math.floor(seconds || 0));
    const m = Math.floor(s / 60);
    return String(m).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
  }

  function cardText(card) {
    if (!card) return '';
    if (typeof card === 'string') return card;
    const skip = new Set(['type', 't', 'title', 'modality', 'id']);
    const lines = card.title ? [String(card.title)] : [];
    for (const [k, v] of Object.entries(card)) {
      if (skip.has(k) || v === null || v === undefined || v === '') continue;
      const label = k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
      if (Array.isArray(v)) { lines.push(label + ':'); for (const x of v) lines.push('  - ' + x); }
      else if (typeof v === 'object') lines.push(label + ': ' + JSON.stringify(v));
      else lines.push(label + ': ' + v);
    }
    return lines.join('\n');
  }

  window.Attune = {
    MODALITIES, PHASES, el, fillResources, readableNumber, getJSON, postJSON, downloadText, formatDate, formatDuration, cardText,
    modalityLabel: (m) => (m ? (MODALITIES[m] || m) : '—'),
    phaseLabel: (p) => (p ? (PHASES[p] || p) : '—'),
  };
})();
