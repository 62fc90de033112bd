"""A Redis cache that fails open: an unreachable cache behaves like an empty one.

Django's RedisCache raises when Redis is down, which would turn rate limits, sessions
helpers and cached lookups into 500s. Pages and logins must keep working instead.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
_OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


_Method = Callable[..., Any]


def _fail_open(default_factory: Callable[..., Any]) -> Callable[[_Method], _Method]:
    def decorate(method: _Method) -> _Method:
        def wrapper(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except _OUTAGE as exc:
                log.warning("cache unavailable, carrying on without it: %s", exc)
                return default_factory(*args, **kwargs)

        return wrapper

    return decorate


class FailOpenRedisCache(RedisCache):
    @_fail_open(lambda key, default=None, version=None: default)
    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return super().get(key, default, version)

    @_fail_open(lambda *args, **kwargs: None)
    def set(self, *args: Any, **kwargs: Any) -> None:
        return super().set(*args, **kwargs)

    # "Added": callers that use add() as a lock or a first-hit marker carry on.
    @_fail_open(lambda *args, **kwargs: True)
    def add(self, *args: Any, **kwargs: Any) -> bool:
        return super().add(*args, **kwargs)

    @_fail_open(lambda *args, **kwargs: False)
    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return super().touch(*args, **kwargs)

    @_fail_open(lambda *args, **kwargs: False)
    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return super().delete(*args, **kwargs)

    @_fail_open(lambda *args, **kwargs: {})
    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return super().get_many(*args, **kwargs)

    @_fail_open(lambda *args, **kwargs: [])
    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        return super().set_many(*args, **kwargs)

    @_fail_open(lambda *args, **kwargs: None)
    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return super().delete_many(*args, **kwargs)

    @_fail_open(lambda *args, **kwargs: False)
    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return super().has_key(*args, **kwargs)

    @_fail_open(lambda key, delta=1, version=None: delta)
    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return super().incr(key, delta, version)

    @_fail_open(lambda *args, **kwargs: None)
    def clear(self) -> None:
        return super().clear()
