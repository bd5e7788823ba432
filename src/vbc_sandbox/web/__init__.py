"""The web layer: the ASGI app, connexion (all its internals in `connexion_glue`), the
handlers, the fast path, request limits, the pages and the console, slow clients. Uses the
phone system, storage and the foundations."""
