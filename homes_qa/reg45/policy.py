"""Who may write and read the Regulation 45 review."""
from __future__ import annotations

from homes_qa.core.roles import Role

AUTHORS = (Role.REGISTERED_MANAGER,)


READERS = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
