"""The optimiser, schedule and step shared by everything that fine-tunes the encoder (intents, sentiment)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


def adamw_with_warmup(
    body: Iterable[Any], head: Iterable[Any], *, learning_rate: float, head_learning_rate: float, steps: int
) -> tuple[Any, Any]:
    """AdamW (weight decay 0.01) with its own rate for the new head; 10 % linear warm-up, then linear decay."""
    import torch

    optimizer = torch.optim.AdamW(
        [{"params": list(body), "lr": learning_rate}, {"params": list(head), "lr": head_learning_rate}],
        weight_decay=0.01,
    )
    warmup = max(1, steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    return optimizer, scheduler


def take_step(loss: torch.Tensor, model: Any, optimizer: Any, scheduler: Any) -> None:
    """Backpropagate, clip the gradient norm at 1, step the optimiser and the schedule, clear the gradients."""
    import torch

    torch.autograd.backward(loss)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
