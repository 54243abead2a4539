"""Pieces every app's API router uses: the error body, refusals, and limit/offset paging."""

from ninja import Field, Schema
from pydantic import field_validator

MAX_PAGE = 100
# Ids and offsets beyond this cannot exist; bounding them keeps the database driver from
# overflowing on absurd numbers.
MAX_ID = 2**53


class Error(Schema):
    code: str = Field(description="机器可读的错误代码，例如 id_checksum")
    message: str = Field(description="中文说明")
    field: str | None = Field(None, description="出错的字段名，没有时为 null")


class APIError(Exception):
    """An answer other than success, rendered as `Error` with `status`."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def unauthenticated() -> APIError:
    return APIError(401, "unauthenticated", "请先登录或提供有效的 API 令牌")


def forbidden() -> APIError:
    return APIError(403, "forbidden", "没有权限执行此操作")


def not_found() -> APIError:
    return APIError(404, "not_found", "对象不存在或无权查看")


def errors(*statuses: int) -> dict:
    """Response declarations for the error statuses an operation may answer. Every operation
    may answer 401 (no valid credentials) and 422 (malformed request)."""
    return dict.fromkeys(sorted({401, 422, *statuses}), Error)


class Input(Schema):
    """Request data. Text may not contain NUL characters, which PostgreSQL cannot store."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("不能包含空字符（\\x00）")
        return value


class Paging(Input):
    limit: int = Field(20, ge=1, le=MAX_PAGE, title="每页条数", description=f"最多 {MAX_PAGE}")
    offset: int = Field(0, ge=0, le=MAX_ID, title="跳过条数")


def paginate(queryset, paging: Paging) -> dict:
    """`count` of all rows and the `items` of one page; two queries."""
    end = paging.offset + paging.limit
    return {
        "count": queryset.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": list(queryset[paging.offset : end]),
    }
