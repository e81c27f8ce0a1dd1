"""REST API at /api/v1/: token auth, OpenAPI at /api/v1/openapi.json.

Each domain app contributes a router in its own ``api.py``; every endpoint starts from
``restrict()`` exactly as the web views do. All endpoints except ``POST /auth/token`` need
``Authorization: Bearer <token>``.
"""

from ninja import NinjaAPI

from dangjian.accounts.api import MeOut, TokenAuth, me
from dangjian.accounts.api import router as auth_router
from dangjian.customers.api import router as customers_router
from dangjian.orglife.api import router as orglife_router
from dangjian.orgs.api import router as orgs_router
from dangjian.people.api import router as people_router
from dangjian.platform.api import ChineseJSONRenderer, install_error_handlers

api = NinjaAPI(
    title="党建+ API",
    version="1",
    description="党建+ 数据接口。先用 POST /api/v1/auth/token 获取令牌，"
    "再在请求头中携带 Authorization: Bearer <token>。",
    urls_namespace="api",
    auth=TokenAuth(),
    renderer=ChineseJSONRenderer(),
)
install_error_handlers(api)


@api.get("/", response=MeOut, summary="当前令牌的用户及其角色", tags=["认证"])
def api_root(request):
    return me(request)


api.add_router("/auth", auth_router)
api.add_router("/", orgs_router)
api.add_router("/", people_router)
api.add_router("/", customers_router)
api.add_router("/", orglife_router)
api.add_router("/", "dangjian.disclosure.api.router")
api.add_router("/", "dangjian.transfers.api.router")
api.add_router("/", "dangjian.dues.api.router")
api.add_router("/", "dangjian.development.api.router")
api.add_router("/", "dangjian.appraisal.api.router")
api.add_router("/", "dangjian.warmth.visits.api.router")
api.add_router("/", "dangjian.warmth.window.api.router")
api.add_router("/", "dangjian.warmth.tickets.api.router")
api.add_router("/", "dangjian.warmth.outreach.api.router")
api.add_router("/", "dangjian.exemplar.study.api.router")
api.add_router("/", "dangjian.exemplar.contests.api.router")
