"""e5's sentence vector: the mean of the token states under the attention mask, at unit length."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def mean_pooled(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """[batch, tokens, dim] states and a [batch, tokens] 0/1 mask → [batch, dim] unit vectors."""
    import torch

    weights = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1)
    return torch.nn.functional.normalize(pooled, dim=-1)
