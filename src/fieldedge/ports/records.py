"""What list reads hand out: stored rows, not entities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# A stored row as a list reads it: column (= entity field) name -> value. Lists hand
# these out so a page is serialised straight from the rows, without building entities;
# ``Entity.load(record)`` makes one when a use case needs its rules.
Record = Mapping[str, Any]
