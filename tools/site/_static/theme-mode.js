// pydata-sphinx-theme reads the light/dark mode from localStorage and logs a console error
// ("Got invalid theme mode: .") on a reader's first visit, when none is stored yet
// (pydata/pydata-sphinx-theme#1635). Start every first visit in "auto" instead.
(function () {
  try {
    if (!localStorage.getItem("mode")) localStorage.setItem("mode", "auto");
  } catch (e) { /* storage blocked: the theme falls back to auto by itself */ }
  if (!document.documentElement.dataset.mode) document.documentElement.dataset.mode = "auto";
})();
