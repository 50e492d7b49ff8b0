// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// Bookmarkable search URLs: leave empty filters out of the GET requests htmx makes.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.verb !== "get") return;
  const params = event.detail.parameters;
  for (const key of Array.from(params.keys())) {
    if (params.get(key) === "") params.delete(key);
  }
});

// After htmx puts a new URL in the history (a search), the language links follow it.
document.addEventListener("htmx:pushedIntoHistory", () => {
  for (const link of document.querySelectorAll(".langs a[hreflang]")) {
    const url = new URL(window.location.href);
    url.searchParams.set("lang", link.hreflang);
    link.href = url.pathname + url.search;
  }
});

// A suggested waste code, chosen, fills the field it names (the listing form's EWC code).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fill]");
  if (!button) return;
  const field = document.getElementById(button.dataset.fill);
  if (!field) return;
  field.value = button.dataset.value;
  field.focus();
});
