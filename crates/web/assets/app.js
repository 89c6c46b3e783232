// Light progressive enhancement; every page works without it.
document.addEventListener('DOMContentLoaded', () => {
  // Filter lists: a changed drop-down applies at once.
  document.querySelectorAll('form.filters select').forEach((s) =>
    s.addEventListener('change', () => s.form.requestSubmit ? s.form.requestSubmit() : s.form.submit()));
  // A link to one fact (`#f-revenue`, from a line that waits on it): that field, focused.
  const target = location.hash.startsWith('#f-') && document.getElementById(location.hash.slice(1));
  if (target) { target.focus(); target.closest('label')?.classList.add('wanted'); }
  // Irreversible actions ask first.
  document.querySelectorAll('[data-confirm]').forEach((el) =>
    el.addEventListener('click', (e) => { if (!confirm(el.dataset.confirm)) e.preventDefault(); }));
});
