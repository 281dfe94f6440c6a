"""A status that only moves along its entity's table of transitions, however it is set.

Orders and expense claims share the shape: ``status`` assigned directly is checked
against ``TRANSITIONS`` (a move that does not exist is ``InvalidStateTransition``, the
409 the client sees), and a move method sets the status with its stamps in one checked
step (``_move``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import PrivateAttr

from fieldedge.domain.base import Entity
from fieldedge.errors import InvalidStateTransition


class Moves(Entity):
    transitions: ClassVar[Mapping[Any, frozenset[Any]]]
    noun: ClassVar[str]  # "An order": how the refusal names the entity

    _moving: bool = PrivateAttr(default=False)

    def __setattr__(self, name: str, value: Any) -> None:
        current = self.__dict__.get("status")
        if name == "status" and not self._moving and current is not None and value != current:
            self._check_move(type(current)(value))
        super().__setattr__(name, value)

    def _check_move(self, target: StrEnum) -> None:
        current = self.__dict__["status"]
        current = type(target)(current)
        if target not in self.transitions[current]:
            raise InvalidStateTransition(
                f"{self.noun} that is {current.value} cannot become {target.value}."
            )

    def _move(self, target: StrEnum, **stamps: Any) -> None:
        self._check_move(target)
        self._moving = True
        try:
            self.apply({"status": target, **stamps})
        finally:
            self._moving = False
