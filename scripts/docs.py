"""The HTTP API reference pages of the documentation site (scripts/docs_hooks.py writes them to
the site's api/ folder; `python scripts/docs.py DIR` writes them alone): the page the sandbox
serves at /docs (index.html, openapi.json), and VIS's (vis.html, vis.json), written as static
files that work offline (Swagger UI's files from swagger-ui-bundle; each spec inside its page,
and beside it as JSON). Opened as a
file, the page has no Content-Security-Policy to keep, so its spec and the call that draws
it are inline."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from swagger_ui_bundle import swagger_ui_path

import vbc_spec as spec
from vbc_sandbox.web.pages import SWAGGER_UI_FILES

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script>
SwaggerUIBundle({{ spec: {spec}, dom_id: "#swagger-ui", deepLinking: true }});
</script>
</body>
</html>
"""


#: Each page (and the JSON beside it) and the spec it draws.
PAGES = {"index": ("openapi", spec.TELEPHONY_SPEC), "vis": ("vis", spec.VIS_SPEC)}


def main(out: str) -> int:
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    for name in SWAGGER_UI_FILES:
        shutil.copy(Path(swagger_ui_path) / name, target / name)
    for page_name, (json_name, path) in PAGES.items():
        document = spec.load(path)
        (target / f"{json_name}.json").write_text(json.dumps(document, indent=1), encoding="utf-8")
        # The spec goes in the page: a page opened from a file may not fetch another file.
        inline = json.dumps(document).replace("</", "<\\/")
        page = PAGE.format(title=document["info"]["title"], spec=inline)
        (target / f"{page_name}.html").write_text(page, encoding="utf-8")
    print(f"API reference: {target / 'index.html'}, {target / 'vis.html'} (no network needed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/docs"))
