"""Torch modules exported to ONNX with int8 weights: the converted encoder (what the sentiment model runs on,
about 10x torch's speed) and the fine-tuned intent classifier."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

INT8_FILE = "model.int8.onnx"
OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask")


def export_int8(model_dir: Path, out: Path, *, layers: int | None = None) -> Path:
    """Write `out` from the transformers model in `model_dir`: last hidden state for (input_ids, attention_mask).

    `layers` keeps only the embeddings and that many first layers (the frozen part of a top-layer tuning).

    The legacy TorchScript exporter with eager attention is the combination measured here
    (docs/sentiment-experiments.md); dynamic quantisation stores the matmul weights as int8 and keeps
    activations in float, so no calibration data is needed.
    """
    import torch
    from transformers import BertModel

    model = BertModel.from_pretrained(model_dir, add_pooling_layer=False, attn_implementation="eager")
    if layers is not None:
        if not 0 < layers < len(model.encoder.layer):
            raise ValueError(f"layers must be between 1 and {len(model.encoder.layer) - 1}")
        model.encoder.layer = model.encoder.layer[:layers]

    class LastHidden(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.bert(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            return hidden

    return export_module_int8(LastHidden(model), out, output_name="last_hidden_state")


def export_module_int8(module: Any, out: Path, *, output_name: str) -> Path:
    """Export a torch module taking (input_ids, attention_mask), batch and tokens dynamic, as int8 ONNX.

    The module's BERT must use eager attention: the legacy exporter cannot trace the SDPA path's masks.
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    module.train(False)
    example = (torch.ones((2, 8), dtype=torch.long), torch.ones((2, 8), dtype=torch.long))
    axes = {0: "batch", 1: "tokens"}
    with tempfile.TemporaryDirectory(prefix="huisheng-onnx-") as scratch:
        fp32 = Path(scratch) / "model.fp32.onnx"
        torch.onnx.export(
            module,
            example,
            str(fp32),
            input_names=list(INPUT_NAMES),
            output_names=[output_name],
            dynamic_axes={name: axes for name in INPUT_NAMES},
            opset_version=OPSET,
            dynamo=False,
        )
        logging.disable(logging.INFO)  # the quantiser logs a line per tensor it leaves in float
        try:
            quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
        finally:
            logging.disable(logging.NOTSET)
    return out
