// Light progressive enhancement; every page works without it.
document.addEventListener('DOMContentLoaded', () => {
  // Filter lists: a changed drop-down applies at once.
  document.querySelectorAll('form.filters select').forEach((s) =>
    s.addEventListener('change', () => s.form.requestSubmit ? s.form.requestSubmit() : s.form.submit()));
  // Irreversible actions ask first.
  document.querySelectorAll('[data-confirm]').forEach((el) =>
    el.addEventListener('click', (e) => { if (!confirm(el.dataset.confirm)) e.preventDefault(); }));
});
