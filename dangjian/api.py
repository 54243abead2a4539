"""The platform's API: one NinjaAPI, one router per app under /api/v1/.

Callers authenticate with an API token (`Authorization: Bearer <token>`) or, in the browser,
with their Django session (with CSRF). Every refusal is `{"code", "message", "field"}` with a
Chinese message."""

from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from dangjian.accounts.services import user_for_api_token
from dangjian.campaigns.api import router as campaigns_router
from dangjian.core.api import APIError, not_found, unauthenticated
from dangjian.core.errors import DomainError
from dangjian.deeds.api import router as deeds_router
from dangjian.deeds.request_api import router as requests_router
from dangjian.deeds.request_services import RateLimited
from dangjian.orgs.api import router as orgs_router


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's session. CSRF is checked only when there is a logged-in session, so a
    request without any credentials answers 401, not a CSRF 403."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese as is, not as \u escapes


class API(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts):
        """Remember the Chinese title of the first bad field for the message."""
        error = super().validation_error_from_error_contexts(error_contexts)
        first = error_contexts[0]
        loc = first.pydantic_validation_error.errors()[0]["loc"]
        error.errors[0]["title"] = _title(first.model, loc)
        return error


def _title(model, loc) -> str | None:
    title = None
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        title, model = field.title, field.annotation
    return title


api = API(
    title="党建工作平台 API",
    version="1",
    description="党组织、党员等数据的接口。用 API 令牌（`Authorization: Bearer <令牌>`，"
    "在“我的账号”页面创建）或浏览器登录会话访问；令牌的权限与其所属用户完全相同。",
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI from ninja's static files; no validator badge fetched from swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionAuth()],
    renderer=Renderer(),
)
api.add_router("/v1/", orgs_router)
api.add_router("/v1/", campaigns_router)
api.add_router("/v1/", deeds_router)
api.add_router("/v1/", requests_router)


def _error(request, error: APIError):
    body = {"code": error.code, "message": error.message, "field": error.field}
    return api.create_response(request, body, status=error.status)


@api.exception_handler(APIError)
def on_api_error(request, exc: APIError):
    return _error(request, exc)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    # taken: a unique value already in use; conflict: saved by someone else meanwhile
    status = 409 if exc.code.endswith(("_taken", "_conflict")) else 400
    return _error(request, APIError(status, exc.code, exc.message, exc.field))


@api.exception_handler(RateLimited)
def on_rate_limited(request, exc: RateLimited):
    """Too many requests from one address (public intake, tracking): 429 with Retry-After."""
    response = _error(request, APIError(429, exc.code, exc.message, exc.field))
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, not_found())


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, unauthenticated())


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    """ninja's own refusals: the session's CSRF check and a body that is not JSON."""
    if exc.status_code == 403:
        return _error(request, APIError(403, "csrf_failed", "CSRF 校验失败，请刷新页面后重试"))
    if exc.status_code == 400:
        return _error(request, APIError(400, "body_invalid", "请求体不是有效的 JSON"))
    return _error(request, APIError(exc.status_code, "http_error", "请求无法处理"))


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request, exc):
    """An upload whose multipart body cannot be parsed (no boundary, cut short)."""
    return _error(request, APIError(400, "body_invalid", "请求体不是有效的 multipart 表单"))


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return _error(request, validation_error(exc.errors))


# ---------------------------------------------------------------- 422 in Chinese

REASONS = {
    "missing": "为必填项",
    "value_error": "{error}",
    "string_too_long": "不能超过{max_length}个字符",
    "string_too_short": "不能少于{min_length}个字符",
    "greater_than_equal": "不能小于{ge}",
    "greater_than": "必须大于{gt}",
    "less_than_equal": "不能大于{le}",
    "less_than": "必须小于{lt}",
    "enum": "不在可选范围内（可选：{expected}）",
    "literal_error": "不在可选范围内（可选：{expected}）",
    "extra_forbidden": "不是可接受的字段",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
}
SOURCES = {"body": "请求体", "query": "查询参数", "path": "路径参数"}


def validation_error(errors: list[dict]) -> APIError:
    """The first of pydantic's errors as one Chinese message naming the field."""
    first = errors[0]
    field = _field_name(first["loc"])
    template = REASONS.get(first["type"], "格式不正确")
    ctx = {k: str(v).replace(" or ", ", ") for k, v in first.get("ctx", {}).items()}
    try:
        reason = template.format(**ctx)
    except (KeyError, IndexError):
        reason = "格式不正确"
    if first.get("title"):
        subject = f"{first['title']}（{field}）"
    elif field:
        subject = f"字段“{field}”"
    else:
        subject = SOURCES.get(first["loc"][0], "请求")
    return APIError(422, first["type"], f"{subject}{reason}", field)


def _field_name(loc) -> str | None:
    """("body", "payload", "name") → "name"; ("query", "limit") → "limit"."""
    parts = [str(p) for p in loc[1:]]
    if loc[0] == "body":
        parts = parts[1:]  # the view's parameter name
    return ".".join(parts) or None
