"""What every entity shares: plain pydantic models whose rules hold after every change.

An entity validates when it is built *and* whenever a field is set (``validate_assignment``),
so ``company.currency = "TOOLONG"`` raises here, in the core, whatever path the value
came by (HTTP, sync, an import, a job). A refused change leaves the entity as it was.
Every refusal is the core's ``ValidationFailed`` with camelCase field names, the 422 the
client sees, never a pydantic error.

``apply`` sets several fields at once and validates them together, so a rule that spans
fields (latitude and longitude go together) is checked on the result, not on a half-made
step; it is the one way a partial update (PATCH, a sync update) changes an entity.

A rule spanning fields raises ``ValidationFailed`` itself from a model validator (pydantic
lets it through), so it can name the field the client must fix.

``changes`` tells a repository which fields a use case changed since the entity was read
(``mark_clean``), so an update writes those columns only and sync can version each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from fieldedge.errors import ValidationFailed

_MESSAGES = {"extra_forbidden": "Unknown field.", "missing": "This field is required."}


def error_message(error: Mapping[str, Any]) -> str:
    """One pydantic error in the API's words: ours for the common types, a validator's
    own message without pydantic's "Value error, " prefix."""
    message = str(_MESSAGES.get(error["type"], error["msg"]))
    return message.removeprefix("Value error, ")


def field_details(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic's errors as ``{"wireName.path": ["message"]}``."""
    details: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        parts = [to_camel(p) if isinstance(p, str) else str(p) for p in error["loc"]]
        details.setdefault(".".join(parts) or "body", []).append(error_message(error))
    return details


def _snapshot(value: Any) -> Any:
    # One level of copy: list and dict fields are replaced, never mutated in place, by
    # the rules (assignment makes a new validated value), so this is enough to diff.
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


class Entity(BaseModel):
    # ``defer_build``: an entity's validator is made on its first use, not at import, so
    # a cold start pays only for the entities its first request touches.
    model_config = ConfigDict(validate_assignment=True, extra="forbid", defer_build=True)

    _clean: dict[str, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _in_core_words(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # Built as ``Entity(...)``: pydantic's refusal becomes the core's. (An ``__init__``
        # override would do the same but makes pydantic run every model validator twice
        # on ``model_validate``.)
        try:
            return handler(data)
        except ValidationError as exc:
            raise ValidationFailed(details=field_details(exc)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            super().__setattr__(name, value)
            return
        before = self.__dict__.get(name)
        try:
            super().__setattr__(name, value)
        except (ValidationError, ValidationFailed) as exc:
            # A model-level rule runs after the field is set: put the old value back.
            if name in self.__dict__:
                self.__dict__[name] = before
            if isinstance(exc, ValidationFailed):
                raise
            raise ValidationFailed(details=field_details(exc)) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise ValidationFailed(details=field_details(exc)) from None

    @classmethod
    def load(cls, values: Mapping[str, Any]) -> Self:
        """An entity from stored values (validated: cheaper than trusting, and safe)."""
        entity = cls.model_validate(dict(values))
        entity.mark_clean()
        return entity

    def apply(self, changes: Mapping[str, Any]) -> None:
        """Set ``changes`` together: validated as one, applied all or not at all."""
        unknown = sorted(set(changes) - set(type(self).model_fields))
        if unknown:
            raise ValidationFailed(details={to_camel(name): ["Unknown field."] for name in unknown})
        checked = type(self).model_validate({**self.__dict__, **changes})
        self.__dict__.update(checked.__dict__)
        self.__pydantic_fields_set__.update(changes)

    def set_stored(self, values: Mapping[str, Any]) -> None:
        """Take values the store assigned (a version, an order number) as stored."""
        for name, value in values.items():
            setattr(self, name, value)
        if self._clean is not None:
            self._clean.update({name: _snapshot(value) for name, value in values.items()})

    def mark_clean(self) -> None:
        """Remember the current values as stored (a repository calls this)."""
        self._clean = {name: _snapshot(value) for name, value in self.__dict__.items()}

    def changes(self) -> dict[str, Any]:
        """Fields whose value differs from the stored one (all of them if never stored)."""
        if self._clean is None:
            return dict(self.__dict__)
        return {
            name: value
            for name, value in self.__dict__.items()
            if name not in self._clean or self._clean[name] != value
        }

    def values(self) -> dict[str, Any]:
        """Every field's current value, as the repositories store them."""
        return dict(self.__dict__)
