"""A locmem e-mail backend whose SMTP trouble is scripted by the test."""

from __future__ import annotations

from typing import ClassVar

from django.core.mail.backends import locmem


class ScriptedBackend(locmem.EmailBackend):
    """``on_open`` / ``on_send`` hold what the next open() / send_messages() call does:
    None delivers, an exception instance is raised. Counts connections opened."""

    on_open: ClassVar[list[BaseException | None]] = []
    on_send: ClassVar[list[BaseException | None]] = []
    opened: ClassVar[int] = 0

    @classmethod
    def reset(cls) -> None:
        cls.on_open = []
        cls.on_send = []
        cls.opened = 0

    def open(self):
        action = type(self).on_open.pop(0) if type(self).on_open else None
        if action is not None:
            raise action
        type(self).opened += 1
        return True

    def send_messages(self, messages):
        action = type(self).on_send.pop(0) if type(self).on_send else None
        if action is not None:
            raise action
        return super().send_messages(messages)
