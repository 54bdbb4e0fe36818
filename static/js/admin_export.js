// The "Select all" box of the admin's export form (templates/admin/import_export/export.html):
// the Content-Security-Policy refuses the inline onchange attribute the library's template had,
// so the library's own handler is attached here.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("select-all-toggle");
  if (toggle) {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
