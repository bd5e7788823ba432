// The API reference: Swagger UI over the very openapi.json this sandbox serves, so "Try it
// out" reaches it. A file rather than an inline script: the page's Content-Security-Policy
// runs only the sandbox's own files.
"use strict";

window.ui = SwaggerUIBundle({
  url: "/t/vbc.prod/telephony/v3/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
