"""REST API at /api/v1/: token auth, OpenAPI at /api/v1/openapi.json.

Each domain app contributes a router in its own ``api.py``; every endpoint starts from
``restrict()`` exactly as the web views do.
"""

from ninja import NinjaAPI

api = NinjaAPI(title="党建+ API", version="1", urls_namespace="api")
