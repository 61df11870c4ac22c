"""Audit rounds: create them, show them, and change their samples by hand.

A round has a name, a theme, the template version its audits use, a period, its auditors and a
sample specification (see ``sampling_spec``). Drawing the sample is ``sampling.preview_sample``
then ``sampling.commit_sample``. Afterwards a QA lead may add a file by hand or remove one, each
time with a reason, and change assignments. This module gathers the functions of
``rounds_core`` (creating, finding, listing, showing) and ``rounds_edit`` (changes by hand).
"""

from __future__ import annotations

from .rounds_core import (
    RoundDetail,
    RoundSummary,
    SampleItemInfo,
    create_round,
    find_round,
    get_round,
    list_rounds,
    resolve_template_version,
    summarise,
    users_named,
)
from .rounds_edit import add_case, assign_item, remove_case, set_auditors

__all__ = [
    "RoundDetail",
    "RoundSummary",
    "SampleItemInfo",
    "add_case",
    "assign_item",
    "create_round",
    "find_round",
    "get_round",
    "list_rounds",
    "remove_case",
    "resolve_template_version",
    "set_auditors",
    "summarise",
    "users_named",
]
