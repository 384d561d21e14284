/* The call page: one WebRTC call to Attune, captions, phase, crisis resources, coping card. */
'use strict';
(function () {
  const A = window.Attune;
  const $ = (id) => document.getElementById(id);
  const ui = {
    notice: $('notice'), consent: $('consent'), call: $('call'), mute: $('mute'), hangup: $('hangup'),
    status: $('status'), timer: $('timer'), phase: $('phase'), modality: $('modality'),
    user: $('caption-user'), assistant: $('caption-assistant'), crisis: $('crisis'),
    crisisList: $('crisis-resources'), crisisEmergency: $('crisis-emergency'),
    card: $('coping-card'), cardText: $('coping-text'), cardDownload: $('coping-download'),
    audio: $('remote-audio'), level: $('level-bar'),
  };

  // Visible to tests and to curious people in the console; holds nothing secret.
  const call = window.attuneCall = {
    pc: null, dc: null, mic: null, remote: null, ctx: null, analyser: null, callId: null,
    connectedAt: 0, muted: false, active: false, level: 0, maxLevel: 0, events: [], crisisInfo: null,
  };
  let timerId = null;
  let speaking = false;
  let quietSince = 0;
  let levelId = null;
  let lastCard = '';

  function setStatus(text) { ui.status.textContent = text; }

  // ---------------------------------------------------------------- first-visit notice
  async function init() {
    const me = await A.getJSON('/api/me');
    if (me.ok && me.body) {
      call.crisisInfo = me.body.crisis || null;
      if (call.crisisInfo) {
        A.fillResources($('notice-resources'), call.crisisInfo.resources);
        if (call.crisisInfo.emergency) {
          $('notice-emergency').textContent = A.readableNumber(call.crisisInfo.emergency);
          ui.crisisEmergency.textContent = A.readableNumber(call.crisisInfo.emergency);
        }
      }
      if (!me.body.consented) showNotice();
    }
  }

  function showNotice() {
    ui.notice.hidden = false;
    document.body.classList.add('has-dialog');
    ui.consent.focus();
  }

  ui.consent.addEventListener('click', async () => {
    ui.consent.disabled = true;
    const r = await A.postJSON('/api/consent', {});
    ui.consent.disabled = false;
    if (r.ok) {
      ui.notice.hidden = true;
      document.body.classList.remove('has-dialog');
      ui.call.focus();
    } else {
      setStatus('Could not save your choice. Please try again.');
    }
  });

  ui.notice.addEventListener('keydown', (ev) => {  // keep keyboard focus inside the dialog
    if (ev.key !== 'Tab') return;
    const items = Array.from(ui.notice.querySelectorAll('a[href], button:not([disabled])'));
    const i = items.indexOf(document.activeElement);
    const next = ev.shiftKey ? (i <= 0 ? items.length - 1 : i - 1) : (i + 1) % items.length;
    ev.preventDefault();
    items[next].focus();
  });

  // ---------------------------------------------------------------- captions
  function caption(role, text, final) {
    const box = role === 'user' ? ui.user : ui.assistant;
    let partial = box.querySelector('.partial');
    text = (text || '').trim();
    if (final) {
      if (partial) partial.remove();
      if (!text) return;
      for (const old of box.querySelectorAll('.latest')) old.classList.remove('latest');
      box.append(A.el('p', { className: 'final latest' }, text));
    } else {
      if (!text) { if (partial) partial.remove(); return; }
      if (!partial) {
        partial = A.el('p', { className: 'partial', 'aria-hidden': 'true' });
        box.append(partial);
      }
      partial.textContent = text;
    }
    box.scrollTop = box.scrollHeight;
  }

  function clearCaptions() { ui.user.replaceChildren(); ui.assistant.replaceChildren(); }

  // ---------------------------------------------------------------- events from the server
  function showCrisis(ev) {
    const info = call.crisisInfo || {};
    const resources = (ev.resources && ev.resources.length) ? ev.resources : (info.resources || []);
    A.fillResources(ui.crisisList, resources);
    if (ev.emergency) ui.crisisEmergency.textContent = A.readableNumber(ev.emergency);
    ui.crisis.hidden = false;
    ui.crisis.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  function showCard(ev) {
    const text = ev.text || A.cardText(ev.card);
    if (!text) return;
    lastCard = text;
    ui.cardText.textContent = text;
    ui.card.hidden = false;
  }

  function setPhase(phase) {
    if (!phase) return;
    ui.phase.textContent = A.phaseLabel(phase);
    ui.phase.dataset.value = phase;
  }

  function setModality(m) {
    if (m === undefined) return;
    ui.modality.textContent = A.modalityLabel(m);
    ui.modality.dataset.value = m || '';
  }

  let holdTimer = 0;
  function holdPlayback(on) {
    clearTimeout(holdTimer);
    ui.audio.muted = on;
    if (on) holdTimer = setTimeout(() => { ui.audio.muted = false; }, 3000);  // never stay silent by mistake
  }

  function onEvent(ev) {
    if (!ev || typeof ev !== 'object') return;
    if (call.events.length < 500) call.events.push(ev);
    switch (ev.type) {
      case 'caption': caption(ev.role, ev.text, ev.final); break;
      case 'phase': setPhase(ev.phase); break;
      case 'modality': setModality(ev.modality); break;
      case 'crisis': showCrisis(ev); break;
      case 'coping_card': showCard(ev); break;
      case 'state':
        if (call.active) setStatus(ev.state === 'speaking' ? 'Attune is speaking…'
          : ev.state === 'thinking' ? 'Attune is thinking…' : 'Listening…');
        speaking = ev.state === 'speaking';
        if (speaking) holdPlayback(false);
        break;
      case 'hold': holdPlayback(true); break;     // they spoke over Attune: silence the buffered audio now
      case 'resume': holdPlayback(false); break;  // it was only "mm-hmm"
      case 'interrupted': {
        const last = ui.assistant.querySelector('p.latest');
        if (last) last.classList.add('interrupted');
        if (call.active) setStatus('Listening…');
        speaking = false;
        break;
      }
      case 'call': if (ev.state === 'connected') setStatus('Connected. Attune will say hello.'); break;
      case 'notice': setStatus(ev.text || ''); break;
      case 'error': setStatus(ev.message || 'Something went wrong.'); break;
      case 'ended': finish(ev.reason, true); break;
      default: break;  // referral, safety_check, safety_plan, mood: shown through the captions
    }
  }

  // ---------------------------------------------------------------- the call
  function waitForIce(pc, ms) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { pc.removeEventListener('icegatheringstatechange', check); resolve(); };
      const check = () => { if (pc.iceGatheringState === 'complete') done(); };
      pc.addEventListener('icegatheringstatechange', check);
      setTimeout(done, ms);
    });
  }

  function startLevelMeter(stream) {
    try {
      const src = call.ctx.createMediaStreamSource(stream);
      const analyser = call.ctx.createAnalyser();
      analyser.fftSize = 1024;
      src.connect(analyser);
      call.analyser = analyser;
      const buf = new Float32Array(analyser.fftSize);
      levelId = setInterval(() => {
        analyser.getFloatTimeDomainData(buf);
        let sum = 0;
        for (let i = 0; i < buf.length; i++) sum += buf[i] * buf[i];
        const rms = Math.sqrt(sum / buf.length);
        call.level = rms;
        if (rms > call.maxLevel) call.maxLevel = rms;
        ui.level.style.transform = 'scaleX(' + Math.min(1, rms * 6).toFixed(3) + ')';
        if (rms > 0.01) quietSince = 0;
        else if (!quietSince) quietSince = Date.now();
        if (speaking && quietSince && Date.now() - quietSince > 900 && call.active && !call.muted) {
          speaking = false;
          setStatus('Listening…');
        }
      }, 50);
    } catch (e) {
      console.warn('level meter unavailable', e);
    }
  }

  function startTimer() {
    call.connectedAt = Date.now();
    ui.timer.textContent = '00:00';
    timerId = setInterval(() => {
      ui.timer.textContent = A.formatDuration((Date.now() - call.connectedAt) / 1000);
    }, 500);
  }

  function setInCall(on) {
    call.active = on;
    ui.call.disabled = on;
    if (on) ui.call.textContent = 'In call';
    ui.hangup.disabled = !on;
    ui.mute.disabled = !on;
    document.body.classList.toggle('in-call', on);
  }

  async function startCall() {
    if (call.active) return;
    setInCall(true);
    ui.call.disabled = true;
    clearCaptions();
    ui.crisis.hidden = true;
    setStatus('Asking for your microphone…');
    try {
      call.ctx = call.ctx || new (window.AudioContext || window.webkitAudioContext)();
      if (call.ctx.state === 'suspended') await call.ctx.resume();
    } catch (e) { call.ctx = null; }
    try {
      call.mic = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false,
      });
    } catch (e) {
      setInCall(false);
      setStatus('Attune needs your microphone to listen. Please allow microphone access and try again.');
      return;
    }
    setStatus('Connecting…');
    const pc = new RTCPeerConnection({ iceServers: [] });
    call.pc = pc;
    const dc = pc.createDataChannel('events', { ordered: true });
    call.dc = dc;
    dc.onmessage = (m) => { try { onEvent(JSON.parse(m.data)); } catch (e) { console.warn(e); } };
    for (const t of call.mic.getAudioTracks()) pc.addTrack(t, call.mic);
    pc.ontrack = (ev) => {
      const stream = (ev.streams && ev.streams[0]) || new MediaStream([ev.track]);
      call.remote = stream;
      ui.audio.srcObject = stream;
      ui.audio.play().catch(() => {});
      if (call.ctx) startLevelMeter(stream);
    };
    pc.onconnectionstatechange = () => {
      const s = pc.connectionState;
      if (s === 'connected' && !call.connectedAt) { startTimer(); setStatus('Connected.'); }
      if ((s === 'failed' || s === 'closed') && call.active) finish('The connection was lost.', false);
    };
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await waitForIce(pc, 3000);
      const r = await A.postJSON('/offer', { sdp: pc.localDescription.sdp, type: 'offer' });
      if (!r.ok) {
        if (r.status === 403 && r.body && r.body.consent_required) showNotice();
        const retry = r.headers.get('Retry-After');
        const msg = r.status === 503
          ? 'All lines are busy right now. Please try again' + (retry ? ' in about ' + retry + ' seconds.' : ' shortly.')
          : (r.body && r.body.error) || 'The call could not start.';
        cleanup();
        setStatus(msg);
        return;
      }
      call.callId = r.body.call_id;
      await pc.setRemoteDescription({ type: 'answer', sdp: r.body.sdp });
    } catch (e) {
      console.error(e);
      cleanup();
      setStatus('The call could not start. Please check your connection and try again.');
    }
  }

  function cleanup() {
    clearInterval(timerId); timerId = null;
    clearInterval(levelId); levelId = null;
    ui.level.style.transform = 'scaleX(0)';
    if (call.mic) for (const t of call.mic.getTracks()) t.stop();
    if (call.pc) { try { call.pc.close(); } catch (e) { /* already closed */ } }
    call.pc = null; call.dc = null; call.mic = null;
    call.connectedAt = 0;
    call.muted = false;
    ui.mute.setAttribute('aria-pressed', 'false');
    ui.mute.textContent = 'Mute';
    setInCall(false);
    ui.call.textContent = 'Start a new call';
  }

  let finishing = false;
  async function finish(reason, fromServer) {
    if (finishing || !call.active) return;
    finishing = true;
    const callId = call.callId;
    if (!fromServer) {
      try { if (call.dc && call.dc.readyState === 'open') call.dc.send(JSON.stringify({ type: 'hangup' })); } catch (e) { /* ignore */ }
    }
    setStatus('Ending the call and saving your session…');
    let saved = fromServer;
    if (!fromServer && callId) {
      const r = await A.postJSON('/api/hangup', { call_id: callId });
      saved = r.ok;
    }
    cleanup();
    finishing = false;
    const why = reason && !/hung up/.test(reason) ? ' (' + reason + ')' : '';
    setStatus('Call ended' + why + '. ' + (saved ? 'Your session is saved in “My sessions”.' : ''));
    setPhase(ui.phase.dataset.value === 'ended' ? 'ended' : ui.phase.dataset.value);
  }

  ui.call.addEventListener('click', startCall);
  ui.hangup.addEventListener('click', () => finish('hung up', false));
  ui.mute.addEventListener('click', () => {
    if (!call.mic) return;
    call.muted = !call.muted;
    for (const t of call.mic.getAudioTracks()) t.enabled = !call.muted;
    ui.mute.setAttribute('aria-pressed', String(call.muted));
    ui.mute.textContent = call.muted ? 'Unmute' : 'Mute';
    setStatus(call.muted ? 'You are muted. Attune cannot hear you.' : 'Listening…');
    try { if (call.dc && call.dc.readyState === 'open') call.dc.send(JSON.stringify({ type: 'mute', muted: call.muted })); } catch (e) { /* ignore */ }
  });
  ui.cardDownload.addEventListener('click', () => {
    if (lastCard) A.downloadText('attune-coping-card.txt', 'My coping card (Attune)\n\n' + lastCard + '\n');
  });
  window.addEventListener('pagehide', () => {
    if (call.active && call.callId) {
      navigator.sendBeacon('/api/hangup', new Blob([JSON.stringify({ call_id: call.callId })], { type: 'application/json' }));
    }
  });

  init().catch((e) => console.error(e));
})();
