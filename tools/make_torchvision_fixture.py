"""Record torchvision's state-dict keys and shapes for the zoo's tests.

``tests/test_models_torchvision_compat.py`` proves that each cnnbook model
with a torchvision counterpart can ``load_state_dict`` torchvision's
weights, without torchvision: it loads tensors of the recorded shapes. This
script makes that record, ``tests/fixtures/torchvision_state_dicts.json``.

torchvision is NOT a dependency of the book (it is large, and the book
never needs it). Run this script in a separate, throw-away virtual
environment outside the repository::

    python3 -m venv /tmp/tv-venv
    /tmp/tv-venv/bin/pip install torch==2.14.1 torchvision==0.29.1
    /tmp/tv-venv/bin/python tools/make_torchvision_fixture.py --check

``--check`` also imports cnnbook from this checkout, loads each
torchvision model's (randomly initialized) weights into the cnnbook model,
runs both on the same random batch in evaluation mode and prints the
largest difference: the architectures compute the same function, not just
have the same shapes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "torchvision_state_dicts.json"

# torchvision builder -> (cnnbook model, keyword arguments for both, input
# side for --check).
MODELS = {
    "alexnet": ("alexnet_torchvision", {}, 224),
    **{
        name: (name, {}, 64)
        for name in (
            "vgg11",
            "vgg11_bn",
            "vgg13",
            "vgg13_bn",
            "vgg16",
            "vgg16_bn",
            "vgg19",
            "vgg19_bn",
        )
    },
    "googlenet": (
        "googlenet_torchvision",
        {"aux_logits": True, "init_weights": True},
        224,
    ),
    "resnet18": ("resnet18", {}, 64),
    "resnet34": ("resnet34", {}, 64),
    "resnet50": ("resnet50_torchvision", {}, 64),
    "resnet101": ("resnet101_torchvision", {}, 64),
    "resnet152": ("resnet152_torchvision", {}, 64),
    "mobilenet_v2": ("mobilenet_v2", {}, 64),
    **{f"efficientnet_b{i}": (f"efficientnet_b{i}", {}, 64) for i in range(8)},
}


def record(models) -> dict:
    """Keys and shapes of each torchvision model's state dict."""
    import torch
    import torchvision

    out = {
        "torch": torch.__version__.split("+")[0],
        "torchvision": torchvision.__version__.split("+")[0],
        "models": {},
    }
    for tv_name in models:
        _, kwargs, _ = MODELS[tv_name]
        builder = getattr(torchvision.models, tv_name)
        model = builder(weights=None, **kwargs)
        state = model.state_dict()
        out["models"][tv_name] = {
            "parameters": sum(p.numel() for p in model.parameters()),
            "state_dict": {k: list(v.shape) for k, v in state.items()},
        }
        print(
            f"{tv_name:16s} {len(state):5d} tensors, "
            f"{out['models'][tv_name]['parameters']:>12,} parameters"
        )
    return out


def check(models) -> int:
    """Load torchvision's weights into cnnbook's models and compare."""
    import torch
    import torchvision

    sys.path.insert(0, str(ROOT))
    from cnnbook.models import get_model

    failures = 0
    for tv_name in models:
        ours_name, kwargs, side = MODELS[tv_name]
        torch.manual_seed(0)
        theirs = getattr(torchvision.models, tv_name)(
            weights=None, **kwargs
        ).eval()
        ours = get_model(ours_name).eval()
        ours.load_state_dict(theirs.state_dict())  # strict
        x = torch.randn(2, 3, side, side)
        with torch.no_grad():
            difference = (ours(x) - theirs(x)).abs().max().item()
        ok = difference < 1e-4
        failures += not ok
        print(
            f"{tv_name:16s} -> {ours_name:22s} strict load ok, "
            f"max |output difference| {difference:.1e} "
            f"{'ok' if ok else 'DIFFERS'}"
        )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="also compare outputs with cnnbook's models",
    )
    parser.add_argument("models", nargs="*", help="default: all")
    args = parser.parse_args()
    try:
        import torchvision  # noqa: F401
    except ImportError:
        print(
            "torchvision is not installed here; make a throw-away venv "
            "(see this script's docstring)",
            file=sys.stderr,
        )
        return 2
    models = args.models or list(MODELS)
    data = record(models)
    if not args.models:
        text = json.dumps(data, indent=None, separators=(",", ":"))
        # One tensor per line keeps diffs readable.
        text = text.replace(',"', ',\n"') + "\n"
        # The repository is importable from the throw-away venv this runs in.
        sys.path.insert(0, str(ROOT))
        from cnnbook._atomic import atomic_write_text

        atomic_write_text(FIXTURE, text)
        print(
            f"wrote {FIXTURE.relative_to(ROOT)} "
            f"({FIXTURE.stat().st_size:,} bytes)"
        )
    return check(models) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
