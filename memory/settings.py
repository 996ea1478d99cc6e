"""Memory's own settings type (read from the environment by ``config.settings``)."""

from __future__ import annotations

from dataclasses import dataclass

from memory.summary import SummaryConfig

STRATEGIES = ("summary", "window", "full", "retrieval")


@dataclass(frozen=True)
class MemorySettings:
    strategy: str = "summary"  # summary | window | full | retrieval
    budget_tokens: int = 4000  # the whole prompt: system, ticket facts, memory, messages
    compact_trigger_tokens: int = 1600  # unsummarized messages above this are folded
    keep_recent_tokens: int = 500  # newest messages kept verbatim after a fold
    summary_max_tokens: int = 500  # a longer summary is rejected (fail-safe)
    pinned_facts_max: int = 50  # pinned identifiers kept verbatim in the checkpoint
    fold_max_messages: int = 200  # messages read per fold: every read stays bounded

    def summary_config(self, stall_after_s: float = 60.0) -> SummaryConfig:
        return SummaryConfig(
            budget_tokens=self.budget_tokens,
            compact_trigger_tokens=self.compact_trigger_tokens,
            keep_recent_tokens=self.keep_recent_tokens,
            summary_max_tokens=self.summary_max_tokens,
            pinned_facts_max=self.pinned_facts_max,
            fold_max_messages=self.fold_max_messages,
            stall_after_s=stall_after_s,
        )
