"""The converted encoder exported to ONNX with int8 weights: what the sentiment model runs on (about 10x torch's speed)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

INT8_FILE = "model.int8.onnx"
OPSET = 17


def export_int8(model_dir: Path, out: Path) -> Path:
    """Write `out` from the transformers model in `model_dir`: last hidden state for (input_ids, attention_mask).

    The legacy TorchScript exporter with eager attention is the combination measured here
    (docs/sentiment-experiments.md); dynamic quantisation stores the matmul weights as int8 and keeps
    activations in float, so no calibration data is needed.
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import BertModel

    model = BertModel.from_pretrained(model_dir, add_pooling_layer=False, attn_implementation="eager")
    model.train(False)

    class LastHidden(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.bert(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            return hidden

    example = (torch.ones((2, 8), dtype=torch.long), torch.ones((2, 8), dtype=torch.long))
    axes = {0: "batch", 1: "tokens"}
    with tempfile.TemporaryDirectory(prefix="e5-onnx-") as scratch:
        fp32 = Path(scratch) / "model.fp32.onnx"
        torch.onnx.export(
            LastHidden(model),
            example,
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes},
            opset_version=OPSET,
            dynamo=False,
        )
        logging.disable(logging.INFO)  # the quantiser logs a line per tensor it leaves in float
        try:
            quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
        finally:
            logging.disable(logging.NOTSET)
    return out
