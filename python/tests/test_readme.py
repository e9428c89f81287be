"""The README's Python example runs and does what it says."""
import pathlib
import re

import pytest

pytest.importorskip("torch")


def test_readme_pytorch_example(capsys):
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "no python block in README.md"
    import torch

    torch.manual_seed(0)
    scope = {}
    exec(blocks[0], scope)  # noqa: S102 - our own README
    assert scope["loss"].item() < 1e-4
    assert torch.allclose(scope["b"].detach(), torch.tensor([0.2, 0.4, 0.2]), atol=0.02)
    assert torch.allclose(scope["a1a2"].detach(), torch.tensor([-0.6, 0.3]), atol=0.02)
