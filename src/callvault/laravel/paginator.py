"""Laravel's ``LengthAwarePaginator::toArray()`` with ``withQueryString()``, ``onEachSide(3)``."""

from __future__ import annotations

from typing import Any

from callvault.laravel.query import PhpArray, build_query

ON_EACH_SIDE = 3


def last_page(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def page_window(current: int, last: int) -> list[int | None]:
    """Laravel's ``UrlWindow``: page numbers, with ``None`` for each ``...`` separator."""
    if last < ON_EACH_SIDE * 2 + 8:
        return list(range(1, last + 1))
    window = ON_EACH_SIDE + 4
    start, finish = [1, 2], [last - 1, last]
    if current <= window:
        return [*range(1, window + ON_EACH_SIDE + 1), None, *finish]
    if current > last - window:
        return [*start, None, *range(last - (window + ON_EACH_SIDE - 1), last + 1)]
    slider = range(current - ON_EACH_SIDE, current + ON_EACH_SIDE + 1)
    return [*start, None, *slider, None, *finish]


def _array_merge(query: PhpArray, page_name: str) -> PhpArray:
    """``array_merge($query, [page => n])`` without ``page``: integer keys are renumbered."""
    merged: PhpArray = {}
    position = 0
    for key, value in query.items():
        if key == page_name:
            continue
        if isinstance(key, int):
            merged[position] = value
            position += 1
        else:
            merged[key] = value
    return merged


class PageUrls:
    """Builds ``path?<query>&page=N`` the way ``LengthAwarePaginator::url`` does."""

    def __init__(self, path: str, query: PhpArray, page_name: str = "page") -> None:
        self.path = path
        self.page_name = page_name
        prefix = build_query(_array_merge(query, page_name))
        self._prefix = f"{path}?{prefix}&{page_name}=" if prefix else f"{path}?{page_name}="

    def url(self, page: int) -> str:
        return f"{self._prefix}{max(page, 1)}"


def paginate(
    items: list[Any], *, total: int, per_page: int, current_page: int, urls: PageUrls
) -> dict[str, Any]:
    """The paginator's JSON, keys in Laravel's order."""
    last = last_page(total, per_page)
    first_item = (current_page - 1) * per_page + 1 if items else None
    last_item = first_item + len(items) - 1 if first_item is not None else None
    prev_url = urls.url(current_page - 1) if current_page > 1 else None
    next_url = urls.url(current_page + 1) if current_page < last else None
    links: list[dict[str, Any]] = [{"url": prev_url, "label": "&laquo; Previous", "active": False}]
    for page in page_window(current_page, last):
        if page is None:
            links.append({"url": None, "label": "...", "active": False})
        else:
            links.append(
                {"url": urls.url(page), "label": str(page), "active": page == current_page}
            )
    links.append({"url": next_url, "label": "Next &raquo;", "active": False})
    return {
        "current_page": current_page,
        "data": items,
        "first_page_url": urls.url(1),
        "from": first_item,
        "last_page": last,
        "last_page_url": urls.url(last),
        "links": links,
        "next_page_url": next_url,
        "path": urls.path,
        "per_page": per_page,
        "prev_page_url": prev_url,
        "to": last_item,
        "total": total,
    }
