"""``gvckit serve``: the workbench, one more presentation layer over the same API.

:func:`gvckit.web.app.create_app` builds the FastAPI app from
:class:`~gvckit.web.settings.Settings`; pages (Jinja2 + htmx) and the JSON API share the
services in :mod:`gvckit.store`, :mod:`gvckit.auth` and :mod:`gvckit.jobs`, and compute nothing
themselves. Needs the extra ``gvckit[web]``.
"""

from __future__ import annotations

__all__: list[str] = []
