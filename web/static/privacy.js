/* Privacy page: export (a plain download link) and delete with an explicit confirmation step. */
'use strict';
(function () {
  const A = window.Attune;
  const $ = (id) => document.getElementById(id);
  const del = $('delete'), confirmBox = $('confirm'), yes = $('delete-confirm'), no = $('delete-cancel');
  const status = $('delete-status');

  del.addEventListener('click', () => {
    confirmBox.hidden = false;
    del.disabled = true;
    no.focus();
  });
  no.addEventListener('click', () => {
    confirmBox.hidden = true;
    del.disabled = false;
    del.focus();
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    status.textContent = 'Deleting…';
    const r = await A.postJSON('/api/delete', { confirm: 'delete' });
    yes.disabled = false;
    if (r.ok) {
      confirmBox.hidden = true;
      del.disabled = false;
      status.textContent = r.body && r.body.deleted
        ? 'Done. Everything about you has been erased, and this browser has a new, empty identity.'
        : 'There was nothing stored for this browser. It now has a new, empty identity.';
    } else {
      status.textContent = (r.body && r.body.error) || 'Deleting failed. Please try again.';
    }
  });
})();
