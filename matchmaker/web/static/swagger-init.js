// Starts Swagger UI on /docs. A file, not an inline script, so that /docs keeps the CSP every
// page has; its settings (FastAPI's defaults, the document's URL) come from the page.
"use strict";
{
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    ...JSON.parse(root.dataset.config),
    presets: [SwaggerUIBundle.presets.apis],
  });
}
